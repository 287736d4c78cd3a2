// The parts of the .ipynb format (nbformat 4) the tools read, and the parameters-cell convention.
import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";

export interface Output {
  output_type: "stream" | "display_data" | "execute_result" | "error";
  name?: "stdout" | "stderr";
  text?: string | string[];
  data?: Record<string, unknown>;
  metadata?: Record<string, unknown>;
}
export interface Cell {
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
export const readNotebook = (path: string): Notebook => JSON.parse(readFileSync(path, "utf8")) as Notebook;

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
      if (p.bound && !(p.bound.op === "≥" ? v >= p.bound.value : v > p.bound.value)) throw bad(`out of range`);
      if (p.upper && !(p.upper.op === "≤" ? v <= p.upper.value : v < p.upper.value)) throw bad(`out of range`);
      return String(v);
    }
  }
}
