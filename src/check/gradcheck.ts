import { assertFinite, assertPositiveInt } from "../core/errors.js";
import type { LossFn, Reduction } from "../nn/losses.js";
import type { Matrix } from "../core/matrix.js";
import type { Dense, DenseCache } from "../nn/dense.js";
import type { Layer, Param } from "../nn/layer.js";
import type { Network, ObjectiveOptions } from "../nn/network.js";
import type { Grads } from "../nn/optimizers.js";
import { Rng } from "../core/rng.js";
import { ShapeError } from "../core/errors.js";

// How well one parameter array's analytic gradient a matches the numerical one n:
//   relError = max_i |a_i − n_i| / max(1e-8, max_i (|a_i| + |n_i|))
// over the checked entries i: the worst entry error, relative to the array's largest gradient
// magnitude (a per-entry ratio would blow up on entries that are rounding noise around 0).
// Two cases it does not show on its own:
// - A gradient that is exactly 0 (a bias just before batch norm) has a finite difference of
//   rounding noise, which the 1e-8 floor would turn into a relError of order 1e-4 to 1e-2. When
//   max_i (|a_i| + |n_i|) is at most the difference's resolution (differenceResolution), both
//   gradients are 0 as far as the check can tell: relError is 0 and belowResolution is true.
// - A wrong term much smaller than the gradient (an L2 penalty's λW/N) gives a small relError:
//   absError, compared with the term's size by termRatio, shows it.
export interface GradCheckReport {
  name: string;
  relError: number;
  absError: number; // max_i |a_i − n_i| over the checked entries
  resolution: number; // differenceResolution(E, h), E the largest |loss| the check evaluated
  belowResolution: boolean; // both gradients at most resolution: relError reported as 0
  checked: number; // how many entries were compared
  kinked: number; // of those, how many were left out because the perturbation crossed a kink
  shape: string;
}

// How large a centred difference can be on a function whose derivative is 0: the rounding of
// the two loss values. Each is computed with an error of a few units of ε|E| (ε = 2⁻⁵²), and
// (E(p + h) − E(p − h)) / 2h turns that into about ε|E|/h (Nocedal and Wright, "Numerical
// Optimization", 2nd ed., 2006, §8.1: with |comp(f) − f| ≤ u·L_f, u the unit roundoff and L_f
// a bound on |f|, the forward difference's rounding term is 2u·L_f/h; the same argument gives
// u·L_f/h for the central one, and ε = 2u). The factor 64 leaves room for a loss whose
// rounding grows with the number of operations behind it: on batch-norm-style exact zeros
// (K = 5 to 256) the noise measured at most 1.2 ε|E|/h. At |E| = 1, h = 1e-5 the resolution is
// 1.4e-9: a check at that step cannot tell a gradient that small from 0.
// E: a loss value (the larger of E(p ± h)); h > 0, default 1e-5 as in gradCheck.
export function differenceResolution(E: number, h = 1e-5): number {
  assertFinite("differenceResolution", "E", E);
  if (!(h > 0 && Number.isFinite(h))) throw new Error(`differenceResolution: h must be a positive finite number, got ${String(h)}`);
  return (64 * Number.EPSILON * Math.abs(E)) / h;
}

// absError / scale, for a wrong term whose size the caller knows (λ·max|W|/N for an L2 penalty).
// A right gradient's absolute error is at the check's resolution; a wrong term of size s shows
// as absError ≈ s, so absError / s near 1 (or 2, for a sign flip) names it even when relError
// is small. scale > 0.
export function termRatio(report: Pick<GradCheckReport, "absError">, scale: number): number {
  if (!(scale > 0 && Number.isFinite(scale))) throw new Error(`termRatio: scale must be a positive finite number, got ${String(scale)}`);
  return report.absError / scale;
}

// What gradCheck perturbs: a named array (a network's Param, or any { name, value }).
export type Checked = Pick<Param, "name" | "value">;

export interface GradCheckOptions {
  h?: number; // step of the centred difference, default 1e-5
  maxEntries?: number; // per array; beyond that a seeded random sample of entries, default 200
  seed?: number; // for that sample, default 0
  // Which side of every kink the computation is on (ReLU's z > 0, say), as a string: when it
  // differs between p + h and p − h, the difference quotient straddles a point where the loss
  // has no derivative, so the entry is counted in `kinked` and left out of relError.
  kinkSide?: () => string;
}

