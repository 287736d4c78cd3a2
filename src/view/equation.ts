import { Matrix } from "../core/matrix.js";
import { texMatrix, texNumber, texShape, texSized, checkTex } from "./tex.js";

// Formulas written as a template: the TeX around the values is the formula as a reader sees it,
// the values are the arrays and numbers a cell just computed.
//
//   math`${["\\Delta", Delta]} = (A - Y)\odot\sigma'(Z) = ${val(Delta, 3)}`
//
// An interpolated value becomes:
//   [symbol, M]     the symbol with M's live shape under it          (\underset{3\times 5}{\Delta})
//   M (a Matrix)    its entries, 2 decimals, shape underneath        (texMatrix)
//   an integer      itself; another number: 2 significant decimals   (texNumber)
//   a string        raw TeX
//   val(M, d), num(x, d), sized(s, M)  the same with options
// A formula wider than the column is broken: side-by-side formulas (separated by \qquad) go on
// lines of their own, and a chain a = b = c continues on the next line at a relation sign, aligned.

// A piece of TeX with its estimated width in em (KaTeX's display size), for line breaking.
export interface Piece {
  tex: string;
  em: number;
}
export type MathValue = Piece | Matrix | number | string | readonly [string, Matrix];

// How wide a formula may be, in em, before it is broken: a 900 px column at KaTeX's display
// size (1.21 × a 14–16 px body font, about 18 px per em) holds 50 em; the estimate is rough.
export const LINE_EM = 40;

// Width estimate of raw TeX: a control word is one symbol, spacing commands their width,
// braces, scripts' markers and spaces nothing, anything else one character (0.55 em).
export function roughEm(tex: string): number {
  const spaced = tex
    .replace(/\\(?:underset|overset)\{[^{}]*\}/g, "") // the label under a symbol is narrower than it
    .replace(/\\(?:mathbf|mathrm|mathit|text|operatorname|left|right|big|Big|bigg|Bigg|displaystyle|begin|end)\b/g, "")
    .replace(/\\qquad/g, "§§")
    .replace(/\\quad/g, "§")
    .replace(/\\[,;:!]/g, "")
    .replace(/\\[A-Za-z]+/g, "x")
    .replace(/[{}^_\s&]/g, "");
  return [...spaced].reduce((em, ch) => em + (ch === "§" ? 1 : 0.55), 0);
}

// M's entries, as texMatrix shows them; the width counts the widest entry of each shown column.
export function val(M: Matrix, digits = 2, maxRows = 6, maxCols = 6): Piece {
  const tex = texMatrix(M, digits, maxRows, maxCols);
  const shownCols = Math.min(M.cols, maxCols);
  const widest = Math.max(...Array.from(M.data, (v) => Math.abs(v)));
  const entry = (Math.max(1, Math.floor(Math.log10(Math.max(widest, 1))) + 1) + digits + 2) * 0.55;
  const factor = tex.includes("10^{") ? 2.5 : 0;
  return { tex, em: shownCols * (entry + 1) + 1 + factor };
}

// x with `digits` decimals (scientific when tiny or huge).
export function num(x: number, digits = 2): Piece {
  const tex = texNumber(x, digits);
  return { tex, em: roughEm(tex) };
}

// The symbol with M's shape under it.
export function sized(symbol: string, M: Matrix): Piece {
  return { tex: texSized(symbol, M), em: Math.max(roughEm(symbol), roughEm(texShape(M)) * 0.7) };
}

// A Matrix by its structure too: a script loaded twice (as ES module and as CommonJS) has two
// Matrix classes.
const isMatrix = (v: unknown): v is Matrix =>
  v instanceof Matrix || (typeof v === "object" && v !== null && (v as Matrix).data instanceof Float64Array);

function piece(v: MathValue): Piece {
  if (isMatrix(v)) return val(v);
  if (typeof v === "number") return Number.isInteger(v) ? { tex: String(v), em: String(v).length * 0.55 } : num(v);
  if (typeof v === "string") return { tex: v, em: roughEm(v) };
  if (Array.isArray(v)) return sized(v[0], v[1] as Matrix);
  return v as Piece;
}

// Splits literal TeX at relation signs and \qquad that stand at the top level (outside braces
// and environments), the places where a long formula may break.
type Token = { kind: "text"; piece: Piece } | { kind: "rel"; tex: string } | { kind: "gap" };
const RELATION = /^(=|\\approx|\\neq|\\ne|\\le|\\leq|\\ge|\\geq|<|>)(?![A-Za-z])/;

