// A notebook's code cells as one TypeScript module for the live pages: imports hoisted, the
// parameters cell replaced by values from the page's form, every cell's statements in order
// inside one async function (the cells share one scope, as in the kernel), each preceded by
// __cell(i) so that what it displays lands under cell i.
import ts from "typescript";
import { hasTag, text, type Notebook, type Parameter } from "../ipynb.mjs";

export interface ModulePaths {
  src: string; // absolute path of the library (what ./lib/ points to)
  display: string; // absolute path of the browser display adapter
}

// "./lib/display.js" → the adapter, "./lib/x.js" → src/x.ts
function rewrite(specifier: string, paths: ModulePaths): string {
  if (specifier === "./lib/display.js") return paths.display;
  if (specifier.startsWith("./lib/")) return `${paths.src}/${specifier.slice("./lib/".length)}`;
  return specifier;
}

// The literal that a parameter gets from the form: the form's values arrive as __params[name].
const paramLine = (p: Parameter): string => {
  const type = p.kind === "int" ? "number" : p.kind;
  return `let ${p.name}: ${type} = __params[${JSON.stringify(p.name)}] as ${type};`;
};

export function notebookModule(nb: Notebook, params: Parameter[], paths: ModulePaths): string {
  const imports: string[] = [];
  const body: string[] = [];
  nb.cells.forEach((cell, index) => {
    if (cell.cell_type !== "code") return;
    body.push(`__cell(${index});`);
    if (hasTag(cell, "parameters")) {
      body.push(...params.map(paramLine));
      return;
    }
    const source = text(cell.source);
    const file = ts.createSourceFile(`cell${index}.ts`, source, ts.ScriptTarget.ES2022, true);
    for (const statement of file.statements) {
      const spec = ts.isImportDeclaration(statement) ? statement.moduleSpecifier : undefined;
      if (spec && ts.isStringLiteral(spec)) {
        const to = JSON.stringify(rewrite(spec.text, paths));
        imports.push(source.slice(statement.getStart(), spec.getStart()) + to + source.slice(spec.getEnd(), statement.getEnd()));
      } else body.push(source.slice(statement.getFullStart(), statement.getEnd()));
    }
  });
  return [
    `import { __cell, __current, __post } from ${JSON.stringify(paths.display)};`,
    ...imports,
    "async function run(__params: Record<string, unknown>): Promise<void> {",
    ...body,
    "}",
    "// The worker: run with the form's values, then say done, or name the cell that failed.",
    "self.onmessage = async (e: MessageEvent<Record<string, unknown>>) => {",
    "  const start = performance.now();",
    "  try {",
    "    await run(e.data);",
    "    __post({ kind: \"done\", seconds: (performance.now() - start) / 1000 });",
    "  } catch (err) {",
    "    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);",
    "    __post({ kind: \"error\", cell: __current(), data: message });",
    "  }",
    "};",
    "",
  ].join("\n");
}
