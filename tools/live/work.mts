// What a live page does with the learner's code, apart from the DOM (tested by test/live.test.mts):
// the notebook's code cells with their edits as one script for a Web Worker, an error's place in
// it as a cell and a line, the edits kept in the browser's storage, and the edited notebook as
// an .ipynb file.
import { transform } from "sucrase";
import { hasTag, text, withParameters, type Cell, type Notebook } from "../nbformat.mjs";

// A code cell as the page has it. source: what its editor starts from (the committed source; for
// the answer cell without its leading JupyterLab how-to comments, which are `prefix`).
export interface LiveCell {
  index: number; // in the notebook
  id: string; // the cell's nbformat id, else `cell-<index>`
  tags: string[];
  source: string;
  prefix: string;
}

// A cell's source that does not compile: its line (1-based, as the editor numbers them) and column.
export class CellSyntaxError extends Error {
  constructor(readonly cell: number, readonly line: number, readonly column: number, message: string) {
    super(message);
    this.name = "SyntaxError";
  }
}

// 53-bit string hash (cyrb53), as 14 hex digits: tells whether a committed source changed.
export function hash(s: string): string {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return (4294967296 * (2097151 & h2) + (h1 >>> 0)).toString(16).padStart(14, "0");
}

// The order the cells run in: as in the notebook, except that cells tagged `varying-output` (timings,
// whose numbers change from run to run) run after all the others, in their order, so that everything
// else shows first. Nothing after them may use what they define (test/live.test.mts checks this).
export function runOrder(cells: LiveCell[]): LiveCell[] {
  const late = (c: LiveCell) => c.tags.includes("varying-output");
  return [...cells.filter((c) => !late(c)), ...cells.filter(late)];
}

// Where each cell's code starts in the compiled script: compiled line `start` is the cell's line 1.
export interface Chunk { cell: number; start: number; lines: number }

export interface Script {
  code: string; // plain JavaScript, CommonJS requires of ./lib/index.js and ./lib/display.js
  chunks: Chunk[];
}

const checkSyntax = (cell: number, source: string): void => {
  try {
    transform(source, { transforms: ["typescript"], disableESTransforms: true });
  } catch (e) {
    const loc = (e as { loc?: { line: number; column: number } }).loc;
    const message = (e instanceof Error ? e.message : String(e)).replace(/\s*\(\d+:\d+\)$/, "");
    throw new CellSyntaxError(cell, loc?.line ?? 1, (loc?.column ?? 0) + 1, message);
  }
};

// The cells (in run order, each with its current source) as one script: each cell's code is
// preceded, on its first line, by `__enter(index);`, the parameters cell becomes one
// `let name = __params["name"];` a knob. Types are stripped and imports become requires by
// sucrase, which keeps every line where it was. Throws CellSyntaxError naming the first cell (in
// run order) that does not parse on its own.
export function compileCells(cells: { cell: LiveCell; source: string }[], knobs: string[]): Script {
  const parts: string[] = [];
  const chunks: Chunk[] = [];
  let line = 1;
  for (const { cell, source } of cells) {
    const body = cell.tags.includes("parameters")
      ? knobs.map((k) => `let ${k} = __params[${JSON.stringify(k)}];`).join("\n")
      : source;
    if (!cell.tags.includes("parameters")) checkSyntax(cell.index, source);
    const lines = body.split("\n").length;
    chunks.push({ cell: cell.index, start: line, lines });
    parts.push(`__enter(${cell.index});${body}`);
    line += lines;
  }
  const joined = parts.join("\n");
  let code: string;
  try {
    code = transform(joined, { transforms: ["typescript", "imports"], disableESTransforms: true }).code;
  } catch (e) {
    // each cell parses alone, but not together (say, a declaration repeated in two cells)
    const loc = (e as { loc?: { line: number; column: number } }).loc;
    const at = locate(chunks, loc?.line ?? 1);
    const message = (e instanceof Error ? e.message : String(e)).replace(/\s*\(\d+:\d+\)$/, "");
    throw new CellSyntaxError(at?.cell ?? chunks[0]?.cell ?? 0, at?.line ?? 1, (loc?.column ?? 0) + 1, message);
  }
  return { code, chunks };
}

