import { broadcastRows } from "../core/linalg.js";
import type { Matrix } from "../core/matrix.js";
import { EPS, sumRoundoff } from "./compare.js";

// How far two float64 computations of a batch norm's ∂E/∂X (K×m) that should agree can differ,
// and how far from 0 a column sum of it can come out, when both start from the same X and dX̂
// (notebook 07 compares the node-by-node chain rule, the collected formula and the library's). Its
// terms, s ⊙ dX̂ and the two subtracted means, are of size t = max |1s ⊙ dX̂| and cancel; and X̂
// carries the rounding of X − 1μ, which is exact only to ε·|X| (a column far from 0 has a mean
// far from 0), so X̂ is off by about |X|·s units in its last place. Hence
//   sumRoundoff(K, t·(1 + max|X|·max s))
// as the batch-norm tests in test/batchnorm.test.ts bound it. X: the layer's input (K×m), invStd:
// s = 1/√(σ² + ε) (1×m), dXhat: ∂E/∂X̂ (K×m).
export function batchNormRoundoff(X: Matrix, invStd: Matrix, dXhat: Matrix): number {
  const terms = broadcastRows(invStd, X.rows).mul(dXhat).maxAbs();
  return sumRoundoff(X.rows, terms * (1 + X.maxAbs() * invStd.maxAbs()));
}

// The rounding that a loss computed through a batch norm carries in float64 (notebook 07 §4):
// Z − 1μ is exact only to ε·|Z|, so every normalized value is off by about |Z|·s units in its
// last place, and the loss by that times |dX̂| in each of the K·m entries. Z: the layer's input
// (K×m), invStd: s = 1/√(σ² + ε) (1×m), dXhat: ∂E/∂X̂ (K×m); shift: how far the caller moves
// entries of Z (a bias moved by 3 moves its column by 3), 0 by default.
export function batchNormLossRoundoff(Z: Matrix, invStd: Matrix, dXhat: Matrix, shift = 0): number {
  return sumRoundoff(Z.rows * Z.cols, dXhat.maxAbs() * (Z.maxAbs() + Math.abs(shift)) * invStd.maxAbs());
}

// What a centred difference with step h can be off by when the function differenced runs through
// a batch norm (notebook 07 §3, §5): truncation h²·E‴ plus rounding ε·size/h, with the factor 100
// of centredDifferenceError, plus the function's own rounding over h (lossRoundoff, such as
// batchNormLossRoundoff; 0 by default). E‴ grows as the cube of the largest s = 1/√(σ² + ε) of a
// unit that varies (a constant unit's loss is flat in it), and is of order 1 otherwise.
// variance: σ² (1×m), invStd: s (1×m), size: the size of the function's value.
export function normalizationDifferenceError(
  h: number, variance: Matrix, invStd: Matrix, size: number, lossRoundoff = 0,
): number {
  const s = Math.max(1, ...Array.from(variance.data, (v, j) => (v > 0 ? invStd.data[j] : 0)));
  return 100 * (h * h * s ** 3 + (EPS * Math.abs(size)) / h) + lossRoundoff / h;
}
