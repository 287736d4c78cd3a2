// The parts of the .ipynb format (nbformat 4) the tools read, and the parameters-cell convention.
import { readFileSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import {
  ANSWER_LINE, hasTag, NOT_YET, RIGHT, SHOW_SOLUTION, SOLUTION_LINE, solutionBody, text, withParameters, WRONG_TAG,
  type Cell, type Notebook, type Output,
} from "./nbformat.mjs";

export * from "./nbformat.mjs";

// A file that cannot be read as a notebook; the message is one line that names the file.
export class NotebookError extends Error {
  override name = "NotebookError";
}

export function readNotebook(path: string, name = path): Notebook {
  const bad = (why: string) => new NotebookError(`${name}: ${why}`);
  let raw: string;
  try {
    if (statSync(path).isDirectory()) throw bad("is a directory, not a notebook file");
    raw = readFileSync(path, "utf8");
  } catch (e) {
    if (e instanceof NotebookError) throw e;
    throw bad(`cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (!raw.trim()) throw bad("is empty, not a notebook");
  let nb: unknown;
  try {
    nb = JSON.parse(raw);
  } catch (e) {
    throw bad(`is not a notebook: not valid JSON (${(e as Error).message.split("\n")[0]})`);
  }
  const cells = (nb as Partial<Notebook> | null)?.cells;
  if (typeof nb !== "object" || nb === null || !Array.isArray(cells) || cells.some((c) => typeof c !== "object" || c === null)) {
    throw bad("is not a notebook: no list of cells");
  }
  for (const c of cells) c.metadata ??= {};
  return nb as Notebook;
}

// The series' notebooks, in reading order.
export function listNotebooks(dir: string): string[] {
  return readdirSync(dir).filter((f) => f.endsWith(".ipynb")).sort().map((f) => join(dir, f));
}

// A parameters cell holds one declaration a line, its kind in brackets at the start of the comment:
//   let batchSize = 8; // [int ≥ 1] samples per mini-batch (K)
// Kinds: int, number, boolean, string; int and number may carry a lower bound (≥ or >) and an
// upper one after a comma (≤ or <):  [int ≥ 1]  [number > 0, ≤ 100]
export interface Parameter {
  name: string;
  kind: "int" | "number" | "boolean" | "string";
  bound?: { op: "≥" | ">"; value: number };
  upper?: { op: "≤" | "<"; value: number };
  defaultSource: string;
  help: string;
}

const NUM = "(-?\\d+(?:\\.\\d+)?(?:e[+-]?\\d+)?)";
const declaration = new RegExp(
  "^let\\s+([A-Za-z_]\\w*)\\s*(?::\\s*\\w+\\s*)?=\\s*(.+?);\\s*\\/\\/\\s*\\[(int|number|boolean|string)" +
    `\\s*(?:(≥|>)\\s*${NUM})?\\s*(?:,\\s*(≤|<)\\s*${NUM})?\\]\\s*(.*)$`,
);

// "[int ≥ 1, ≤ 500]", as the parameters cell writes it.
export const domain = (p: Parameter): string =>
  `[${p.kind}${p.bound ? ` ${p.bound.op} ${p.bound.value}` : ""}${p.upper ? `, ${p.upper.op} ${p.upper.value}` : ""}]`;

export const hasParametersCell = (nb: Notebook): boolean =>
  nb.cells.some((c) => c.cell_type === "code" && hasTag(c, "parameters"));

export function parameters(nb: Notebook, path: string): Parameter[] {
  const cells = nb.cells.filter((c) => c.cell_type === "code" && hasTag(c, "parameters"));
  if (cells.length !== 1) throw new Error(`${path}: expected exactly one code cell tagged "parameters", found ${cells.length}`);
  const params: Parameter[] = [];
  for (const line of text(cells[0].source).split("\n")) {
    if (!line.trim() || line.trim().startsWith("//")) continue;
    const m = declaration.exec(line.trim());
    if (!m) throw new Error(`${path}: parameters cell line is not \`let name = value; // [kind] help\`: ${line}`);
    const [, name, defaultSource, kind, op, bound, upOp, up, help] = m;
    params.push({
      name, defaultSource, help,
      kind: kind as Parameter["kind"],
      bound: op ? { op: op as "≥" | ">", value: Number(bound) } : undefined,
      upper: upOp ? { op: upOp as "≤" | "<", value: Number(up) } : undefined,
    });
  }
  return params;
}