// depth carries the brace and environment depth from one literal part to the next.
function tokenize(s: string, state: { depth: number }): Token[] {
  const out: Token[] = [];
  let depth = state.depth;
  let start = 0;
  const flush = (end: number) => {
    if (end > start) out.push({ kind: "text", piece: { tex: s.slice(start, end), em: roughEm(s.slice(start, end)) } });
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === "\\" && s.startsWith("\\begin", i)) depth++;
    else if (c === "\\" && s.startsWith("\\end", i)) depth--;
    if (c === "{") depth++;
    else if (c === "}") depth--;
    else if (depth === 0 && c === "\\" && s.startsWith("\\qquad", i)) {
      flush(i);
      out.push({ kind: "gap" });
      i += 5;
      start = i + 1;
    } else if (depth === 0 && (c === "=" || c === "<" || c === ">" || c === "\\")) {
      const m = RELATION.exec(s.slice(i));
      if (m) {
        flush(i);
        out.push({ kind: "rel", tex: m[1] });
        i += m[1].length - 1;
        start = i + 1;
      } else if (c === "\\") i += (/^\\[A-Za-z]+/.exec(s.slice(i))?.[0].length ?? 2) - 1;
    } else if (c === "\\") i += 1; // an escaped character such as \{ or \,
  }
  flush(s.length);
  state.depth = depth;
  return out;
}

// One formula: a left side, then relation sign and right side, repeatedly.
interface Chain { lhs: Piece[]; steps: { rel: string; rhs: Piece[] }[] }
const join = (ps: Piece[]): string => ps.map((p) => p.tex.trim()).filter((t) => t).join(" ");
const width = (ps: Piece[]): number => ps.reduce((em, p) => em + p.em, 0);
const chainWidth = (c: Chain): number => width(c.lhs) + c.steps.reduce((em, s) => em + 1.5 + width(s.rhs), 0);
const chainTex = (c: Chain): string => [join(c.lhs), ...c.steps.map((s) => `${s.rel} ${join(s.rhs)}`)].join(" ");

// A chain too wide for one line: the left side and as many steps as fit, then the other steps
// aligned at their relation signs.
function breakChain(c: Chain, lineEm: number): string {
  if (c.steps.length === 0) return chainTex(c); // nowhere to break
  const lines: string[] = [];
  let line = `${join(c.lhs)} `;
  let used = width(c.lhs);
  let first = true;
  let lineStart = true; // one alignment point (&) per line: a second one would open a new column
  for (const s of c.steps) {
    const w = 1.5 + width(s.rhs);
    const newLine = !first && used + w > lineEm;
    if (newLine) {
      lines.push(line);
      line = "";
      used = width(c.lhs);
      lineStart = true;
    }
    line += `${lineStart ? "&" : ""}${s.rel} ${join(s.rhs)} `;
    used += w;
    first = false;
    lineStart = false;
  }
  lines.push(line);
  return `\\begin{aligned} ${lines.map((l) => l.trim()).join(" \\\\ ")} \\end{aligned}`;
}

// The formula as TeX, broken to fit lineEm (see the top of this file). Checked with KaTeX.
export function layout(strings: readonly string[], values: readonly MathValue[], lineEm = LINE_EM): string {
  const tokens: Token[] = [];
  const state = { depth: 0 };
  strings.forEach((s, i) => {
    tokens.push(...tokenize(s, state));
    if (i < values.length) tokens.push({ kind: "text", piece: piece(values[i]) });
  });
  const chains: Chain[] = [{ lhs: [], steps: [] }];
  for (const t of tokens) {
    const c = chains[chains.length - 1];
    if (t.kind === "gap") chains.push({ lhs: [], steps: [] });
    else if (t.kind === "rel") c.steps.push({ rel: t.tex, rhs: [] });
    else (c.steps.length ? c.steps[c.steps.length - 1].rhs : c.lhs).push(t.piece);
  }
  const total = chains.reduce((em, c) => em + chainWidth(c) + 2, -2);
  const tex =
    total <= lineEm
      ? chains.map(chainTex).join(" \\qquad ")
      : chains.length === 1 && chainWidth(chains[0]) > lineEm
        ? breakChain(chains[0], lineEm)
        : `\\begin{gathered} ${chains.map((c) => (chainWidth(c) > lineEm ? breakChain(c, lineEm) : chainTex(c))).join(" \\\\[6pt] ")} \\end{gathered}`;
  checkTex(tex);
  return tex;
}

// The template tag: math`…` → TeX.
export function math(strings: TemplateStringsArray, ...values: MathValue[]): string {
  return layout(strings.raw, values);
}