// params[i] (any shape), analytic[i] (the same shape; or Grads, found by the parameters' names)
// → one report per array.
// Numerical gradient by centred differences, ∂E/∂p ≈ (E(p + h) − E(p − h)) / 2h, perturbing one
// entry of value.data in place and restoring it exactly afterwards. lossAt must read the
// parameters' current data (a closure over the network, say).
export function gradCheck(
  params: readonly Checked[],
  lossAt: () => number,
  analytic: readonly Matrix[] | Grads,
  opts: GradCheckOptions = {},
): GradCheckReport[] {
  const { h = 1e-5, maxEntries = 200, seed = 0, kinkSide } = opts;
  if (!(h > 0 && Number.isFinite(h))) throw new Error(`gradCheck: h must be a positive finite number, got ${String(h)}`);
  assertPositiveInt("gradCheck", "maxEntries", maxEntries);
  const byName = (grads: Grads): Matrix[] =>
    params.map(({ name }) => {
      if (!(name in grads)) throw new Error(`gradCheck: no analytic gradient for ${name}; got ${Object.keys(grads).join(", ")}`);
      return grads[name];
    });
  const list = Array.isArray(analytic) ? (analytic as readonly Matrix[]) : byName(analytic as Grads);
  if (list.length !== params.length) {
    throw new Error(`gradCheck: ${params.length} parameter arrays but ${list.length} analytic gradients`);
  }
  const rng = new Rng(seed);
  return params.map(({ name, value }, i) => {
    const a = list[i];
    if (!a.sameShape(value)) {
      throw new ShapeError("gradCheck", [value.shape, a.shape], `the analytic gradient for ${name} must have its shape`);
    }
    const size = value.data.length;
    const entries = size <= maxEntries ? [...Array(size).keys()] : rng.permutation(size).slice(0, maxEntries);
    let maxErr = 0;
    let maxMag = 0;
    let maxLoss = 0;
    let kinked = 0;
    for (const k of entries) {
      const { numeric, crossed, loss } = centredDifference(value.data, k, h, lossAt, kinkSide);
      maxLoss = Math.max(maxLoss, loss);
      if (crossed) {
        kinked++;
        continue;
      }
      maxErr = Math.max(maxErr, Math.abs(a.data[k] - numeric));
      maxMag = Math.max(maxMag, Math.abs(a.data[k]) + Math.abs(numeric));
    }
    const resolution = differenceResolution(maxLoss, h);
    const belowResolution = kinked < entries.length && maxMag <= resolution;
    const relError = belowResolution ? 0 : maxErr / Math.max(1e-8, maxMag);
    return { name, relError, absError: maxErr, resolution, belowResolution, checked: entries.length, kinked, shape: value.shape };
  });
}

// The whole numerical gradient of lossAt with respect to value (any shape → the same shape), by
// centred differences: the reference an exercise checker compares an answer with, so that it
// never holds the formula it asks for. Its entries are rounding noise below
// differenceResolution(lossAt(), h): pass that to diagnose or answerVerdict as `resolution`.
export function numericalGradient(value: Matrix, lossAt: () => number, h = 1e-5): Matrix {
  if (!(h > 0 && Number.isFinite(h))) throw new Error(`numericalGradient: h must be a positive finite number, got ${String(h)}`);
  const g = value.map(() => 0);
  for (let k = 0; k < value.data.length; k++) g.data[k] = centredDifference(value.data, k, h, lossAt).numeric;
  return g;
}

// E with entry k of value moved by t, the entry restored exactly afterwards.
export function lossShifted(value: Matrix, k: number, t: number, lossAt: () => number): number {
  const original = value.data[k];
  try {
    value.data[k] = original + t;
    return lossAt();
  } finally {
    value.data[k] = original;
  }
}

export interface DifferenceOptions {
  scheme?: "central" | "forward"; // default central
  float32?: boolean; // round the moved entry and every loss value to float32 (Math.fround)
}

