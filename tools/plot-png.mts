// A picture of each Vega-Lite plot, as JupyterLab stores it: when JupyterLab draws a Vega-Lite
// output that has no `image/png` beside it, it renders one and adds it to the output, which marks
// a notebook just opened as modified (and asks to save it on closing). The runner adds that
// picture itself (tools/execute.py, tools/notebooks.mts), drawn here as SVG by Vega and rasterized
// by resvg, so a notebook it wrote opens unmodified; viewers without a Vega renderer (GitHub's
// notebook preview, say) show the picture. Text uses the machine's fonts, so the bytes may differ
// between machines: the output comparisons skip an `image/png` that sits beside a Vega-Lite spec.
//
// `tsx tools/plot-png.mts` reads a JSON list of specs on stdin and prints the list of base64 PNGs.
import { Resvg } from "@resvg/resvg-js";
import * as vega from "vega";
import { compile, type TopLevelSpec } from "vega-lite";
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import type { Notebook, Output } from "./ipynb.mjs";

export const VEGALITE = "application/vnd.vegalite.v5+json";

export async function plotPng(spec: unknown): Promise<string> {
  const view = new vega.View(vega.parse(compile(spec as TopLevelSpec).spec), { renderer: "none" });
  const svg = await view.toSVG();
  view.finalize();
  const png = new Resvg(svg, { background: "white", font: { loadSystemFonts: true, defaultFontFamily: "DejaVu Sans" } }).render().asPng();
  return Buffer.from(png).toString("base64");
}

// The outputs of a notebook that show a Vega-Lite plot without a picture of it.
export const plotsWithoutPicture = (nb: Notebook): Output[] =>
  nb.cells.flatMap((c) => (c.cell_type === "code" ? c.outputs ?? [] : []))
    .filter((o) => o.data?.[VEGALITE] !== undefined && o.data["image/png"] === undefined);

// Adds the pictures in place; returns how many.
export async function addPlotPictures(nb: Notebook): Promise<number> {
  const outputs = plotsWithoutPicture(nb);
  for (const o of outputs) if (o.data) o.data["image/png"] = await plotPng(o.data[VEGALITE]);
  return outputs.length;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const specs = JSON.parse(readFileSync(0, "utf8")) as unknown[];
  const pngs: string[] = [];
  for (const spec of specs) pngs.push(await plotPng(spec));
  process.stdout.write(JSON.stringify(pngs));
}
