import { type LossResult, type Reduction, reductionDivisor } from "./losses.js";
import type { Matrix } from "./matrix.js";
import { ShapeError } from "./shape-error.js";

// Cross-entropy taken on its own, on probabilities P (the softmax already applied), as it is
// derived by hand before the chain rule through softmax:
//   E_sum = −Σ_k Σ_j y_kj log p_kj,  E_mean = E_sum / K
//   ∂E/∂P = −Y ⊘ P  (÷ K for mean): entry (k, j) is −y_kj / p_kj
// A probability that underflowed to 0 makes log p and y/p non-finite, which the Matrix refuses;
// softmaxCrossEntropy (losses.ts), which takes logits, never forms p before the log.
// (K×c), (K×c) → loss, K×c
export function crossEntropy(P: Matrix, Y: Matrix, reduction: Reduction): LossResult {
  if (!P.sameShape(Y)) {
    throw new ShapeError("crossEntropy", [P.shape, Y.shape], "probabilities and targets must have the same shape K×c");
  }
  const divisor = reductionDivisor("crossEntropy", reduction, P.rows);
  // a zero target contributes 0, whatever p is (the limit of y log p as y → 0)
  const loss = -Y.map((y, k, j) => (y === 0 ? 0 : y * Math.log(P.get(k, j)))).total() / divisor;
  const dP = Y.map((y, k, j) => (y === 0 ? 0 : -y / P.get(k, j) / divisor));
  return { loss, dYhat: dP };
}