// One difference quotient for entry k of value, the numerical ∂E/∂p_k:
//   central: (E(p + h) − E(p − h)) / 2h, error O(h²) + O(ε/h)
//   forward: (E(p + h) − E(p)) / h,      error O(h)  + O(ε/h)
// float32 emulates a float32 computation's two roundings: the step actually taken is
// fl(p + h) − p, and each loss value is rounded (the library itself computes in float64).
export function difference(value: Matrix, k: number, h: number, lossAt: () => number, opts: DifferenceOptions = {}): number {
  if (!(h > 0 && Number.isFinite(h))) throw new Error(`difference: h must be a positive finite number, got ${String(h)}`);
  if (!Number.isInteger(k) || k < 0 || k >= value.data.length) {
    throw new RangeError(`difference: entry ${String(k)} is outside ${value.shape}`);
  }
  const round = opts.float32 ? Math.fround : (x: number) => x;
  const p = round(value.data[k]);
  const at = (t: number) => round(lossShifted(value, k, round(p + t) - value.data[k], lossAt));
  const step = (t: number) => round(p + t) - p;
  return opts.scheme === "forward"
    ? (at(h) - at(0)) / step(h)
    : (at(h) - at(-h)) / (step(h) - step(-h));
}

// (E(p_k + h) − E(p_k − h)) / 2h, leaving data[k] exactly as it was; crossed: the two
// evaluations were on different sides of a kink (see kinkSide); loss: max |E(p_k ± h)|
function centredDifference(
  data: Float64Array,
  k: number,
  h: number,
  lossAt: () => number,
  kinkSide?: () => string,
): { numeric: number; crossed: boolean; loss: number } {
  const original = data[k];
  try {
    data[k] = original + h;
    const plus = lossAt();
    const sidePlus = kinkSide?.();
    data[k] = original - h;
    const minus = lossAt();
    const sideMinus = kinkSide?.();
    assertFinite("gradCheck", "the value of lossAt()", plus);
    assertFinite("gradCheck", "the value of lossAt()", minus);
    return {
      numeric: (plus - minus) / (2 * h),
      crossed: sidePlus !== sideMinus,
      loss: Math.max(Math.abs(plus), Math.abs(minus)),
    };
  } finally {
    data[k] = original;
  }
}

// Checks the batched backward pass of net on X (K×n₀), Y (K×n_L), with the penalty if one is
// given: one report per W1, b1, W2, … Layers that draw random numbers (dropout) are frozen for
// the check after the gradient's forward pass, so that every loss evaluation uses its masks.
export function checkNetwork(
  net: Network,
  X: Matrix,
  Y: Matrix,
  loss: LossFn,
  reduction: Reduction,
  opts: GradCheckOptions & ObjectiveOptions = {},
): GradCheckReport[] {
  const { penalty, ...check } = opts;
  const { grads } = net.lossAndGrads(X, Y, loss, reduction, { penalty });
  const thawed = net.layers.filter((layer) => layer.freeze && !layer.frozen);
  thawed.forEach((layer) => layer.freeze?.());
  try {
    return gradCheck(net.params(), () => net.evaluate(X, Y, loss, reduction, { penalty }), grads, {
      kinkSide: () => kinkSides(net, X),
      ...check,
    });
  } finally {
    thawed.forEach((layer) => layer.unfreeze?.());
  }
}

// The side of its kinks every pre-activation of a kinked activation (ReLU) is on, one character
// per entry: "" for a network without kinks. The pre-activation is Dense's Z, or the input of an
// activation layer.
export function kinkSides(net: Network, X: Matrix): string {
  const kinksOf = (layer: Layer): readonly number[] => ("act" in layer ? (layer as Dense).act.kinks ?? [] : []);
  if (!net.layers.some((layer) => kinksOf(layer).length)) return "";
  return net
    .forward(X)
    .caches.map((cache, l) => {
      const kinks = kinksOf(net.layers[l]);
      const pre = "Z" in cache ? (cache as DenseCache).Z : cache.X;
      return kinks.length ? Array.from(pre.data, (z) => kinks.filter((c) => z > c).length).join("") : "";
    })
    .join("|");
}
