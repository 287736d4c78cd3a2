import * as katex from "katex";
import { elide, formatNumber } from "./format.js";
import type { Matrix } from "./matrix.js";

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

// M (r×c) → a bmatrix with its shape written underneath. Beyond maxRows rows (maxCols columns)
// only the first ones and the last one are shown, the gap marked with \vdots (\cdots, \ddots).
export function texMatrix(M: Matrix, digits = 2, maxRows = 6, maxCols = 6): string {
  const rows = elide(M.rows, maxRows, "texMatrix: maxRows");
  const cols = elide(M.cols, maxCols, "texMatrix: maxCols");
  const body = rows
    .map((i) =>
      cols
        .map((j) => {
          if (i === null && j === null) return "\\ddots";
          if (i === null) return "\\vdots";
          if (j === null) return "\\cdots";
          return texNumber(M.get(i, j), digits);
        })
        .join(" & "),
    )
    .join(" \\\\ ");
  return `\\underset{${texShape(M)}}{\\begin{bmatrix} ${body} \\end{bmatrix}}`;
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