// Checks a value given on the command line against the parameter's kind; returns the
// TypeScript literal to assign, or throws an Error that says what was expected.
export function parameterLiteral(p: Parameter, raw: string): string {
  const expected = domain(p);
  const bad = (why: string) => new Error(`--param ${p.name}=${raw}: ${why}; expected ${expected} (${p.help})`);
  switch (p.kind) {
    case "boolean":
      if (raw !== "true" && raw !== "false") throw bad("not true or false");
      return raw;
    case "string":
      return JSON.stringify(raw);
    case "int":
    case "number": {
      if (!/^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i.test(raw.trim())) throw bad("not a number");
      const v = Number(raw);
      if (!Number.isFinite(v)) throw bad("not a finite number");
      if (p.kind === "int" && !Number.isSafeInteger(v)) throw bad("not a whole number");
      if (p.bound && !(p.bound.op === "≥" ? v >= p.bound.value : v > p.bound.value)) {
        throw bad(`out of range (must be ${p.bound.op} ${p.bound.value})`);
      }
      if (p.upper && !(p.upper.op === "≤" ? v <= p.upper.value : v < p.upper.value)) {
        throw bad(`out of range (must be ${p.upper.op} ${p.upper.value})`);
      }
      return String(v);
    }
  }
}

// The knob sweep (issue 13): every documented value must work, so each knob is tried, one at a
// time with the others at their defaults, at its documented minimum, at a few times its default
// (ints ×3 rounded, numbers ×4) and at its documented maximum. An exclusive bound (> a, < b) of
// a number is approached to 1/100 of its distance from the default; of an int, it is a ± 1.
// `seed` is tried at its minimum and maximum only, capped at 2^32 − 1 (the Rng's range). Values
// equal to the default are skipped.
export const SEED_MAX = 4294967295;

export interface SweepPoint {
  name: string;
  value: string;
  why: "minimum" | "maximum" | "a few times the default" | "the other value" | "extra";
}

export function sweepPoints(params: Parameter[]): SweepPoint[] {
  const points: SweepPoint[] = [];
  const add = (p: Parameter, v: number | string, why: SweepPoint["why"]) => {
    const value = typeof v === "number" ? String(p.kind === "int" ? v : Number(v.toPrecision(12))) : v;
    if (value === String(Number(p.defaultSource)) || value === p.defaultSource) return;
    if (points.some((q) => q.name === p.name && q.value === value)) return;
    if (typeof v === "number" && (!Number.isFinite(v) || (p.kind === "int" && !Number.isSafeInteger(v)))) return;
    points.push({ name: p.name, value, why });
  };
  for (const p of params) {
    if (p.kind === "boolean") {
      add(p, p.defaultSource === "true" ? "false" : "true", "the other value");
      continue;
    }
    if (p.kind === "string") continue;
    const d = Number(p.defaultSource);
    if (!Number.isFinite(d)) continue; // a default computed from an expression: no scale to go by
    const int = p.kind === "int";
    if (p.bound) {
      const a = p.bound.value;
      const min = p.bound.op === "≥" ? (int ? Math.ceil(a) : a) : int ? Math.floor(a) + 1 : a + Math.abs(d - a) / 100;
      add(p, min, "minimum");
    }
    let max: number | undefined;
    if (p.upper) {
      const b = p.upper.value;
      max = p.upper.op === "≤" ? (int ? Math.floor(b) : b) : int ? Math.ceil(b) - 1 : b - Math.abs(b - d) / 100;
      if (p.name === "seed") max = Math.min(max, SEED_MAX);
    }
    const times = d === 0 ? (int ? 3 : 1) : int ? Math.round(3 * d) : 4 * d;
    // Another seed is other data, not a larger setting: its minimum and maximum are the other seeds.
    if (p.name !== "seed" && (max === undefined || (p.upper?.op === "≤" ? times <= max : times < (p.upper?.value ?? Infinity)))) {
      add(p, times, "a few times the default");
    }
    if (max !== undefined) add(p, max, "maximum");
  }
  return points;
}

