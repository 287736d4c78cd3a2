import * as tslab from "tslab";
import type { VegaLiteSpec } from "./plot.js";
import { checkTex } from "./tex.js";

// Rich output in the notebooks. Imports tslab, so it only works inside the tslab kernel;
// everything it shows is built by the pure modules tex.ts and plot.ts.

// Displays a formula (text/latex, rendered by KaTeX), after checking that KaTeX can parse it,
// so that a broken formula fails in the cell instead of showing up as red source text.
export function tex(formula: string): void {
  checkTex(formula);
  tslab.display.latex("$$" + formula + "$$");
}

// Displays a Vega-Lite chart.
export function plot(spec: VegaLiteSpec): void {
  // tslab declares raw() for strings and bytes, but it passes the value into the display bundle
  // unchanged, and Jupyter expects a JSON object (not a string) for a +json MIME type.
  tslab.display.raw("application/vnd.vegalite.v5+json", spec as unknown as string);
}

export function markdown(s: string): void {
  tslab.display.markdown(s);
}
