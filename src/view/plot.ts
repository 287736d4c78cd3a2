import { assertFinite } from "../core/errors.js";
import { formatNumber } from "../core/format.js";
import type { DivergenceError } from "../nn/train.js";

// Vega-Lite chart specs, as plain JSON objects with the data inline (display.ts shows them).

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

// A Vega-Lite v5 specification: any JSON object that names the schema.
export interface VegaLiteSpec {
  $schema: string;
  [key: string]: Json;
}

export interface ChartOptions {
  title: string;
  xTitle: string;
  yTitle: string;
  width?: number; // pixels, default 400
  height?: number; // pixels, default 250
}

// One line; x defaults to 1, 2, …, n (epochs or steps, counted from 1).
export interface Series {
  name: string;
  x?: number[];
  y: number[];
}

export interface Point {
  x: number;
  y: number;
  label: string | number; // the class, one colour each
}

const SCHEMA = "https://vega.github.io/schema/vega-lite/v5.json";

// n series → one line per series, coloured by name, the legend in the order of `series`.
// logY: a log scale, for a loss that falls by decades; logX likewise for x (a step size h, say);
// yZero: false lets the y axis start above 0. dashed: the names of series drawn dashed (one that
// can lie on top of another), in the same legend; wholeLegend: legend names never cut short.
export function lineChart(
  series: Series[],
  opts: ChartOptions & LineOptions & { logX?: boolean; dashed?: readonly string[]; wholeLegend?: boolean },
): VegaLiteSpec {
  if (series.length === 0) throw new Error("lineChart: expected at least one series");
  const values = lineValues("lineChart", series, opts);
  const x: { [key: string]: Json } = { field: "x", type: "quantitative", title: opts.xTitle };
  if (opts.logX === true) Object.assign(x, logAxis(values.map((v) => v.x)));
  const encoding: { [key: string]: Json } = {
    x,
    y: yChannel(values, opts),
    color: { field: "series", type: "nominal", title: null, sort: null }, // legend in the order given
  };
  if (opts.dashed !== undefined) {
    const names = series.map((s) => s.name);
    const unknown = opts.dashed.filter((d) => !names.includes(d));
    if (unknown.length > 0) {
      throw new Error(`lineChart: dashed names ${JSON.stringify(unknown)}, which no series has; series: ${JSON.stringify(names)}`);
    }
    const range = names.map((name) => (opts.dashed?.includes(name) ? [6, 3] : [1, 0]));
    // the same field and title as the colour: one legend shows colour and dash together
    encoding.strokeDash = { field: "series", type: "nominal", title: null, sort: null, scale: { domain: names, range } };
  }
  const spec = chart(opts, { type: "line", tooltip: true }, values, encoding);
  return opts.wholeLegend === true ? { ...spec, config: wholeLegend() } : spec;
}

export interface LineOptions {
  logY?: boolean;
  yZero?: boolean;
}

// Series that differ in two ways, a line each: coloured by `colour` (a batch size, say) and dashed
// by `dash` (a loss and its learning rate). Two legends, one per property, their entries in the
// order the values first appear in `series` and never cut short. logY, yZero as for lineChart.
// under: a dash value whose lines are drawn wide and pale, so that a line lying on one of them
// (a run that should coincide with it) stays visible as a line on a band. Each (colour, dash)
// pair names one line: a pair given twice is refused.
export interface TwoWaySeries {
  colour: string | number;
  dash: string;
  x?: number[];
  y: number[];
}

