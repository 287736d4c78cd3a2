import { logSoftmax } from "./activations.js";
import { Matrix } from "../core/matrix.js";
import { ShapeError } from "../core/errors.js";

// "sum" adds the per-sample losses of a batch; "mean" divides that sum by K, the number of
// samples (rows), so that the loss and its gradient do not grow with the batch size.
export type Reduction = "sum" | "mean";

// The loss value and dYhat = dE/d(output), the same shape as the output: where backprop starts.
export interface LossResult {
  loss: number;
  dYhat: Matrix;
}

// A loss takes the network output (K×m), the targets (K×m) and a reduction.
// fromLogits marks a loss that applies its own softmax and therefore wants raw scores:
// the network's last layer must then be `identity` (a softmax there would be applied twice).
export interface LossFn {
  (out: Matrix, y: Matrix, reduction: Reduction): LossResult;
  readonly fromLogits?: boolean;
}

// Mean squared error with the ½ convention, so that the gradient has no stray 2:
//   E_sum = ½ Σ_k Σ_j (ŷ_kj − y_kj)²,  E_mean = E_sum / K
//   dE/dŷ = ŷ − y  (÷ K for mean)
// (K×m), (K×m) → loss, K×m
export function mse(yhat: Matrix, y: Matrix, reduction: Reduction): LossResult {
  const divisor = perSample("mse", yhat, y, reduction);
  const diff = yhat.sub(y);
  return { loss: (0.5 * diff.mul(diff).total()) / divisor, dYhat: diff.scale(1 / divisor) };
}
mse.fromLogits = false;

// Softmax followed by cross-entropy, fused, taking logits z:
//   E_sum = −Σ_k Σ_j y_kj log softmax(z)_kj,  E_mean = E_sum / K
//   dE/dz = softmax(z) − y  (÷ K for mean)
// The fused gradient is exact only when every row of y sums to 1 (one-hot or a probability
// distribution), so that is checked. log softmax is computed stably (log-sum-exp).
// The loss and the gradient are each one loop over the entries, computing what
//   y.mul(logP.scale(−1)).total() / divisor  and  logP.map(Math.exp).sub(y).scale(1 / divisor)
// compute, in the same order (so to the same digits), without the four K×m matrices in between.
// (K×m), (K×m) → loss, K×m
export function softmaxCrossEntropy(z: Matrix, y: Matrix, reduction: Reduction): LossResult {
  const divisor = perSample("softmaxCrossEntropy", z, y, reduction);
  const m = y.cols;
  const rowSums = y.sum(1).data;
  for (let k = 0; k < y.rows; k++) {
    if (Math.abs(rowSums[k] - 1) > 1e-9 || y.data.subarray(k * m, (k + 1) * m).some((p) => p < 0)) {
      throw new Error(
        `softmaxCrossEntropy: row ${k} of y is not a probability distribution (sum ${rowSums[k]}); expected one-hot or non-negative entries summing to 1`,
      );
    }
  }
  const [logP, t] = [logSoftmax(z).data, y.data];
  const [scale, dYhat] = [1 / divisor, new Float64Array(t.length)];
  let total = 0;
  for (let k = 0; k < t.length; k++) {
    total += t[k] * (logP[k] * -1);
    dYhat[k] = (Math.exp(logP[k]) - t[k]) * scale;
  }
  return { loss: total / divisor, dYhat: new Matrix(z.rows, z.cols, dYhat) };
}
softmaxCrossEntropy.fromLogits = true;

// Checks a loss's arguments and returns what the summed loss is divided by.
function perSample(op: string, out: Matrix, y: Matrix, reduction: Reduction): number {
  if (!out.sameShape(y)) {
    throw new ShapeError(op, [out.shape, y.shape], "output and target must have the same shape K×m");
  }
  return reductionDivisor(op, reduction, out.rows);
}

// What a summed loss over K samples is divided by: 1 for "sum", K for "mean".
export function reductionDivisor(op: string, reduction: Reduction, K: number): number {
  if (reduction === "sum") return 1;
  if (reduction === "mean") return K;
  throw new Error(`${op}: reduction must be "sum" or "mean", got ${JSON.stringify(reduction)}`);
}

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
