// A notebook's code cells as one TypeScript module that runs as a Web Worker: imports hoisted,
// every cell's statements in order inside one async function (the cells share one scope, as in
// the kernel), each preceded by __cell(i) so that what it displays lands under cell i. The Node
// engine runs it in a worker thread (tools/cells/node.mts); the live pages build theirs in the
// browser from the cells as edited (tools/live/work.mts).
import ts from "typescript";
import { text, type Notebook } from "../ipynb.mjs";

export interface ModulePaths {
  src: string; // absolute path of the library (what ./lib/ points to)
  display: string; // absolute path of the display adapter (display.mts)
}

// "./lib/display.js" → the adapter, "./lib/x.js" → src/x.ts
function rewrite(specifier: string, paths: ModulePaths): string {
  if (specifier === "./lib/display.js") return paths.display;
  if (specifier.startsWith("./lib/")) return `${paths.src}/${specifier.slice("./lib/".length)}`;
  return specifier;
}

// The cells as written, the parameters cell included.
export function notebookModule(nb: Notebook, paths: ModulePaths): string {
  const imports: string[] = [];
  const body: string[] = [];
  nb.cells.forEach((cell, index) => {
    if (cell.cell_type !== "code") return;
    body.push(`__cell(${index});`);
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
    "// The worker: run, then say done, or name the cell that failed.",
    "self.onmessage = async (e: MessageEvent<Record<string, unknown>>) => {",
    "  const start = performance.now();",
    "  try {",
    "    await run(e.data);",
    "    __post({ kind: \"done\", seconds: (performance.now() - start) / 1000 });",
    "  } catch (err) {",
    "    const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);",
    "    const stack = err instanceof Error ? err.stack : undefined;",
    "    __post({ kind: \"error\", cell: __current(), data: message, stack });",
    "  }",
    "};",
    "",
  ].join("\n");
}
