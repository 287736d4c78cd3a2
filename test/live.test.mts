import { describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { listNotebooks, readNotebook, text, type Notebook } from "../tools/ipynb.mjs";
import { runInNode } from "../tools/cells/node.mjs";
import {
  CellSyntaxError, compileCells, editedNotebook, hash, locate, parseSaved, restore, runOrder, stackLines, type LiveCell,
} from "../tools/live/work.mjs";
import { notebookModule } from "../tools/cells/module.mjs";
import { root, runTool } from "./run-tool.mjs";

const nb: Notebook = {
  nbformat: 4, nbformat_minor: 5, metadata: {},
  cells: [
    { cell_type: "markdown", metadata: {}, source: "# t" },
    { cell_type: "code", metadata: { tags: ["parameters"] }, source: "let batchSize = 5; // [int ≥ 1] K\nlet name = \"a\"; // [string] s" },
    { cell_type: "code", metadata: {}, source: "import {\n  Matrix,\n} from \"./lib/index.js\";\nimport { eq } from './lib/display.js';\n// a comment\nconst X = Matrix.ones(batchSize, 2);\neq`${X}`;" },
    { cell_type: "code", metadata: {}, source: "interface T { a: number }\nfunction f(t: T) { return t.a; }\nf({ a: 1 });" },
  ],
};

describe("notebookModule", () => {
  const source = notebookModule(nb, { src: "/abs/src", display: "/abs/display.ts" });

  it("hoists imports, pointing ./lib/ at the library and the display module at the browser adapter", () => {
    expect(source).toContain('import {\n  Matrix,\n} from "/abs/src/index.js";');
    expect(source).toContain('import { eq } from "/abs/display.ts";');
    expect(source.indexOf("import {\n  Matrix")).toBeLessThan(source.indexOf("async function run"));
  });

  it("keeps every cell's statements in order, each after __cell(index)", () => {
    const order = ["__cell(1);", "__cell(2);", "// a comment\nconst X", "__cell(3);", "interface T", "f({ a: 1 });"];
    const at = order.map((s) => source.indexOf(s));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });
});

describe("a live page's exercise", () => {
  it("has an editor in the answer cell, says how to answer there, and keeps the solution closed", () => {
    const dir = mkdtempSync(join(tmpdir(), "live-"));
    cpSync(join(root, "test", "fixtures", "chapter-sample.ipynb"), join(dir, "from", "chapter-sample.ipynb"));
    const built = runTool("live.mts", ["--from", join(dir, "from"), "--out", join(dir, "out")], 120_000);
    expect(built.status, built.out).toBe(0);
    const html = readFileSync(join(dir, "out", "chapter-sample.html"), "utf8");
    const answer = /<section class="cell code tag-answer"[^>]*>([\s\S]*?)<\/section>/.exec(html)?.[1] ?? "";
    expect(answer, "the answer cell's code is in its editor's place").toMatch(/<div class="editor" data-cell="\d+">[\s\S]*checkAnswer/);
    expect(answer).toMatch(/press <kbd>Shift<\/kbd>\+<kbd>Enter<\/kbd>/);
    expect(answer).toMatch(/<div class="outputs" id="out-\d+"><\/div>/); // where the verdict goes
    expect(answer, "JupyterLab's how-to lines are left out").not.toMatch(/✎|Run All Cells/);
    const solution = /<details class="solution">([\s\S]*?)<\/details>/.exec(html)?.[0] ?? "";
    expect(solution).toMatch(/^<details class="solution"><summary>Show the solution<\/summary>/);
    expect(solution.match(/<details/g)).toHaveLength(1); // the cell's own <details> is not nested inside
    expect(solution).toContain("myAnswer");
    // the checker's source is not on the page, only its outputs' box
    expect(html).toMatch(/<section class="cell code tag-checker" id="cell-\d+" data-cell="\d+"><div class="outputs" id="out-\d+"><\/div><\/section>/);
    const data = readFileSync(join(dir, "out", "chapter-sample.live.js"), "utf8");
    expect(data).toMatch(/^window\.LIVE = \{/);
    expect(data, "the page's notebook for Download carries no outputs").not.toMatch(/"output_type"/);
  }, 120_000);
});

const cell = (index: number, source: string, tags: string[] = [], prefix = ""): LiveCell =>
  ({ index, id: `id-${index}`, tags, source, prefix });

describe("the live page's work (tools/live/work.mts)", () => {
  const cells = [
    cell(1, "let batchSize = 5; // [int ≥ 1] K", ["parameters"]),
    cell(2, 'import { Matrix } from "./lib/index.js";\nconst X: Matrix = Matrix.ones(batchSize, 2);'),
    cell(4, "const t = 1;\nconsole.log(t);", ["varying-output"]),
    cell(5, "interface T { a: number }\nconst f = (v: T): number => v.a;\nf({ a: 2 });"),
  ];

  it("runs the cells tagged varying-output last", () => {
    expect(runOrder(cells).map((c) => c.index)).toEqual([1, 2, 5, 4]);
  });

  it("compiles the cells into one script that keeps every cell's lines, parameters from the form", () => {
    const { code, chunks } = compileCells(cells.map((c) => ({ cell: c, source: c.source })), ["batchSize"]);
    const lines = code.split("\n");
    expect(lines[0]).toContain('__enter(1);let batchSize = __params["batchSize"];');
    for (const ch of chunks) expect(lines[ch.start - 1]).toContain(`__enter(${ch.cell});`);
    const at5 = chunks.find((c) => c.cell === 5);
    expect(lines[at5?.start ?? 0]).toMatch(/^const f = \(v\) => v\.a;/); // types stripped, line kept
    expect(code).toMatch(/require\(['"]\.\/lib\/index\.js['"]\)/);
    expect(locate(chunks, (at5?.start ?? 0) + 2)).toEqual({ cell: 5, line: 3 });
    expect(locate(chunks, 999)).toBeUndefined();
  });

  it("names the cell and line of a syntax error", () => {
    const broken = [cells[1], cell(3, "const a = 1;\nconst b = (a;\n")];
    let error: unknown;
    try {
      compileCells(broken.map((c) => ({ cell: c, source: c.source })), []);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(CellSyntaxError);
    expect(error).toMatchObject({ cell: 3, line: 2 });
  });

  it("finds the frames of a stack trace in the page's script", () => {
    const url = "blob:null/1a-2b";
    const stack = "Error: x\n    at f (blob:null/1a-2b:12:5)\n    at lib (blob:null/other:3:1)\n    at blob:null/1a-2b:40:2";
    expect(stackLines(stack, url)).toEqual([12, 40]);
  });

  it("keeps an edit only on the committed source it was made on", () => {
    const saved = parseSaved(JSON.stringify({
      version: 1, older: {},
      cells: {
        "id-2": { edit: "edited 2", base: hash(cells[1].source) },
        "id-5": { edit: "edited 5", base: hash("an older version of cell 5") },
        "id-9": { edit: "edited 9", base: "0" },
      },
    }));
    const r = restore(cells, saved);
    expect([...r.edits]).toEqual([[2, "edited 2"]]);
    expect(r.conflicts).toEqual([{ cell: 5, edit: "edited 5" }]);
    expect(r.orphans).toEqual([{ id: "id-9", edit: "edited 9" }]);
    expect(saved.older["id-5"]?.edit, "kept until settled").toBe("edited 5");
    expect(parseSaved("not json")).toEqual({ version: 1, cells: {}, older: {} });
    expect(hash("a")).not.toBe(hash("b"));
  });

  it("writes the edited notebook: the form's values in the parameters cell, the answer's how-to kept", () => {
    const nb: Notebook = {
      nbformat: 4, nbformat_minor: 5, metadata: { kernelspec: { name: "tslab" } },
      cells: [
        { cell_type: "markdown", metadata: {}, source: "# t" },
        { cell_type: "code", metadata: { tags: ["parameters"] }, source: "let batchSize = 5; // [int ≥ 1] K\n", outputs: [] },
        { cell_type: "code", metadata: {}, source: "const a = 1;", outputs: [{ output_type: "stream", text: "x" }], execution_count: 3 },
        { cell_type: "code", metadata: { tags: ["answer"] }, source: "// how-to\nconst myAnswer = undefined;", outputs: [] },
      ],
    };
    const live = [cell(1, "", ["parameters"]), cell(2, "const a = 1;"), cell(3, "const myAnswer = undefined;", ["answer"], "// how-to\n")];
    const out = editedNotebook(nb, live, new Map([[2, "const a = 2;"], [3, "const myAnswer = 7;"]]), new Map([["batchSize", "7"]]));
    expect(out.cells.map((c) => text(c.source))).toEqual([
      "# t", "let batchSize = 7; // [int ≥ 1] K\n", "const a = 2;", "// how-to\nconst myAnswer = 7;",
    ]);
    expect(out.cells[2]).toMatchObject({ outputs: [], execution_count: null });
    expect(out.metadata).toEqual(nb.metadata);
    expect(() => editedNotebook(nb, live, new Map(), new Map([["seed", "1"]]))).toThrow(/declares no seed/);
  });

  it("leaves every notebook right when its varying-output cells run last", async () => {
    for (const path of listNotebooks(join(root, "notebooks"))) {
      const nb = readNotebook(path);
      const late = (c: Notebook["cells"][number]) => c.cell_type === "code" && (c.metadata.tags ?? []).includes("varying-output");
      if (!nb.cells.some(late)) continue;
      const reordered = { ...nb, cells: [...nb.cells.filter((c) => !late(c)), ...nb.cells.filter(late)] };
      const run = await runInNode(reordered, 120_000);
      expect(run.failure, `${path}: ${run.failure?.text}`).toBeUndefined();
    }
  }, 240_000);
});
