import { describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parameters, type Notebook } from "../tools/ipynb.mjs";
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
  const source = notebookModule(nb, { src: "/abs/src", display: "/abs/display.ts" }, parameters(nb, "t"));

  it("hoists imports, pointing ./lib/ at the library and the display module at the browser adapter", () => {
    expect(source).toContain('import {\n  Matrix,\n} from "/abs/src/index.js";');
    expect(source).toContain('import { eq } from "/abs/display.ts";');
    expect(source.indexOf("import {\n  Matrix")).toBeLessThan(source.indexOf("async function run"));
  });

  it("replaces the parameters cell by the form's values, typed by kind", () => {
    expect(source).toContain('let batchSize: number = __params["batchSize"] as number;');
    expect(source).toContain('let name: string = __params["name"] as string;');
    expect(source).not.toContain("let batchSize = 5");
  });

  it("keeps every cell's statements in order, each after __cell(index)", () => {
    const order = ["__cell(1);", "__cell(2);", "// a comment\nconst X", "__cell(3);", "interface T", "f({ a: 1 });"];
    const at = order.map((s) => source.indexOf(s));
    expect(at.every((i) => i >= 0)).toBe(true);
    expect([...at].sort((a, b) => a - b)).toEqual(at);
  });
});

describe("a live page's exercise", () => {
  it("says the exercise is answered in JupyterLab, with the command, and keeps the solution closed", () => {
    const dir = mkdtempSync(join(tmpdir(), "live-"));
    cpSync(join(root, "test", "fixtures", "chapter-sample.ipynb"), join(dir, "from", "chapter-sample.ipynb"));
    const built = runTool("live.mts", ["--from", join(dir, "from"), "--out", join(dir, "out")], 120_000);
    expect(built.status, built.out).toBe(0);
    const html = readFileSync(join(dir, "out", "chapter-sample.html"), "utf8");
    const answer = /<section class="code answer">([\s\S]*?)<\/section>/.exec(html)?.[1] ?? "";
    expect(answer, "the answer cell's code is shown").toContain("checkAnswer");
    expect(answer).toMatch(/To answer, open the notebook in JupyterLab \(<code>npm start<\/code>\), run <em>Run → Run All Cells<\/em>/);
    // where nothing can be edited, nothing else tells the reader to edit or run a cell
    const elsewhere = html.replace(/<p class="live-note answer-elsewhere">[\s\S]*?<\/p>/, "").replace(/<[^>]+>/g, "");
    expect(elsewhere).not.toMatch(/✎|[Rr]eplace `?undefined|run (this|the) cell|Not answered yet/);
    expect(html).not.toMatch(/id="out-13"/); // the answer's "not answered yet" verdict is not drawn
    const solution = /<details class="solution">([\s\S]*?)<\/details>/.exec(html)?.[0] ?? "";
    expect(solution).toMatch(/^<details class="solution"><summary>Show the solution<\/summary>/);
    expect(solution.match(/<details/g)).toHaveLength(1); // the cell's own <details> is not nested inside
    expect(solution).toContain("myAnswer");
  }, 120_000);
});
