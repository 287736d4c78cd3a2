// Type-checks the code cells of notebooks under the project's strict tsconfig.
// tslab compiles cells with strict off and never reads tsconfig.json, so this is the only
// place notebook code meets `strict`. Each notebook becomes one virtual module (its code
// cells in order, the way the kernel runs them); errors are reported as notebook, cell, line.
// A notebook with an exercise is checked a second time as its exercise run has it (the solution
// line in the answer cell, a `checkAnswer(…)` cell after it for each wrong answer): that run goes
// through the Node engine only, which checks no types, so its types are checked here.
import ts from "typescript";
import { join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { exerciseEdits, findExercise, listNotebooks, NotebookError, prepareRun, readNotebook, text, type Notebook } from "./ipynb.mjs";
import { notebooksDir, root } from "./env.mjs";

// cell: the cell's index in the file; where: set for the exercise run's own cells (the answer cell
// with the solution line, the wrong answers' checks)
export interface CellError { notebook: string; cell: number; line: number; message: string; where?: string }

interface Virtual { notebook: string; source: string; cellAtLine: { cell: number; firstLine: number; where?: string }[] }

function virtualModule(path: string, nb: Notebook, where = (i: number): { cell: number; where?: string } => ({ cell: i })): Virtual {
  const cellAtLine: Virtual["cellAtLine"] = [];
  const parts: string[] = [];
  let line = 0;
  nb.cells.forEach((cell, index) => {
    if (cell.cell_type !== "code") return;
    const src = text(cell.source);
    cellAtLine.push({ ...where(index), firstLine: line });
    parts.push(src);
    line += src.split("\n").length;
  });
  // `export {}` makes it a module, so top-level await and cell-local names behave as in the kernel.
  return { notebook: path, source: parts.join("\n") + "\nexport {};\n", cellAtLine };
}

// The notebook as committed, and as its exercise run has it when it has a well-formed exercise
// (one that is not is reported by the notebook tests).
function virtualModules(path: string): [string, Virtual][] {
  const nb = readNotebook(path, relative(root, path));
  const file = path.replace(/\.ipynb$/, ".ipynb.mts");
  const modules: [string, Virtual][] = [[file, virtualModule(path, nb)]];
  const ex = findExercise(nb);
  if (ex && ex.problems.length === 0) {
    const run = prepareRun(nb, exerciseEdits(ex));
    const where = (i: number) => {
      const origin = run.origin[i];
      return origin === ex.answerCell ? { cell: origin, where: "the exercise run, with the solution line" }
        : origin !== null ? { cell: origin } // as committed: its errors are the committed module's
        : { cell: ex.answerCell, where: `the exercise run, ${run.added[i] ?? "a cell the runner added"}: \`${text(run.nb.cells[i].source)}\`` };
    };
    modules.push([path.replace(/\.ipynb$/, ".ipynb.exercise.mts"), virtualModule(path, run.nb, where)]);
  }
  return modules;
}

export function typecheckNotebooks(paths: string[]): CellError[] {
  const config = ts.readConfigFile(join(root, "tsconfig.json"), ts.sys.readFile);
  const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, root);
  // .mts: an ES module, as the kernel's top-level await needs.
  const virtuals = new Map(paths.flatMap(virtualModules));
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
    errors.push({ notebook: relative(root, v.notebook), cell: at.cell, line: line - at.firstLine + 1, message,
      ...(at.where ? { where: at.where } : {}) });
  }
  // A cell the exercise run leaves as it is has its errors in both modules: each is reported once.
  const key = (e: CellError) => `${e.notebook}\0${e.cell}\0${e.line}\0${e.message}`;
  return errors.filter((e, i) => errors.findIndex((f) => key(f) === key(e)) === i);
}

export const formatError = (e: CellError): string =>
  e.cell < 0 ? `${e.notebook}: ${e.message}`
    : `${e.notebook} cell ${e.cell} line ${e.line}${e.where ? ` (${e.where})` : ""}: ${e.message}`;

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
  console.log(`type-checked ${paths.length} notebook(s) under strict, with their exercises' solutions and wrong answers too: ` +
    `${errors.length} error(s)`);
  process.exit(errors.length ? 1 : 0);
}
