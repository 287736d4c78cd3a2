import { broadcastRows } from "../core/linalg.js";
import type { Matrix } from "../core/matrix.js";
import { sumRoundoff } from "./compare.js";

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
