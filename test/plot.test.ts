import { describe, expect, it } from "vitest";
import { DivergenceError } from "../src/nn/train.js";
import { divergenceNote, lineChart, lineChartTwoWays, logAxis, scatter, type VegaLiteSpec } from "../src/view/plot.js";

const opts = { title: "Loss", xTitle: "epoch", yTitle: "loss" };

// the spec compiled and run by vega, without drawing
async function view(spec: VegaLiteSpec) {
  const { compile } = await import("vega-lite");
  const vega = await import("vega");
  const v = new vega.View(vega.parse(compile(spec as unknown as Parameters<typeof compile>[0]).spec), { renderer: "none" });
  await v.runAsync();
  return v;
}

// the Vega spec vega-lite compiles it to
async function vegaSpec(spec: VegaLiteSpec) {
  const { compile } = await import("vega-lite");
  return compile(spec as unknown as Parameters<typeof compile>[0]).spec;
}

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

  it("draws the named series dashed, in the colour legend, and can keep legend names whole", async () => {
    const series = [{ name: "one sample", y: [3, 2] }, { name: "batches of K = 5", y: [3, 2] }, { name: "c", y: [1, 1] }];
    const spec = lineChart(series, { ...opts, dashed: ["batches of K = 5"], wholeLegend: true });
    await expectValidSpec(spec);
    const v = await view(spec);
    expect(v.scale("strokeDash").domain()).toEqual(["one sample", "batches of K = 5", "c"]);
    expect(v.scale("strokeDash").range()).toEqual([[1, 0], [6, 3], [1, 0]]);
    // colour and dash share the field and title: one legend
    const compiled = await vegaSpec(spec);
    expect(compiled.legends?.length).toBe(1);
    expect((spec.config as { legend: { labelLimit: number } }).legend.labelLimit).toBe(0);
    // without the options the spec is as before: no dash, Vega's label limit
    const plain = lineChart(series, opts);
    expect(plain.encoding).not.toHaveProperty("strokeDash");
    expect(plain.config).not.toHaveProperty("legend.labelLimit");
    expect(() => lineChart(series, { ...opts, dashed: ["d"] })).toThrow('lineChart: dashed names ["d"], which no series has');
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

describe("lineChartTwoWays", () => {
  const two = { ...opts, colourTitle: "batch size K", dashTitle: "loss, rate" };
  const series = [
    { colour: 1, dash: "mean, η", y: [2, 1] },
    { colour: 1, dash: "sum, η", y: [2, 1] },
    { colour: 48, dash: "mean, η", y: [2, 1.5] },
    { colour: 5, dash: "mean, η", y: [2, 1.2] },
    { colour: 5, dash: "sum, η/K with a long name that Vega would cut", y: [2, 1.2] },
  ];

  it("colours by one property and dashes by the other, two legends in the order given", async () => {
    const spec = lineChartTwoWays(series, { ...two, logY: true });
    await expectValidSpec(spec);
    expect((spec.data as { values: unknown[] }).values[0]).toEqual({ series: "mean, η | 1", x: 1, y: 2, colour: "1", dash: "mean, η" });
    const v = await view(spec);
    expect(v.scale("color").domain()).toEqual(["1", "48", "5"]);
    expect(v.scale("strokeDash").domain()).toEqual(["mean, η", "sum, η", "sum, η/K with a long name that Vega would cut"]);
    const compiled = await vegaSpec(spec);
    expect(compiled.legends?.map((l) => l.title)).toEqual(["batch size K", "loss, rate"]);
    expect((spec.config as { legend: { labelLimit: number } }).legend.labelLimit).toBe(0);
    expect(JSON.stringify(spec.encoding)).toContain('"scale":{"type":"log"}');
  });

  it("draws the lines of one dash value wide and pale, under the others", async () => {
    const spec = lineChartTwoWays(series, { ...two, under: "mean, η" });
    await expectValidSpec(spec);
    const enc = spec.encoding as { [key: string]: { condition: { test: string; value: number }; value: number } };
    expect(enc.strokeWidth).toEqual({ condition: { test: 'datum.dash === "mean, η"', value: 6 }, value: 2 });
    expect(enc.opacity.condition.value).toBeLessThan(enc.opacity.value);
    expect(lineChartTwoWays(series, two).encoding).not.toHaveProperty("strokeWidth");
    expect(() => lineChartTwoWays(series, { ...two, under: "median" })).toThrow(
      'lineChartTwoWays: under = "median", which no series has as its dash',
    );
  });

  it("refuses a pair given twice and what cannot be drawn", () => {
    expect(() => lineChartTwoWays([series[0], { ...series[0], y: [1, 1] }], two)).toThrow('lineChartTwoWays: two series for "mean, η | 1"');
    expect(() => lineChartTwoWays([], two)).toThrow(/at least one series/);
    expect(() => lineChartTwoWays([{ colour: 1, dash: "a", y: [1, 0] }], { ...two, logY: true })).toThrow(
      'lineChartTwoWays: y[1] = 0 of series "a | 1" cannot be shown on a log scale',
    );
  });
});

describe("divergenceNote", () => {
  it("says where training diverged, from which loss to which, with which η", () => {
    expect(divergenceNote(new DivergenceError(2, 7, 0.5, 1234.5678, 50))).toBe(
      "**Training diverged.** With $\\eta = 50$, at epoch 2, step 7, the mean loss went from 0.500 to " +
        "1234.568, and `train` stopped.",
    );
    expect(divergenceNote(new DivergenceError(1, 1, 0.25, Infinity, 1e3))).toContain("from 0.250 to an infinite value");
  });
});

// stepPanels and decadeTicks (notebook 03's training curves)
import { decadeTicks, stepPanels } from "../src/view/plot.js";

const panelOpts = { title: "runs", xTitle: "SGD step", yTitles: ["loss", "largest |weight|"] };
const runs = [
  { name: "correct", x: [0, 1, 2, 10, 120], y: [[0.4, 0.3, 0.2, 0.1, 0.01], [0.8, 0.9, 1, 2, 5]] },
  { name: "slip 4", x: [0, 1, 2, 11], y: [[0.4, 0.35, 0.34, 0.33], [0.8, 3, 1e40, 2.4e303]], stopped: true },
];

describe("stepPanels", () => {
  it("stacks one panel per quantity on a shared symlog step axis, with a cross where a run stopped", async () => {
    const spec = stepPanels(runs, panelOpts);
    expect(JSON.parse(JSON.stringify(spec))).toEqual(spec);
    const panels = spec.vconcat as { layer: { data: { values: { series: string; x: number; y: number }[] }; encoding: Record<string, { axis?: { values: number[] }; scale?: { type: string } }> }[] }[];
    expect(panels).toHaveLength(2);
    const [lines, crosses] = panels[1].layer;
    expect(lines.data.values).toHaveLength(9);
    expect(crosses.data.values).toEqual([{ series: "slip 4", x: 11, y: 2.4e303 }]);
    expect(panels[0].layer[1].data.values).toEqual([{ series: "slip 4", x: 11, y: 0.33 }]);
    expect(lines.encoding.x.scale?.type).toBe("symlog");
    expect(lines.encoding.x.axis?.values).toEqual([0, 1, 10, 100]);
    // the weights' 300 decades: ticks every 100 decades, not Vega's 1e-1, 1e+77, …
    expect(lines.encoding.y.axis?.values).toEqual([1, 1e100, 1e200, 1e300]);
    expect(panels[0].layer[0].encoding.y.axis?.values).toEqual([0.01, 0.1, 1]);
  });

  it("draws the ticks it asks for inside the domain, and a linear axis when a value is ≤ 0", async () => {
    const v = await view(stepPanels(runs, panelOpts)); // vega-lite compiles it and vega runs it
    expect(v.scale("concat_0_y").domain()).toEqual([0.01, 1]);
    expect(v.scale("concat_1_y").domain()).toEqual([0.1, 1e304]);
    expect(v.scale("concat_1_x").domain()).toEqual([0, 120]);
    const flat = stepPanels([{ name: "a", x: [0, 1], y: [[0, 1]] }], { ...panelOpts, yTitles: ["loss"] });
    const enc = (flat.vconcat as { layer: { encoding: { y: { scale?: unknown } } }[] }[])[0].layer[0].encoding;
    expect(enc.y.scale).toBeUndefined();
  });

  it("rejects what it cannot draw", () => {
    expect(() => stepPanels([], panelOpts)).toThrow(/at least one run/);
    expect(() => stepPanels([{ name: "a", x: [0], y: [[1]] }], panelOpts)).toThrow('run "a" has 1 value arrays for 2 panels');
    expect(() => stepPanels([{ name: "a", x: [0, 1], y: [[1], [1, 2]] }], panelOpts)).toThrow("2 steps but 1 values in panel 1");
    expect(() => stepPanels([{ name: "a", x: [0], y: [[NaN], [1]] }], panelOpts)).toThrow(/must be a finite number/);
    expect(() => stepPanels([{ name: "a", x: [-1], y: [[1], [1]] }], panelOpts)).toThrow(/expected x ≥ 0/);
  });
});

describe("decadeTicks", () => {
  it("labels whole decades, spaced so that at most maxTicks fit", () => {
    expect(decadeTicks(2e-5, 0.44)).toEqual({ domain: [1e-5, 1], ticks: [1e-5, 1e-4, 1e-3, 1e-2, 1e-1, 1] });
    expect(decadeTicks(0.77, 2.4e303)).toEqual({ domain: [0.1, 1e304], ticks: [1, 1e100, 1e200, 1e300] });
    expect(decadeTicks(1e-12, 10).ticks).toEqual([1e-10, 1e-5, 1]);
    expect(decadeTicks(1e-12, 10, 8).ticks).toEqual([1e-12, 1e-10, 1e-8, 1e-6, 1e-4, 1e-2, 1]);
    expect(decadeTicks(0.3, 0.5)).toEqual({ domain: [0.1, 1], ticks: [0.1, 1] });
    expect(decadeTicks(1, 1.7e308).domain).toEqual([1, 1.7e308]);
  });

  it("refuses a range a log axis cannot show", () => {
    expect(() => decadeTicks(0, 1)).toThrow(/expected 0 < lo ≤ hi/);
    expect(() => decadeTicks(2, 1)).toThrow(/expected 0 < lo ≤ hi/);
    expect(() => decadeTicks(1, 10, 1)).toThrow(/maxTicks/);
  });
});
