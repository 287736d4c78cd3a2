import * as tslab from "tslab";
import { checksMarkdown, type Check } from "./check/claims.js";
import { math, type MathValue } from "./view/equation.js";
import type { VegaLiteSpec } from "./view/plot.js";
import { checkTex } from "./view/tex.js";

// Rich output in the notebooks: the only file that needs the tslab kernel. Everything it shows
// is built by the pure modules (equation.ts, tex.ts, claims.ts, plot.ts), so another adapter
// with these five functions runs the same cells elsewhere.

const showTex = (formula: string): void => tslab.display.latex("$$" + formula + "$$");

// A formula (text/latex, typeset by KaTeX), checked first so a broken one fails in its cell.
export function tex(formula: string): void {
  checkTex(formula);
  showTex(formula);
}

// A formula from a template with live values: eq`${["Z", Z]} = ${X}` (see equation.ts). math()
// has checked it with KaTeX already, which is most of the cost of showing it: not twice.
export function eq(strings: TemplateStringsArray, ...values: MathValue[]): void {
  showTex(math(strings, ...values));
}

// A cell's checks, one compact block.
export function checks(...list: Check[]): void {
  tslab.display.markdown(checksMarkdown(list));
}

// A Vega-Lite chart.
export function plot(spec: VegaLiteSpec): void {
  // tslab declares raw() for strings and bytes, but it passes the value into the display bundle
  // unchanged, and Jupyter expects a JSON object (not a string) for a +json MIME type.
  tslab.display.raw("application/vnd.vegalite.v5+json", spec as unknown as string);
}

export function markdown(s: string): void {
  tslab.display.markdown(s);
}