// The cell and line (1-based) of a line of the compiled script, or undefined when it is outside
// every cell's code.
export function locate(chunks: Chunk[], compiledLine: number): { cell: number; line: number } | undefined {
  const c = chunks.find((k) => compiledLine >= k.start && compiledLine < k.start + k.lines);
  return c && { cell: c.cell, line: compiledLine - c.start + 1 };
}

// The lines of a stack trace's frames that are in the script at `url` (innermost first).
export function stackLines(stack: string, url: string): number[] {
  const escaped = url.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  return [...stack.matchAll(new RegExp(`${escaped}:(\\d+):\\d+`, "g"))].map((m) => Number(m[1]));
}

// ---------------------------------------------------------------------------------------------
// The edits kept in the browser: localStorage[STORAGE_PREFIX + notebook] holds, per cell id, the
// edited source and the hash of the committed source it was made on.

export const STORAGE_PREFIX = "backprop-by-hand:live:";
// `older` holds edits made on an older version of their cell, kept until the learner settles them.
export interface Kept { edit: string; base: string }
export interface Saved { version: 1; cells: Record<string, Kept>; older: Record<string, Kept> }

export function parseSaved(raw: string | null): Saved {
  try {
    const v = JSON.parse(raw ?? "") as Partial<Saved>;
    if (v && v.version === 1 && v.cells && typeof v.cells === "object") return { version: 1, cells: v.cells, older: v.older ?? {} };
  } catch {
    // nothing kept, or not ours: start afresh
  }
  return { version: 1, cells: {}, older: {} };
}

export interface Restored {
  edits: Map<number, string>; // cell index → the edit, made on the committed source the page has
  conflicts: { cell: number; edit: string }[]; // edits made on an older version of that cell
  orphans: { id: string; edit: string }[]; // edits of cells this notebook no longer has
}

// Splits what was kept: an edit applies only when the cell's committed source is the one it was
// made on; otherwise it is a conflict the learner settles ("Use my edit" or "Discard"), and moves
// to saved.older until then (saved is changed in place).
export function restore(cells: LiveCell[], saved: Saved): Restored {
  const r: Restored = { edits: new Map(), conflicts: [], orphans: [] };
  for (const [id, kept] of Object.entries(saved.cells)) {
    const cell = cells.find((c) => c.id === id);
    if (!cell) r.orphans.push({ id, edit: kept.edit });
    else if (kept.base === hash(cell.source)) r.edits.set(cell.index, kept.edit);
    else {
      saved.older[id] = kept;
      delete saved.cells[id];
    }
  }
  for (const [id, kept] of Object.entries(saved.older)) {
    const cell = cells.find((c) => c.id === id);
    if (cell) r.conflicts.push({ cell: cell.index, edit: kept.edit });
    else r.orphans.push({ id, edit: kept.edit });
  }
  return r;
}

// ---------------------------------------------------------------------------------------------

// The notebook with the page's edits, for JupyterLab: each edited code cell's source replaced (the
// answer cell keeps its how-to comments), the parameters cell carrying the form's values
// (name → TypeScript literal), every code cell's outputs cleared. Throws when a value names a
// knob the parameters cell does not declare.
export function editedNotebook(nb: Notebook, cells: LiveCell[], edits: Map<number, string>, values: Map<string, string>): Notebook {
  const byIndex = new Map(cells.map((c) => [c.index, c]));
  const out = nb.cells.map((c, i): Cell => {
    if (c.cell_type !== "code") return c;
    const live = byIndex.get(i);
    const edit = edits.get(i);
    let source = text(c.source);
    if (hasTag(c, "parameters")) source = withParameters(source, values);
    else if (live && edit !== undefined) source = live.prefix + edit;
    return { ...c, source: toLines(source), outputs: [], execution_count: null };
  });
  return { ...nb, cells: out };
}

// A source as nbformat stores it: lines, each but the last with its "\n".
const toLines = (s: string): string[] => s.split(/(?<=\n)/);