// No code line over this many characters (issue 12).
export const MAX_LINE = 100;

export function longLines(nb: Notebook, max = MAX_LINE): { cell: number; line: number; length: number }[] {
  const found: { cell: number; line: number; length: number }[] = [];
  nb.cells.forEach((cell, index) => {
    if (cell.cell_type !== "code") return;
    text(cell.source).split("\n").forEach((l, i) => {
      if ([...l].length > max) found.push({ cell: index, line: i + 1, length: [...l].length });
    });
  });
  return found;
}

// Everything a cell showed, as text: streams, Markdown, plain text, errors.
export function outputText(cell: Cell): string {
  return (cell.outputs ?? []).map((o) => {
    if (o.output_type === "stream" || o.output_type === "error") return text(o.text);
    const data = o.data ?? {};
    return ["text/markdown", "text/plain", "text/latex"].map((m) => (typeof data[m] === "string" || Array.isArray(data[m]) ? text(data[m] as string) : "")).join("\n");
  }).join("\n");
}

// The exercise convention (issue 12): an answer cell tagged `answer` holding the placeholder line,
// whose metadata lists wrong answers and the hint each must get; a Markdown cell tagged
// `solution` with a ```ts block of exactly the solution line, all of it inside a closed
// <details> block (JupyterLab renders a Markdown cell in full when it runs, collapsed or not):
//   <details><summary>Show the solution</summary>
//
//   ```ts
//   const myAnswer: Matrix | undefined = …;
//   ```
//
//   Why it is right, in Markdown.
//
//   </details>
// The blank line after the summary makes the rest Markdown again inside the HTML block.
export interface WrongAnswer { answer: string; hint: string }
export interface Exercise {
  answerCell: number;
  answerSource: string;
  solutionLine?: string;
  wrong: WrongAnswer[];
  problems: string[]; // what does not follow the convention; empty when it does
}

export function findExercise(nb: Notebook): Exercise | undefined {
  const answers = nb.cells.map((c, i) => ({ c, i })).filter(({ c }) => hasTag(c, "answer"));
  if (!answers.length) return undefined;
  const problems: string[] = [];
  if (answers.length > 1) problems.push(`${answers.length} cells are tagged "answer"; one is expected`);
  const { c: cell, i: answerCell } = answers[0];
  const answerSource = text(cell.source);
  if (cell.cell_type !== "code") problems.push(`the cell tagged "answer" (cell ${answerCell}) is not a code cell`);
  if (!answerSource.split("\n").some((l) => l.trim() === ANSWER_LINE)) {
    problems.push(`the answer cell (cell ${answerCell}) does not hold the line \`${ANSWER_LINE}\` (no solution is shipped)`);
  }
  const solutions = nb.cells.filter((c) => hasTag(c, "solution"));
  let solutionLine: string | undefined;
  if (solutions.length !== 1 || solutions[0].cell_type !== "markdown") {
    problems.push(`expected one Markdown cell tagged "solution", found ${solutions.length}`);
  } else {
    if (solutionBody(text(solutions[0].source)) === undefined) {
      problems.push(`the solution cell must hold its solution between \`<details><summary>${SHOW_SOLUTION}</summary>\` and a blank ` +
        "line, and `</details>` on a line of its own, so that running the cell does not show it");
    }
    const blocks = [...text(solutions[0].source).matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1].trim());
    if (blocks.length !== 1 || blocks[0].includes("\n") || !SOLUTION_LINE.test(blocks[0])) {
      problems.push("the solution cell needs one ```ts block of exactly one line `const myAnswer: Matrix | undefined = <expr>;`");
    } else solutionLine = blocks[0];
  }
  const raw = (cell.metadata.exercise as { wrong?: unknown } | undefined)?.wrong;
  const wrong: WrongAnswer[] = [];
  if (!Array.isArray(raw) || raw.length < 2 || raw.length > 6) {
    problems.push("the answer cell's metadata.exercise.wrong must list 2–6 {answer, hint} entries");
  }
  for (const [k, w] of (Array.isArray(raw) ? raw : []).entries()) {
    const { answer, hint } = (w ?? {}) as Partial<WrongAnswer>;
    if (typeof answer !== "string" || !answer.trim() || typeof hint !== "string" || !hint) {
      problems.push(`metadata.exercise.wrong[${k}] needs a non-empty "answer" and "hint"`);
      continue;
    }
    try {
      new RegExp(hint);
    } catch {
      problems.push(`metadata.exercise.wrong[${k}].hint is not a valid regular expression: ${hint}`);
      continue;
    }
    wrong.push({ answer, hint });
  }
  return { answerCell, answerSource, solutionLine, wrong, problems };
}

