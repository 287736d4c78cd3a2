import { describe, expect, it } from "vitest";
import { lineChart, logAxis, scatter, type VegaLiteSpec } from "../src/view/plot.js";

const opts = { title: "Loss", xTitle: "epoch", yTitle: "loss" };

// survives a JSON round trip unchanged, and vega-lite compiles it
async function expectValidSpec(spec: VegaLiteSpec): Promise<void> {
  expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
  expect(spec.$schema).toBe("https://vega.github.io/schema/vega-lite/v5.json");
  // vega-lite is ESM-only, so this CommonJS-typed file loads it with import()
  const { compile } = await import("vega-lite");
  expect(() => compile(spec as unknown as Parameters<typeof compile>[0])).not.toThrow();
}

describe("lineChart", () => {
  it("puts every series' values inline, x defaulting to 1, 2, …", async () => {
    const spec = lineChart(
      [
        { name: "train", y: [1, 0.5, 0.25] },
        { name: "test", x: [10, 20], y: [2, 1] },
      ],
      { ...opts, logY: true, width: 300 },
    );
    await expectValidSpec(spec);
    expect(spec.data).toEqual({
      values: [
        { series: "train", x: 1, y: 1 },
        { series: "train", x: 2, y: 0.5 },
        { series: "train", x: 3, y: 0.25 },
        { series: "test", x: 10, y: 2 },
        { series: "test", x: 20, y: 1 },
      ],
    });
    expect(spec.width).toBe(300);
    expect(JSON.stringify(spec.encoding)).toContain('"scale":{"type":"log"}');
    expect(JSON.stringify(lineChart([{ name: "a", y: [1] }], opts).encoding)).not.toContain("log");
  });

  it("keeps the legend in the order of the series and can let the y axis start above 0", async () => {
    const { compile } = await import("vega-lite");
    const vega = await import("vega");
    const view = async (spec: VegaLiteSpec) => {
      const v = new vega.View(vega.parse(compile(spec as unknown as Parameters<typeof compile>[0]).spec), { renderer: "none" });
      await v.runAsync();
      return v;
    };
    const series = [{ name: "zeta", y: [5, 4] }, { name: "alpha", y: [6, 5] }];
    expect((await view(lineChart(series, opts))).scale("color").domain()).toEqual(["zeta", "alpha"]);
    expect((await view(lineChart(series, opts))).scale("y").domain()[0]).toBe(0);
    expect((await view(lineChart(series, { ...opts, yZero: false }))).scale("y").domain()[0]).toBeGreaterThan(0);
  });

  it("rejects what cannot be drawn", () => {
    expect(() => lineChart([{ name: "a", y: [1, NaN] }], opts)).toThrow('lineChart: y[1] of series "a" must be a finite number, got NaN');
    expect(() => lineChart([{ name: "a", x: [1], y: [1, 2] }], opts)).toThrow('lineChart: series "a" has 1 x values but 2 y values');
    expect(() => lineChart([{ name: "a", y: [1, 0] }], { ...opts, logY: true })).toThrow(/cannot be shown on a log scale/);
    expect(() => lineChart([], opts)).toThrow(/at least one series/);
  });
});

describe("scatter", () => {
  it("colours points by label", async () => {
    const spec = scatter(
      [
        { x: 0, y: 1, label: 0 },
        { x: 2, y: 3, label: "b" },
      ],
      { title: "data", xTitle: "x₁", yTitle: "x₂" },
    );
    await expectValidSpec(spec);
    expect(spec.data).toEqual({
      values: [
        { x: 0, y: 1, label: "0" },
        { x: 2, y: 3, label: "b" },
      ],
    });
    expect(() => scatter([{ x: Infinity, y: 0, label: 0 }], opts)).toThrow("scatter: x of point 0 must be a finite number, got Infinity");
  });
});

describe("logAxis", () => {
  it("labels whole decades in one format, at most eight of them", () => {
    expect(logAxis([3e-3, 0.5])).toEqual({ scale: { type: "log" }, axis: { values: [1e-3, 1e-2, 1e-1, 1], format: ".0e" } });
    const wide = logAxis([1e-12, 10]).axis as { values: number[] };
    expect(wide.values.length).toBeLessThanOrEqual(8);
    expect(wide.values[0]).toBe(1e-12);
  });
});
