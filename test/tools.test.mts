// The notebook tooling itself: the runner reports failures and refuses bad parameters, the
// strict type-check points at notebook cells, the output comparison catches an edited output,
// and the export typesets formulas and draws plots without any script.
import { describe, expect, it } from "vitest";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { compareOutputs } from "../tools/compare-outputs.mjs";
import { listNotebooks, parameterLiteral, parameters, readNotebook, text, type Notebook } from "../tools/ipynb.mjs";
import { typecheckNotebooks } from "../tools/typecheck-notebooks.mjs";
import { root, runTool } from "./run-tool.mjs";

const fixture = (name: string) => join(root, "test", "fixtures", name);
const firstNotebook = listNotebooks(join(root, "notebooks"))[0];

describe("npm run notebooks", () => {
  it("fails on a failing cell and names the notebook, the cell, its first line and the kernel's error", () => {
    const { status, out } = runTool("notebooks.mts", [fixture("failing-cell.ipynb"), "--out", mkdtempSync(join(tmpdir(), "nb-"))]);
    expect(status).toBe(1);
    expect(out).toContain("failing-cell.ipynb");
    expect(out).toContain("cell 3");
    expect(out).toContain("this cell subtracts a 3×1 bias");
    expect(out).toMatch(/sub: 4×3 vs 3×1/);
    expect(out).not.toContain("never reached");
  }, 120_000);

  it.each([
    ["batchsize=3", /has no parameter "batchsize"/],
    ["batchSize=0", /batchSize=0: out of range; expected \[int ≥ 1\]/],
    ["batchSize=2.5", /batchSize=2\.5: not a whole number/],
    ["batchSize=abc", /batchSize=abc: not a number/],
    ["seed=-1", /seed=-1: out of range/],
  ])("refuses --param %s before running anything", (param, message) => {
    const { status, out } = runTool("notebooks.mts", [fixture("failing-cell.ipynb"), "--param", param]);
    expect(status).toBe(2);
    expect(out).toMatch(message);
    expect(out).not.toContain("FAILED"); // nothing was executed
  });

  it("reads --param=name=value like --param name=value", () => {
    const { status, out } = runTool("notebooks.mts", [fixture("failing-cell.ipynb"), "--param=batchSize=0"]);
    expect(status).toBe(2);
    expect(out).toMatch(/batchSize=0: out of range/);
  });

  it("refuses --in-place with parameters: committed outputs are the defaults", () => {
    const { status, out } = runTool("notebooks.mts", [fixture("failing-cell.ipynb"), "--in-place", "--param", "batchSize=2"]);
    expect(status).toBe(2);
    expect(out).toContain("--in-place");
  });

  it("leaves a source notebook untouched when an in-place run fails", () => {
    const before = readFileSync(fixture("failing-cell.ipynb"), "utf8");
    const { status } = runTool("notebooks.mts", [fixture("failing-cell.ipynb"), "--in-place"], 120_000);
    expect(status).toBe(1);
    expect(readFileSync(fixture("failing-cell.ipynb"), "utf8")).toBe(before);
  }, 120_000);
});

describe("parameters cell", () => {
  const nb = readNotebook(fixture("failing-cell.ipynb"));
  it("reads names, kinds and bounds", () => {
    const ps = parameters(nb, "fixture");
    expect(ps.map((p) => [p.name, p.kind, p.bound?.op, p.bound?.value])).toEqual([["batchSize", "int", "≥", 1], ["seed", "int", "≥", 0]]);
  });
  it("turns good values into TypeScript literals", () => {
    const [batchSize] = parameters(nb, "fixture");
    expect(parameterLiteral(batchSize, "13")).toBe("13");
    expect(() => parameterLiteral(batchSize, "1e400")).toThrow(/finite/);
  });
  it("rejects a parameters cell that does not follow the convention", () => {
    const broken: Notebook = { ...nb, cells: nb.cells.map((c) => (c.metadata.tags?.includes("parameters") ? { ...c, source: "let k = 3;" } : c)) };
    expect(() => parameters(broken, "broken")).toThrow(/let name = value; \/\/ \[kind\] help/);
  });
});

describe("strict type-check of notebook cells", () => {
  it("reports a strict-mode error by notebook, cell and line", () => {
    const errors = typecheckNotebooks([fixture("type-error.ipynb")]);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ cell: 2, line: 2 });
    expect(errors[0].notebook).toContain("type-error.ipynb");
    expect(errors[0].message).toMatch(/implicitly has an 'any' type/);
  });
});

describe("committed outputs", () => {
  it("a hand-edited output is reported with a diff", () => {
    const nb = readNotebook(firstNotebook);
    const edited: Notebook = JSON.parse(JSON.stringify(nb)) as Notebook;
    const cell = edited.cells.find((c) => c.cell_type === "code" && (c.outputs ?? []).some((o) => o.output_type === "stream"));
    expect(cell, "the first notebook has a printed output").toBeDefined();
    const out = (cell?.outputs ?? []).find((o) => o.output_type === "stream");
    if (!out) throw new Error("unreachable");
    out.text = text(out.text).replace(/\d/, (d) => String((Number(d) + 1) % 10));
    expect(compareOutputs("nb", nb, nb)).toEqual([]);
    const diffs = compareOutputs("nb", edited, nb);
    expect(diffs).toHaveLength(1);
    expect(diffs[0]).toMatch(/^-.*\n\+/m);
  });
});

describe("npm run export", () => {
  it("writes static pages whose formulas are typeset and plots drawn, with no script", () => {
    const out = mkdtempSync(join(tmpdir(), "html-"));
    const { status, out: log } = runTool("export.mts", ["--out", out], 180_000);
    expect(status, log).toBe(0);
    expect(existsSync(join(out, "index.html"))).toBe(true);
    expect(existsSync(join(out, "katex", "katex.min.css"))).toBe(true);
    for (const path of listNotebooks(join(root, "notebooks"))) {
      const file = basename(path).replace(/\.ipynb$/, ".html");
      const page = readFileSync(join(out, file), "utf8");
      // What a reader sees: not the code (it spells TeX in strings), not KaTeX's hidden source annotation.
      const html = page.replace(/<pre class="source">[\s\S]*?<\/pre>|<annotation encoding="application\/x-tex">[\s\S]*?<\/annotation>/g, "");
      const raw = /\$\$|\\frac|<script/.exec(html);
      expect(html.includes('class="katex"'), `${file}: no typeset formula`).toBe(true);
      expect(raw && html.slice(Math.max(0, raw.index - 80), raw.index + 80), `${file}: raw TeX or a script`).toBeNull();
      expect(html.includes("katex-error"), `${file}: a KaTeX error mark`).toBe(false);
      expect(html.includes("<svg"), `${file}: no plot`).toBe(true);
    }
  }, 180_000);
});
