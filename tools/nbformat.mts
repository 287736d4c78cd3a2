// The parts of the .ipynb format (nbformat 4) that both Node and the live pages' browser code read:
// the types, the exercise's conventions and the parameters cell's rewriting. No Node module here.

export interface Output {
  output_type: "stream" | "display_data" | "execute_result" | "error";
  name?: "stdout" | "stderr";
  text?: string | string[];
  data?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}
export interface Cell {
  id?: string;
  cell_type: "code" | "markdown" | "raw";
  source: string | string[];
  metadata: { tags?: string[]; [key: string]: unknown };
  outputs?: Output[];
  execution_count?: number | null;
}
export interface Notebook {
  cells: Cell[];
  metadata: Record<string, unknown>;
  nbformat: number;
  nbformat_minor: number;
}

export const text = (s: string | string[] | undefined): string => (Array.isArray(s) ? s.join("") : s ?? "");
export const hasTag = (cell: Cell, tag: string): boolean => (cell.metadata.tags ?? []).includes(tag);

export const ANSWER_LINE = "const myAnswer: Matrix | undefined = undefined;";
export const SOLUTION_LINE = /^const myAnswer: Matrix \| undefined = (.+);$/;
export const RIGHT = "✓ Right";
export const NOT_YET = "Not yet";
export const NOT_ANSWERED = "Not answered yet";
export const WRONG_TAG = "runner-wrong-answer";
export const SHOW_SOLUTION = "Show the solution";
const SOLUTION_BLOCK = /^\s*<details>\s*<summary>\s*Show the solution\s*<\/summary>[ \t]*\n[ \t]*\n([\s\S]*?)\n[ \t]*<\/details>\s*$/;

// The Markdown inside a solution cell's <details> block, or undefined when the cell is not in that form.
export const solutionBody = (source: string): string | undefined => SOLUTION_BLOCK.exec(source)?.[1].trim();


// The parameters cell's source with new values: each named knob's line keeps its declaration and
// its comment, only the value changes (`let batchSize = 13; // [int ≥ 1] …`), so an executed copy
// shows the values it ran with in the notebook's own words. values: name → TypeScript literal.
export function withParameters(source: string, values: Map<string, string>): string {
  const seen = new Set<string>();
  const lines = source.split("\n").map((line) => {
    const m = /^(\s*let\s+([A-Za-z_]\w*)\s*(?::\s*\w+\s*)?=\s*)(.+?)(;\s*\/\/.*)$/.exec(line);
    if (!m || !values.has(m[2])) return line;
    seen.add(m[2]);
    return `${m[1]}${values.get(m[2])}${m[4]}`;
  });
  const missing = [...values.keys()].filter((k) => !seen.has(k));
  if (missing.length) throw new Error(`the parameters cell declares no ${missing.join(", ")}`);
  return lines.join("\n");
}

