import { describe, expect, it } from "vitest";
import { parameters, type Notebook } from "../tools/ipynb.mjs";
import { notebookModule } from "../tools/cells/module.mjs";

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
