import type { Json, VegaLiteSpec } from "./plot.js";

// A chart whose x values are whole numbers (layers, units, epochs) labelled as such: Vega's default
// labels a short range 1.0, 1.5, 2.0, …; this puts ticks at whole numbers only, printed without
// decimals. spec: a chart from plot.ts with an x encoding → a new spec (the argument is left alone).
// Throws when the spec has no x encoding, or a log-scale one (whose ticks are powers of ten).
export function wholeNumberX(spec: VegaLiteSpec): VegaLiteSpec {
  const encoding = spec.encoding as { [key: string]: Json } | undefined;
  const x = encoding?.x as { [key: string]: Json } | undefined;
  if (!encoding || !x) throw new Error("wholeNumberX: the chart has no x encoding");
  if (JSON.stringify(x.scale ?? null).includes('"log"')) {
    throw new Error("wholeNumberX: the x axis is on a log scale, whose ticks are powers of ten already");
  }
  const axis = { ...((x.axis as { [key: string]: Json } | undefined) ?? {}), format: "d", tickMinStep: 1 };
  return { ...spec, encoding: { ...encoding, x: { ...x, axis } } };
}
