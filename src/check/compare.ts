import type { Network } from "../nn/network.js";
import { relError } from "./diagnose.js";

// How close two computations that should agree are, and how close they can be in float64: the
// rounding budgets the notebooks' claims compare with (introduced in 00), and the gap between two
// networks' parameters (01 and 05 compare a step on the summed loss with one on the mean).

// ε = 2⁻⁵², the gap between 1 and the next double.
export const EPS = Number.EPSILON;

// A few roundings of a sum of n terms whose magnitudes are of the order of scale: recursive
// summation is off by at most γ_{n−1}·Σ|x_i| with γ_k = k·u/(1 − k·u), u = ε/2 (Higham, Accuracy and
// Stability of Numerical Algorithms, 2nd ed., 2002, §4.2, eq. 4.4); 4·n·ε·scale leaves a margin
// of 8 for the products and the roundings around the sum.
export function sumRoundoff(n: number, scale: number): number {
  return 4 * n * EPS * scale;
}

// k roundings of a number of size x: k·ε·|x|.
export function ulps(k: number, x: number): number {
  return k * EPS * Math.abs(x);
}

// What a centred difference with step h can be off by, for a loss of size E whose third derivative
// is of order 1: truncation h² plus rounding ε·E/h, with a factor 100 (Nocedal and Wright,
// Numerical Optimization, 2nd ed., 2006, §8.1; notebook 06 measures both terms).
export function centredDifferenceError(h: number, E = 1): number {
  return 100 * (h * h + (EPS * Math.abs(E)) / h);
}

// The largest difference between two networks' parameters, array by array: the largest entry
// difference ("abs"), or the library's relative error relError ("rel"). The networks must have the
// same parameter names and shapes; anything else is refused by name.
export function paramGap(a: Network, b: Network, measure: "abs" | "rel" = "abs"): number {
  const [pa, pb] = [a.params(), b.params()];
  const names = (ps: typeof pa) => ps.map((p) => `${p.name} ${p.value.shape}`).join(", ");
  if (names(pa) !== names(pb)) throw new Error(`paramGap: the networks differ: ${names(pa)} vs ${names(pb)}`);
  return Math.max(...pa.map((p, i) => (measure === "abs" ? p.value.maxAbsDiff(pb[i].value) : relError(p.value, pb[i].value))));
}

// The largest relative error (gradCheck's measure) that a RIGHT gradient of a loss of size E can
// show in a gradient check with step h, when the array's largest gradient entry is gScale: the
// centred difference's own error (centredDifferenceError) relative to gScale, and never below
// floor, so that a check does not demand more than a double delivers on nearly flat losses.
export function gradCheckBound(h: number, E: number, gScale: number, floor = 1e-7): number {
  return Math.max(floor, centredDifferenceError(h, E) / gScale);
}