export function lineChartTwoWays(
  series: TwoWaySeries[],
  opts: ChartOptions & LineOptions & { colourTitle: string; dashTitle: string; under?: string },
): VegaLiteSpec {
  if (series.length === 0) throw new Error("lineChartTwoWays: expected at least one series");
  const { under } = opts;
  if (under !== undefined && !series.some((s) => s.dash === under)) {
    throw new Error(`lineChartTwoWays: under = "${under}", which no series has as its dash`);
  }
  const named = series.map((s) => ({ ...s, name: `${s.dash} | ${s.colour}` }));
  const seen = new Set<string>();
  for (const { name } of named) {
    if (seen.has(name)) throw new Error(`lineChartTwoWays: two series for "${name}" (dash | colour)`);
    seen.add(name);
  }
  const values = lineValues("lineChartTwoWays", named, opts);
  const byName = new Map(named.map((s) => [s.name, s]));
  const rows = values.map((v) => {
    const { colour, dash } = byName.get(v.series) as TwoWaySeries;
    return { ...v, colour: String(colour), dash };
  });
  const encoding: { [key: string]: Json } = {
    x: { field: "x", type: "quantitative", title: opts.xTitle },
    y: yChannel(values, opts),
    color: { field: "colour", type: "nominal", title: opts.colourTitle, sort: null },
    strokeDash: { field: "dash", type: "nominal", title: opts.dashTitle, sort: null },
    detail: { field: "series", type: "nominal" },
  };
  if (under !== undefined) {
    const test = `datum.dash === ${JSON.stringify(under)}`;
    encoding.strokeWidth = { condition: { test, value: 6 }, value: 2 };
    encoding.opacity = { condition: { test, value: 0.35 }, value: 1 };
  }
  return { ...chart(opts, { type: "line", tooltip: true }, rows, encoding), config: wholeLegend() };
}

// What a page shows in place of a loss curve when training diverged (a DivergenceError from
// train): where, the loss before and after, and the learning rate, as a Markdown sentence.
export function divergenceNote(d: DivergenceError): string {
  const after = Number.isFinite(d.after) ? formatNumber(d.after, 3) : "an infinite value";
  const before = Number.isFinite(d.before) ? formatNumber(d.before, 3) : "an unknown value";
  return `**Training diverged.** With $\\eta = ${d.eta}$, at epoch ${d.epoch}, step ${d.step}, the mean ` +
    `loss went from ${before} to ${after}, and \`train\` stopped.`;
}

// The rows a line chart draws, {series, x, y}, each x and y checked finite (and positive on a log
// axis); op names the chart in errors.
function lineValues(
  op: string,
  series: Series[],
  opts: { logY?: boolean; logX?: boolean },
): { series: string; x: number; y: number }[] {
  return series.flatMap(({ name, x, y }) => {
    if (x !== undefined && x.length !== y.length) {
      throw new Error(`${op}: series "${name}" has ${x.length} x values but ${y.length} y values`);
    }
    return y.map((yi, i) => {
      const xi = x === undefined ? i + 1 : x[i];
      assertFinite(op, `x[${i}] of series "${name}"`, xi);
      assertFinite(op, `y[${i}] of series "${name}"`, yi);
      if (opts.logY === true && yi <= 0) {
        throw new Error(`${op}: y[${i}] = ${yi} of series "${name}" cannot be shown on a log scale; expected y > 0`);
      }
      if (opts.logX === true && xi <= 0) {
        throw new Error(`${op}: x[${i}] = ${xi} of series "${name}" cannot be shown on a log scale; expected x > 0`);
      }
      return { series: name, x: xi, y: yi };
    });
  });
}

// READABLE, with legend names never cut short (Vega's default cuts them at 160 px).
function wholeLegend(): { [key: string]: Json } {
  return { ...READABLE, legend: { ...(READABLE.legend as { [key: string]: Json }), labelLimit: 0 } };
}

// The y channel of a line chart: a log axis, or a linear one that may start above 0.
function yChannel(values: { y: number }[], opts: ChartOptions & LineOptions): { [key: string]: Json } {
  const y: { [key: string]: Json } = { field: "y", type: "quantitative", title: opts.yTitle };
  if (opts.logY === true) Object.assign(y, logAxis(values.map((v) => v.y)));
  else if (opts.yZero === false) y.scale = { zero: false }; // zoom in on curves that sit far above 0
  return y;
}

