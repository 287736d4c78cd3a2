import { LAYOUTS, type BackpropMap, type MapStep, type MapSum, type Rendering } from "../nn/map.js";
import { escapeMarkdown } from "./markdown.js";

// The map's tables (notebook 00b), as Markdown for display.ts's markdown(), generated from
// backpropMap's steps: the same renderings that the numpy test runs, so a table cannot say
// something the map does not compute. Cells hold code spans and inline math, which is why these
// tables are built here and not by markdownTable (which escapes backticks).

// A code span; the map's code has no backtick and no pipe (a pipe would end the table cell).
function code(s: string): string {
  if (/[`|]/.test(s)) throw new Error(`map tables: cannot put ${JSON.stringify(s)} in a table's code span`);
  return `\`${s}\``;
}
const math = (tex: string): string => `$${tex}$`;

function table(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [line(headers), `|${headers.map(() => " --- |").join("")}`, ...rows.map(line)].join("\n");
}

// The symbol with its shape in letters under it, or with its live shape under it
const lettered = (st: MapStep, r: Rendering): string => `\\underset{${r.axes[0].name}\\times ${r.axes[1].name}}{${st.symbol}}`;
const sized = (st: MapStep, r: Rendering): string => `\\underset{${r.value.rows}\\times ${r.value.cols}}{${st.symbol}}`;

const computed = (map: BackpropMap): MapStep[] => map.steps.filter((st) => st.pass !== "given");

// What one sum runs over, in both layouts (the same axis; numpy's axis number differs).
function sumText(rows: MapSum, cols: MapSum): string {
  const axis = math(rows.axis.name);
  switch (rows.how) {
    case "product":
      return `${axis}, inside the product`;
    case "copy":
      return "nothing: the bias is copied";
    case "sum":
    case "softmax":
      return `${axis}: \`axis=${rows.numpyAxis}\` · \`axis=${cols.numpyAxis}\``;
    case "loss":
      return "every entry";
  }
}

const sumsOf = (st: MapStep): string =>
  st.rows.sums.length === 0 ? "nothing: entry by entry" : dedupe(st.rows.sums.map((s, i) => sumText(s, st.cols.sums[i]))).join("; ");
const dedupe = (xs: string[]): string[] => [...new Set(xs)];

// Each step's formula in both layouts, with its live shape under it (the first column has it in
// letters, samples as rows), and what its sums run over.
export function layoutsTable(map: BackpropMap): string {
  return table(
    ["array", "samples as rows", "samples as columns", "sums over (numpy: rows · columns)"],
    computed(map).map((st) => [
      math(lettered(st, st.rows)),
      math(`${sized(st, st.rows)} = ${st.rows.tex}`),
      math(`${sized(st, st.cols)} = ${st.cols.tex}`),
      sumsOf(st),
    ]),
  );
}

// Each step's library call (samples as rows, as the notebooks compute it) and its numpy line in
// both layouts.
export function numpyTable(map: BackpropMap): string {
  return table(
    ["array", "library (samples as rows)", "numpy, samples as rows", "numpy, samples as columns"],
    computed(map).map((st) => [math(st.symbol), code(st.rows.library), code(st.rows.numpy), code(st.cols.numpy)]),
  );
}

// Every library call the map makes, with its numpy equivalent and the steps that use it.
export function glossaryTable(map: BackpropMap): string {
  return table(
    ["library", "numpy", "what it is", "the map uses it for"],
    map.glossary().map((g) => [
      code(g.library), code(g.numpy), escapeMarkdown(g.meaning),
      g.usedIn.rows.join() === g.usedIn.cols.join() ? `${g.usedIn.rows.join(", ")} (both layouts)`
        : LAYOUTS.filter((L) => g.usedIn[L].length > 0)
          .map((L) => `${g.usedIn[L].join(", ")} (${L === "rows" ? "rows" : "columns"})`).join("; "),
    ]),
  );
}

// The symbols that are not arrays of the map, as the series writes them.
export const SERIES_SYMBOLS: readonly (readonly [string, string])[] = [
  ["\\delta", "one sample's row of a $\\partial Z$ (its column, samples as columns): the error of one sample at a layer"],
  ["\\Delta", "a change, never a gradient: $\\Delta W = -\\eta\\,\\partial W$ is the step of one update"],
  ["N", "the number of samples in the whole training set (a mini-batch has $K$ of them)"],
  ["x, z, a, y", "one sample's rows of $X$, $Z$, $A$, $Y$ (a $1\\times n$ row $x$, …), as $\\delta$ is of $\\partial Z$"],
  ["h", "also a finite difference's step, in notebook 06 only (its hidden width has no letter)"],
  ["\\varepsilon", "a small number, said where it is used: a finite difference's step ($\\pm\\varepsilon$; 06 writes it $h$), batch norm's guard against dividing by 0 (07), and in 06 the rounding unit of float64"],
  ["\\langle U, V\\rangle", "$\\sum_{i,j} u_{ij}v_{ij}$, the sum of the entrywise products of two arrays of one shape"],
  ["\\mathbf 1", "a column of $K$ ones; $\\mathbf 1 b$ copies the row $b$ into $K$ rows, $\\mathbf 1^\\top G$ sums $G$'s rows"],
  ["A^\\top", "the transpose of $A$"],
  ["\\odot", "the entrywise product"],
  ["\\sigma", "the logistic sigmoid $1/(1+e^{-z})$, with $\\sigma' = \\sigma(1-\\sigma)$"],
  ["\\eta", "the learning rate: $W \\leftarrow W - \\eta\\,\\partial W$"],
];

// The series' letters: the sizes, every array of the map (its name in code, its shape in both
// layouts, what it is), and the other symbols.
export function notationTable(map: BackpropMap): string {
  const { K, n, h, m } = map.sizes;
  const sizes = [K, n, h, m].map((a) => [math(a.name), code(a.name), "", "", `the number of ${a.what} (here ${a.size})`]);
  const shape = (r: Rendering): string => math(`${r.axes[0].name}\\times ${r.axes[1].name}`);
  const arrays = map.steps.map((st) => [math(st.symbol), code(st.name), shape(st.rows), shape(st.cols), escapeMarkdown(st.meaning)]);
  const others = SERIES_SYMBOLS.map(([tex, what]) => [math(tex), "", "", "", what]);
  return table(["letter", "in code", "samples as rows", "samples as columns", "what it is"], [...sizes, ...arrays, ...others]);
}
