// The working copies `npm start` opens (tools/workcopy.mts): made once with a lib link, never
// overwriting an edited copy, following an unedited one, restored with a backup.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { copyState, prepareWorkingCopy, restore } from "../tools/workcopy.mjs";
import { root } from "./run-tool.mjs";

const notebook = (sources: string[]): string => JSON.stringify({
  cells: sources.map((s) => ({ cell_type: "markdown", metadata: {}, source: s })),
  metadata: {}, nbformat: 4, nbformat_minor: 5,
});

function setUp(): { from: string; to: string } {
  const dir = mkdtempSync(join(tmpdir(), "workcopy-"));
  const from = join(dir, "notebooks");
  mkdirSync(from);
  writeFileSync(join(from, "01-a.ipynb"), notebook(["# A"]));
  writeFileSync(join(from, "02-b.ipynb"), notebook(["# B"]));
  return { from, to: join(dir, "lab") };
}

describe("working copies", () => {
  it("are made once, with lib linked to the compiled library by a relative path", () => {
    const { from, to } = setUp();
    expect(prepareWorkingCopy(from, to).created).toEqual(["01-a.ipynb", "02-b.ipynb"]);
    expect(realpathSync(join(to, "lib"))).toBe(realpathSync(join(root, "build", "lib")));
    expect(readlinkSync(join(to, "lib")).startsWith("/")).toBe(false);
    expect(prepareWorkingCopy(from, to)).toEqual({ created: [], updated: [], behind: [] });
  });

  it("replace a lib link to src/ (what earlier versions made) with one to the compiled library", () => {
    const { from, to } = setUp();
    mkdirSync(to);
    symlinkSync(relative(to, join(root, "src")), join(to, "lib"));
    prepareWorkingCopy(from, to);
    expect(realpathSync(join(to, "lib"))).toBe(realpathSync(join(root, "build", "lib")));
  });

  it("refuse to replace a lib folder of the user's", () => {
    const { from, to } = setUp();
    mkdirSync(join(to, "lib"), { recursive: true });
    expect(() => prepareWorkingCopy(from, to)).toThrow(/exists but is not a link to .*build\/lib: move it away/);
  });

  it("keep an edited copy when the committed notebook changes, and follow an unedited one", () => {
    const { from, to } = setUp();
    prepareWorkingCopy(from, to);
    writeFileSync(join(to, "01-a.ipynb"), notebook(["# A, my notes"]));
    // an unedited copy saved by JupyterLab: other outputs or metadata, the same cells
    writeFileSync(join(to, "02-b.ipynb"), JSON.stringify({ ...JSON.parse(notebook(["# B"])), metadata: { language_info: { name: "typescript" } } }));
    writeFileSync(join(from, "01-a.ipynb"), notebook(["# A, version 2"]));
    writeFileSync(join(from, "02-b.ipynb"), notebook(["# B, version 2"]));
    const report = prepareWorkingCopy(from, to);
    expect(report).toEqual({ created: [], updated: ["02-b.ipynb"], behind: ["01-a.ipynb"] });
    expect(readFileSync(join(to, "01-a.ipynb"), "utf8")).toContain("my notes");
    expect(readFileSync(join(to, "02-b.ipynb"), "utf8")).toContain("version 2");
  });

  it("are restored from the committed notebook, the edited version kept in backups/", () => {
    const { from, to } = setUp();
    prepareWorkingCopy(from, to);
    expect(copyState("01-a.ipynb", from, to)).toBe("same");
    expect(restore("01-a.ipynb", from, to)).toEqual({ outcome: "unchanged", backup: undefined });
    writeFileSync(join(to, "01-a.ipynb"), notebook(["# A, my notes"]));
    expect(copyState("01-a.ipynb", from, to)).toBe("edited");
    const { outcome, backup } = restore("01-a.ipynb", from, to);
    expect(outcome).toBe("restored");
    expect(backup && readFileSync(backup, "utf8")).toContain("my notes");
    expect(readFileSync(join(to, "01-a.ipynb"), "utf8")).toBe(readFileSync(join(from, "01-a.ipynb"), "utf8"));
    expect(existsSync(join(to, "backups", "lib"))).toBe(true);
    expect(readdirSync(join(to, "backups")).filter((f) => f.endsWith(".ipynb"))).toHaveLength(1);
  });
});
