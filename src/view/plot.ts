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
