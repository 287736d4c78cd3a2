// Type-checks the code cells of notebooks under the project's strict tsconfig.
// tslab compiles cells with strict off and never reads tsconfig.json, so this is the only
// place notebook code meets `strict`. Each notebook becomes one virtual module (its code
// cells in order, the way the kernel runs them); errors are reported as notebook, cell, line.
import ts from "typescript";
import { join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { listNotebooks, NotebookError, readNotebook, text } from "./ipynb.mjs";
import { notebooksDir, root } from "./env.mjs";

export interface CellError { notebook: string; cell: number; line: number; message: string }

interface Virtual { notebook: string; source: string; cellAtLine: { cell: number; firstLine: number }[] }

function virtualModule(path: string): Virtual {
  const nb = readNotebook(path, relative(root, path));
  const cellAtLine: Virtual["cellAtLine"] = [];
  const parts: string[] = [];
  let line = 0;
  nb.cells.forEach((cell, index) => {
    if (cell.cell_type !== "code") return;
    const src = text(cell.source);
    cellAtLine.push({ cell: index, firstLine: line });
    parts.push(src);
    line += src.split("\n").length;
  });
  // `export {}` makes it a module, so top-level await and cell-local names behave as in the kernel.
  return { notebook: path, source: parts.join("\n") + "\nexport {};\n", cellAtLine };
}

export function typecheckNotebooks(paths: string[]): CellError[] {
  const config = ts.readConfigFile(join(root, "tsconfig.json"), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  // .mts: an ES module, as the kernel's top-level await needs.
  const virtuals = new Map(paths.map((p) => [p.replace(/\.ipynb$/, ".ipynb.mts"), virtualModule(p)]));
  const host = ts.createCompilerHost(options);
  const { fileExists, readFile, getSourceFile } = host;
  host.fileExists = (f) => virtuals.has(f) || fileExists(f);
  host.readFile = (f) => virtuals.get(f)?.source ?? readFile(f);
  host.getSourceFile = (f, lang, ...rest) => {
    const v = virtuals.get(f);
    return v ? ts.createSourceFile(f, v.source, lang) : getSourceFile(f, lang, ...rest);
  };
  const program = ts.createProgram([...virtuals.keys()], options, host);
  const errors: CellError[] = [];
  for (const d of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(d.messageText, "\n");
    const v = d.file && virtuals.get(d.file.fileName);
    if (!d.file || d.start === undefined || !v) {
      errors.push({ notebook: d.file ? relative(root, d.file.fileName) : "(project)", cell: -1, line: 0, message });
      continue;
    }
    const line = d.file.getLineAndCharacterOfPosition(d.start).line;
    const at = v.cellAtLine.filter((c) => c.firstLine <= line).at(-1) ?? v.cellAtLine[0];
    errors.push({ notebook: relative(root, v.notebook), cell: at.cell, line: line - at.firstLine + 1, message });
  }
  return errors;
}

export const formatError = (e: CellError): string =>
  e.cell < 0 ? `${e.notebook}: ${e.message}` : `${e.notebook} cell ${e.cell} line ${e.line}: ${e.message}`;

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const paths = process.argv.length > 2 ? process.argv.slice(2).map((p) => resolve(p)) : listNotebooks(notebooksDir);
  let errors: CellError[];
  try {
    errors = typecheckNotebooks(paths);
  } catch (e) {
    if (!(e instanceof NotebookError)) throw e;
    console.error(e.message);
    process.exit(2);
  }
  for (const e of errors) console.error(formatError(e));
  console.log(`type-checked ${paths.length} notebook(s) under strict: ${errors.length} error(s)`);
  process.exit(errors.length ? 1 : 0);
}