// How the exercise run changes the notebook: the answer line becomes the solution line, and one
// cell after the answer cell checks each wrong answer.
export function exerciseEdits(ex: Exercise): { replace: { cell: number; source: string }; append: { after: number; sources: string[]; tag: string } } {
  if (!ex.solutionLine) throw new Error("the exercise has no solution line");
  const solution = ex.solutionLine;
  const source = ex.answerSource.split("\n").map((l) => (l.trim() === ANSWER_LINE ? l.replace(ANSWER_LINE, solution) : l)).join("\n");
  return {
    replace: { cell: ex.answerCell, source },
    append: { after: ex.answerCell, tag: WRONG_TAG, sources: ex.wrong.map((w) => `checkAnswer(${w.answer});`) },
  };
}

// After the exercise run: the solution is judged right and each wrong answer gets its hint.
export function exerciseVerdicts(executed: Notebook, ex: Exercise): string[] {
  const problems: string[] = [];
  const answer = executed.cells.find((c) => hasTag(c, "answer"));
  const said = answer ? outputText(answer).trim() : "";
  if (!said.includes(RIGHT)) problems.push(`with the solution line, the answer cell says ${JSON.stringify(said.slice(0, 200))}, not "${RIGHT}"`);
  const checks = executed.cells.filter((c) => hasTag(c, WRONG_TAG));
  ex.wrong.forEach((w, k) => {
    const verdict = checks[k] ? outputText(checks[k]).trim() : "(not run)";
    if (!verdict.includes(NOT_YET) || !new RegExp(w.hint).test(verdict)) {
      problems.push(`wrong answer \`${w.answer}\` got ${JSON.stringify(verdict.slice(0, 200))}; expected "${NOT_YET}" and /${w.hint}/`);
    }
  });
  return problems;
}

// What a run changes in a notebook before executing it.
export interface RunEdits {
  params?: Map<string, string>; // new values for the parameters cell: name → TypeScript literal (--param)
  replace?: { cell: number; source: string }; // a new source for one cell (the exercise's answer)
  append?: { after: number; sources: string[]; tag: string }; // cells to put after one cell, tagged
}

// The notebook a run executes, with every code cell's outputs cleared (an executed copy shows only
// what that run produced) and the parameters cell rewritten to the run's values; origin[i] is cell
// i's index in the file, or null for a cell the runner added, which added[i] describes (a failure is
// reported against the file's numbering).
export function prepareRun(nb: Notebook, e: RunEdits): { nb: Notebook; origin: (number | null)[]; added: (string | undefined)[] } {
  const entry = (cell: Cell, origin: number | null, added?: string) => ({ cell, origin, added });
  const newCell = (source: string, tag: string, at: number): Cell =>
    ({ cell_type: "code", id: `runner-${tag}-${at}`, metadata: { tags: [tag] }, source, outputs: [], execution_count: null });
  const params = e.params?.size ? e.params : undefined;
  if (params && !hasParametersCell(nb)) throw new Error("the notebook has no code cell tagged \"parameters\" to give the --param values to");
  const sourceOf = (c: Cell, i: number): string | string[] =>
    e.replace?.cell === i ? e.replace.source : params && hasTag(c, "parameters") ? withParameters(text(c.source), params) : c.source;
  const cells = nb.cells.map((c, i) => entry(
    c.cell_type === "code" ? { ...c, source: sourceOf(c, i), outputs: [], execution_count: null } : c,
    i,
  ));
  if (e.append) {
    const { after, sources, tag } = e.append;
    cells.splice(after + 1, 0, ...sources.map((s, k) => entry(newCell(s, tag, k), null, `check ${k + 1} the runner appended after cell ${after}`)));
  }
  return { nb: { ...nb, cells: cells.map((c) => c.cell) }, origin: cells.map((c) => c.origin), added: cells.map((c) => c.added) };
}
