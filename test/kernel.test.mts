// The tslab kernel as JupyterLab starts it (jupyter/kernels/tslab: tools/kernel.mjs, then tslab
// with the project's patch) on the compiled library in build/lib: a learner's type error still
// fails the cell, and completions and hover still answer from the library's types.
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { jupyterEnv, libDir, notebooksDir, python, srcDir } from "../tools/env.mjs";
import { libraryIsCurrent } from "../tools/library.mjs";
import { root } from "./run-tool.mjs";

interface Reply { status: string; stderr: string }
interface Probe {
  import: Reply; typeError: Reply; afterError: Reply;
  completeStatic: { matches: string[] }; complete: { matches: string[] };
  hover: { found: boolean; data: { "text/plain"?: string } };
}

const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)]);

describe("the kernel's library", () => {
  it("is compiled from the current src/, a .js and a .d.ts for every source file", () => {
    expect(libraryIsCurrent()).toBe(true);
    const missing = files(srcDir).filter((f) => f.endsWith(".ts")).flatMap((f) => {
      const out = join(libDir, relative(srcDir, f)).replace(/\.ts$/, "");
      return [`${out}.js`, `${out}.d.ts`].filter((o) => !existsSync(o));
    });
    expect(missing).toEqual([]);
  });
});

describe("the tslab kernel", () => {
  it("fails a cell with a type error, completes Matrix's members and shows their types", () => {
    const r = spawnSync(python, [join(root, "test", "kernel-probe.py"), notebooksDir], {
      env: jupyterEnv(), encoding: "utf8", timeout: 240_000,
    });
    expect(r.status, r.stderr).toBe(0);
    const p = JSON.parse(r.stdout) as Probe;
    expect(p.import).toEqual({ status: "ok", stderr: "" });
    expect(p.typeError.status).toBe("error");
    expect(p.typeError.stderr).toMatch(/is not assignable to type 'number'/);
    expect(p.afterError.status).toBe("ok");
    expect(p.completeStatic.matches).toEqual(expect.arrayContaining(["zeros", "ones", "fill", "fromRows"]));
    expect(p.complete.matches).toEqual(expect.arrayContaining(["sum", "mul", "rows", "cols", "T"]));
    expect(p.hover.found).toBe(true);
    expect(p.hover.data["text/plain"]).toBe("(method) Matrix.sum(axis: 0 | 1): Matrix");
  }, 300_000);
});