// A log scale labelled at whole decades only, all in one format (1e-12, 1e-11, …), at most 8 of
// them: Vega's default mixes "0.00001" with "1e-7" and crowds the axis.
export function logAxis(vs: number[]): { [key: string]: Json } {
  const lo = Math.floor(Math.log10(Math.min(...vs)));
  const hi = Math.ceil(Math.log10(Math.max(...vs)));
  const every = Math.max(1, Math.ceil((hi - lo + 1) / 8));
  const values = Array.from({ length: hi - lo + 1 }, (_, i) => lo + i).filter((e) => (e - lo) % every === 0).map((e) => 10 ** e);
  return { scale: { type: "log" }, axis: { values, format: ".0e" } };
}

// n points → a scatter plot coloured by label (a data set's classes, say)
export function scatter(points: Point[], opts: ChartOptions): VegaLiteSpec {
  if (points.length === 0) throw new Error("scatter: expected at least one point");
  const values = points.map(({ x, y, label }, i) => {
    assertFinite("scatter", `x of point ${i}`, x);
    assertFinite("scatter", `y of point ${i}`, y);
    return { x, y, label: String(label) };
  });
  return chart(opts, { type: "point", filled: true, tooltip: true }, values, {
    x: { field: "x", type: "quantitative", title: opts.xTitle },
    y: { field: "y", type: "quantitative", title: opts.yTitle },
    color: { field: "label", type: "nominal", title: null },
  });
}

// Text a reader can read at a glance: axis, legend and title at least 12 px.
export const READABLE: { [key: string]: Json } = {
  axis: { labelFontSize: 12, titleFontSize: 13 },
  legend: { labelFontSize: 12, titleFontSize: 13, symbolSize: 120 },
  title: { fontSize: 15 },
};

// The part every chart shares: schema, title, size and inline data.
function chart(
  opts: ChartOptions,
  mark: { [key: string]: Json },
  values: { [key: string]: Json }[],
  encoding: { [key: string]: Json },
): VegaLiteSpec {
  return {
    $schema: SCHEMA,
    title: opts.title,
    width: opts.width ?? 400,
    height: opts.height ?? 250,
    data: { values },
    mark,
    encoding,
    config: READABLE,
  };
}

// One run of a training comparison for stepPanels: its values at the steps x, one array per
// panel, and whether it stopped early (diverged), which puts a cross on its last point.
export interface PanelRun {
  name: string;
  x: number[]; // SGD steps, from 0
  y: number[][]; // y[p][i]: panel p's value after step x[i]
  stopped?: boolean;
}

export interface PanelOptions {
  title: string;
  xTitle: string;
  yTitles: string[]; // one panel each, top to bottom
  width?: number; // pixels, default 560
  height?: number; // pixels per panel, default 210
}

