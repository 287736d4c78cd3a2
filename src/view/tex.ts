import * as katex from "katex";
import { elide, formatNumber } from "../core/format.js";
import { Matrix } from "../core/matrix.js";

// LaTeX source for the notebooks, as plain strings (display.ts shows them; tests check them).

// "3\times 5"
export function texShape(M: Matrix): string {
  return `${M.rows}\\times ${M.cols}`;
}

// A symbol with M's live shape written under it: \underset{3\times 5}{Z}
export function texSized(symbol: string, M: Matrix): string {
  return `\\underset{${texShape(M)}}{${symbol}}`;
}

// A number with `digits` decimals; tiny or huge ones in scientific form, 3.20\times 10^{-9}.
export function texNumber(x: number, digits = 2): string {
  return formatNumber(x, digits).replace(
    /e([+-])(\d+)$/,
    (_, sign: string, exponent: string) => `\\times 10^{${sign === "-" ? "-" : ""}${exponent}}`,
  );
}

// One number format for a whole matrix, so its columns line up: fixed-point with `digits`
// decimals when the largest entry is between 0.1 and 10⁴, otherwise every entry divided by a
// common power of ten that is written in front (the textbook's 10^{-3}·[…]).
export function matrixScale(M: Matrix): number {
  let largest = 0;
  for (const v of M.data) largest = Math.max(largest, Math.abs(v));
  if (largest === 0 || (largest >= 0.1 && largest < 1e4)) return 0;
  return Math.floor(Math.log10(largest));
}

// The entries texMatrix shows: rows × columns of strings, null where rows or columns are elided.
function matrixCells(M: Matrix, digits: number, maxRows: number, maxCols: number): string[][] {
  const rows = elide(M.rows, maxRows, "texMatrix: maxRows");
  const cols = elide(M.cols, maxCols, "texMatrix: maxCols");
  const unit = 10 ** matrixScale(M);
  return rows.map((i) =>
    cols.map((j) => {
      if (i === null && j === null) return "\\ddots";
      if (i === null) return "\\vdots";
      if (j === null) return "\\cdots";
      const v = M.get(i, j) / unit;
      return (Math.abs(v) < 0.5 * 10 ** -digits ? 0 : v).toFixed(digits); // no "-0.00"
    }),
  );
}

// M (r×c) → a bmatrix with its shape written underneath. Beyond maxRows rows (maxCols columns)
// only the first ones and the last one are shown, the gap marked with \vdots (\cdots, \ddots).
// Every entry has the same format (see matrixScale).
export function texMatrix(M: Matrix, digits = 2, maxRows = 6, maxCols = 6): string {
  const body = matrixCells(M, digits, maxRows, maxCols).map((r) => r.join(" & ")).join(" \\\\ ");
  const e = matrixScale(M);
  const factor = e === 0 ? "" : `10^{${e}}\\,`;
  return `\\underset{${texShape(M)}}{${factor}\\begin{bmatrix} ${body} \\end{bmatrix}}`;
}

// Throws, naming the formula, unless KaTeX can typeset s (the notebooks render with KaTeX).
export function checkTex(s: string): void {
  try {
    katex.renderToString(s, { throwOnError: true, displayMode: true });
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new Error(`checkTex: KaTeX cannot typeset ${JSON.stringify(s)}: ${reason}`);
  }
}
