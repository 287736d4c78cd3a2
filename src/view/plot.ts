import { assertFinite } from "../core/errors.js";

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
// yZero: false lets the y axis start above 0.
export function lineChart(
  series: Series[],
  opts: ChartOptions & { logY?: boolean; logX?: boolean; yZero?: boolean },
): VegaLiteSpec {
  if (series.length === 0) throw new Error("lineChart: expected at least one series");
  const values = series.flatMap(({ name, x, y }) => {
    if (x !== undefined && x.length !== y.length) {
      throw new Error(`lineChart: series "${name}" has ${x.length} x values but ${y.length} y values`);
    }
    return y.map((yi, i) => {
      const xi = x === undefined ? i + 1 : x[i];
      assertFinite("lineChart", `x[${i}] of series "${name}"`, xi);
      assertFinite("lineChart", `y[${i}] of series "${name}"`, yi);
      if (opts.logY === true && yi <= 0) {
        throw new Error(`lineChart: y[${i}] = ${yi} of series "${name}" cannot be shown on a log scale; expected y > 0`);
      }
      if (opts.logX === true && xi <= 0) {
        throw new Error(`lineChart: x[${i}] = ${xi} of series "${name}" cannot be shown on a log scale; expected x > 0`);
      }
      return { series: name, x: xi, y: yi };
    });
  });
  const y: { [key: string]: Json } = { field: "y", type: "quantitative", title: opts.yTitle };
  if (opts.logY === true) Object.assign(y, logAxis(values.map((v) => v.y)));
  else if (opts.yZero === false) y.scale = { zero: false }; // zoom in on curves that sit far above 0
  const x: { [key: string]: Json } = { field: "x", type: "quantitative", title: opts.xTitle };
  if (opts.logX === true) Object.assign(x, logAxis(values.map((v) => v.x)));
  return chart(opts, { type: "line", tooltip: true }, values, {
    x,
    y,
    color: { field: "series", type: "nominal", title: null, sort: null }, // legend in the order given
  });
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
