// wholeNumberX (view/axes.ts): whole-number ticks on a chart's x axis, checked on the labels Vega draws.
import { describe, expect, it } from "vitest";
import { wholeNumberX } from "../src/view/axes.js";
import { type VegaLiteSpec, lineChart } from "../src/view/plot.js";

const opts = { title: "δ per layer", xTitle: "layer", yTitle: "size" };

// the x axis's tick labels as Vega renders them (to SVG, without a browser)
async function xLabels(spec: VegaLiteSpec): Promise<string[]> {
  const { compile } = await import("vega-lite");
  const vega = await import("vega");
  const view = new vega.View(vega.parse(compile(spec as unknown as Parameters<typeof compile>[0]).spec), { renderer: "none" });
  const svg = await view.toSVG();
  const axis = svg.slice(svg.indexOf('aria-label="X-axis'), svg.indexOf('aria-label="Y-axis'));
  return [...axis.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]).filter((t) => t !== "layer");
}

describe("wholeNumberX", () => {
  it("labels layers 1..8 as 1, 2, …, 8 where Vega's default prints 1.0, 1.5 or 2.0", async () => {
    const spec = lineChart([{ name: "a", x: [1, 2, 3, 4, 5, 6, 7, 8], y: [8, 7, 6, 5, 4, 3, 2, 1] }], opts);
    const before = await xLabels(spec);
    expect(before.some((t) => t.includes("."))).toBe(true);
    const after = await xLabels(wholeNumberX(spec));
    expect(after.length).toBeGreaterThan(1);
    after.forEach((t) => expect(t).toMatch(/^\d+$/));
  });

  it("leaves its argument alone, keeps the rest of the encoding, and refuses charts it does not fit", () => {
    const spec = lineChart([{ name: "a", x: [1, 3], y: [1, 2] }], { ...opts, logY: true });
    const copy = JSON.parse(JSON.stringify(spec));
    const out = wholeNumberX(spec);
    expect(spec).toEqual(copy);
    expect((out.encoding as { y: unknown }).y).toEqual((spec.encoding as { y: unknown }).y);
    expect(() => wholeNumberX({ $schema: spec.$schema })).toThrow("wholeNumberX: the chart has no x encoding");
    const logX = lineChart([{ name: "a", x: [1, 10], y: [1, 2] }], { ...opts, logX: true });
    expect(() => wholeNumberX(logX)).toThrow("wholeNumberX: the x axis is on a log scale");
  });
});