// Runs against the SGD step, one panel per quantity, stacked and sharing a symlog x axis (linear
// near 0, logarithmic beyond: the first steps, where a diverging run ends, get as much room as the
// last ones), labelled 0, 1, 10, 100, …. A panel whose values are all > 0 gets a log y axis with
// decadeTicks; a cross marks the last point of every stopped run (notebook 03's training curves).
export function stepPanels(runs: PanelRun[], opts: PanelOptions): VegaLiteSpec {
  if (runs.length === 0) throw new Error("stepPanels: expected at least one run");
  if (opts.yTitles.length === 0) throw new Error("stepPanels: expected at least one panel (yTitles)");
  for (const { name, x, y } of runs) {
    if (y.length !== opts.yTitles.length) {
      throw new Error(`stepPanels: run "${name}" has ${y.length} value arrays for ${opts.yTitles.length} panels`);
    }
    y.forEach((ys, p) => {
      if (ys.length !== x.length) {
        throw new Error(`stepPanels: run "${name}" has ${x.length} steps but ${ys.length} values in panel ${p + 1}`);
      }
      ys.forEach((v, i) => assertFinite("stepPanels", `y[${p}][${i}] of run "${name}"`, v));
    });
    x.forEach((v, i) => {
      assertFinite("stepPanels", `x[${i}] of run "${name}"`, v);
      if (v < 0) throw new Error(`stepPanels: x[${i}] = ${v} of run "${name}" is a step; expected x ≥ 0`);
    });
  }
  const lastStep = Math.max(...runs.flatMap((r) => r.x));
  const decades = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9].filter((t) => t <= lastStep);
  const x: Json = {
    field: "x", type: "quantitative", title: opts.xTitle,
    scale: { type: "symlog" }, axis: { values: [0, ...decades], format: "d" },
  };
  const panel = (title: string, p: number): { [key: string]: Json } => {
    const values = runs.flatMap(({ name, x: xs, y: ys }) => xs.map((xi, i) => ({ series: name, x: xi, y: ys[p][i] })));
    const ys = values.map((v) => v.y);
    const y: { [key: string]: Json } = { field: "y", type: "quantitative", title };
    if (ys.every((v) => v > 0)) {
      const { domain, ticks } = decadeTicks(Math.min(...ys), Math.max(...ys));
      Object.assign(y, { scale: { type: "log", domain, nice: false }, axis: { values: ticks, format: ".0e" } });
    }
    const encoding: Json = { x, y, color: { field: "series", type: "nominal", title: null, sort: null } };
    const stops = runs.filter((r) => r.stopped === true && r.x.length > 0)
      .map(({ name, x: xs, y: yv }) => ({ series: name, x: xs[xs.length - 1], y: yv[p][xs.length - 1] }));
    const cross = { type: "point", shape: "cross", angle: 45, size: 220, filled: true, opacity: 1 };
    return {
      width: opts.width ?? 560,
      height: opts.height ?? 210,
      layer: [
        { data: { values }, mark: { type: "line", tooltip: true }, encoding },
        { data: { values: stops }, mark: cross, encoding },
      ],
    };
  };
  return {
    $schema: SCHEMA,
    title: opts.title,
    vconcat: opts.yTitles.map(panel),
    // whole run names in the legend (Vega cuts labels at 160 px by default)
    config: { ...READABLE, legend: { ...(READABLE.legend as { [key: string]: Json }), labelLimit: 0 } },
  };
}

// A log axis for values from lo to hi (both > 0): the domain from the decade at or below lo to the
// one at or above hi, and tick values at whole decades spaced 1, 2, 5, 10, 20, 50, … decades
// apart, the smallest spacing that gives at most maxTicks of them (the two ends when that leaves
// fewer than two). A range of 300 decades, say from a weight that overflowed, is labelled 1,
// 1e+100, 1e+200, 1e+300, where Vega's own choice would be 1e-1, 1e+77, 1e+155, 1e+233.
export function decadeTicks(lo: number, hi: number, maxTicks = 6): { domain: number[]; ticks: number[] } {
  if (!(lo > 0 && hi >= lo && Number.isFinite(hi))) {
    throw new Error(`decadeTicks: expected 0 < lo ≤ hi < ∞, got lo = ${lo}, hi = ${hi}`);
  }
  if (!(Number.isInteger(maxTicks) && maxTicks >= 2)) throw new Error(`decadeTicks: maxTicks must be an integer ≥ 2, got ${maxTicks}`);
  const decade = (e: number): number => Number(`1e${e}`); // exact, unlike 10 ** -5
  const from = Math.max(-323, Math.floor(Math.log10(lo))); // 1e-324 rounds to 0
  const to = Math.max(from + 1, Math.ceil(Math.log10(hi)));
  const multiples = (step: number): number[] => {
    const first = Math.ceil(from / step) * step;
    return Array.from({ length: Math.floor((to - first) / step) + 1 }, (_, i) => first + i * step);
  };
  const step = [1, 2, 5, 10, 20, 50, 100, 200].find((s) => multiples(s).length <= maxTicks) ?? 500;
  // the domain's top is the last finite decade when hi is close to the largest double
  const top = Number.isFinite(decade(to)) ? decade(to) : hi;
  const ticks = multiples(step).map(decade).filter((t) => t <= top);
  return { domain: [decade(from), top], ticks: ticks.length >= 2 ? ticks : [decade(from), top] };
}
