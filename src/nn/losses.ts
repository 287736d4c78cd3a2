import { ShapeError } from "../core/errors.js";
import { Matrix } from "../core/matrix.js";
import { logSoftmax, sigmoidScalar } from "./activations.js";

// "sum" adds the per-sample losses of a batch; "mean" divides that sum by K, the number of
// samples (rows), so that the loss and its gradient do not grow with the batch size.
export type Reduction = "sum" | "mean";

// Where backprop starts. A loss on the network's outputs Ŷ gives dYhat = ∂E/∂Ŷ; a loss that
// takes logits and applies its own softmax or sigmoid gives dZ = ∂E/∂Z, the gradient at the
// last layer's pre-activation. Either has the shape of what the loss took.
export interface OutputLoss {
  loss: number;
  dYhat: Matrix;
}
export interface LogitLoss {
  loss: number;
  dZ: Matrix;
}
export type LossResult = OutputLoss | LogitLoss;

// A loss takes the network output (K×m), the targets (K×m) and a reduction. One that takes
// logits (fromLogits) needs a network whose last activation is identity: a softmax or sigmoid
// there would be applied twice.
export interface OutputLossFn {
  (yhat: Matrix, y: Matrix, reduction: Reduction): OutputLoss;
  readonly fromLogits: false;
}
export interface LogitLossFn {
  (z: Matrix, y: Matrix, reduction: Reduction): LogitLoss;
  readonly fromLogits: true;
}
export type LossFn = OutputLossFn | LogitLossFn;

// A loss function with its name (errors name it) and its kind; the name is set here rather than
// taken from the function, which a bundler may rename.
function outputLoss(name: string, fn: (yhat: Matrix, y: Matrix, reduction: Reduction) => OutputLoss): OutputLossFn {
  return Object.assign(Object.defineProperty(fn, "name", { value: name }), { fromLogits: false as const });
}

function logitLoss(name: string, fn: (z: Matrix, y: Matrix, reduction: Reduction) => LogitLoss): LogitLossFn {
  return Object.assign(Object.defineProperty(fn, "name", { value: name }), { fromLogits: true as const });
}

// The gradient a loss hands to the last layer, ∂E/∂Ŷ or ∂E/∂Z (with identity there, the same).
export function lossGradient(result: LossResult): Matrix {
  return "dZ" in result ? result.dZ : result.dYhat;
}

// Mean squared error with the ½ convention, so that the gradient has no stray 2:
//   E_sum = ½ Σ_k Σ_j (ŷ_kj − y_kj)²,  E_mean = E_sum / K
//   ∂E/∂Ŷ = Ŷ − Y  (÷ K for mean)
// (K×m), (K×m) → loss, K×m
export const mse = outputLoss("mse", (yhat: Matrix, y: Matrix, reduction: Reduction): OutputLoss => {
  const divisor = perSample("mse", yhat, y, reduction);
  const diff = yhat.sub(y);
  return { loss: (0.5 * diff.mul(diff).total()) / divisor, dYhat: diff.scale(1 / divisor) };
});

// Softmax followed by cross-entropy, fused, taking logits z:
//   E_sum = −Σ_k Σ_j y_kj log softmax(z)_kj,  E_mean = E_sum / K
//   ∂E/∂Z = softmax(z) − y  (÷ K for mean)  (derived in notebook 05)
// The fused gradient is exact only when every row of y sums to 1 (one-hot or a probability
// distribution), so that is checked. log softmax is computed stably (log-sum-exp).
// (K×m), (K×m) → loss, K×m
export const softmaxCrossEntropy = logitLoss("softmaxCrossEntropy", (z: Matrix, y: Matrix, reduction: Reduction): LogitLoss => {
  const divisor = perSample("softmaxCrossEntropy", z, y, reduction);
  checkDistributions("softmaxCrossEntropy", y);
  const logP = logSoftmax(z);
  return {
    loss: y.mul(logP.scale(-1)).total() / divisor,
    dZ: logP.map(Math.exp).sub(y).scale(1 / divisor),
  };
});

// Cross-entropy taken on its own, on probabilities P (the softmax already applied), as it is
// derived by hand before the chain rule through softmax:
//   E_sum = −Σ_k Σ_j y_kj log p_kj,  E_mean = E_sum / K
//   ∂E/∂P = −Y ⊘ P  (÷ K for mean): entry (k, j) is −y_kj / p_kj
// A probability that underflowed to 0 makes log p and y/p non-finite, which the Matrix refuses;
// softmaxCrossEntropy, which takes logits, never forms p before the log.
// (K×c), (K×c) → loss, K×c
export const crossEntropy = outputLoss("crossEntropy", (P: Matrix, Y: Matrix, reduction: Reduction): OutputLoss => {
  const divisor = perSample("crossEntropy", P, Y, reduction);
  // a zero target contributes 0, whatever p is (the limit of y log p as y → 0)
  const loss = -Y.map((y, k, j) => (y === 0 ? 0 : y * Math.log(P.get(k, j)))).total() / divisor;
  const dP = Y.map((y, k, j) => (y === 0 ? 0 : -y / P.get(k, j) / divisor));
  return { loss, dYhat: dP };
});

// Binary cross-entropy on logits z (a sigmoid output fused with its loss), per entry:
//   E = −[y log σ(z) + (1 − y) log(1 − σ(z))] = max(z, 0) − z·y + log(1 + e^−|z|)
//   ∂E/∂z = σ(z) − y  (÷ K for mean)  (notebook 09: the one-output twin of 05's P − Y)
// The second form of E never takes the log of a rounded σ, so E and its gradient are finite for
// every z: a saturated wrong answer keeps a gradient of size 1 instead of a division by zero.
// Targets y in [0, 1]. (K×m), (K×m) → loss, K×m
export const bceWithLogits = logitLoss("bceWithLogits", (z: Matrix, y: Matrix, reduction: Reduction): LogitLoss => {
  const divisor = perSample("bceWithLogits", z, y, reduction);
  checkUnitInterval("bceWithLogits", y, "y", false);
  const perEntry = z.map((v, k, j) => Math.max(v, 0) - v * y.get(k, j) + Math.log1p(Math.exp(-Math.abs(v))));
  return { loss: perEntry.total() / divisor, dZ: z.map(sigmoidScalar).sub(y).scale(1 / divisor) };
});

// Binary cross-entropy on probabilities p = σ(z), taken on its own:
//   E = −[y log p + (1 − y) log(1 − p)],  ∂E/∂p = (p − y) / (p(1 − p))  (÷ K for mean)
// An exact 0 or 1 in p (a saturated sigmoid rounds to them) makes a log infinite and the gradient
// a division by zero, so it is refused, naming the entry. No ε is added: a clamp makes the loss
// flat there and the gradient silently 0, and a gradient check then passes (notebook 09).
// (K×m), (K×m) → loss, K×m
export const binaryCrossEntropy = outputLoss("binaryCrossEntropy", (p: Matrix, y: Matrix, reduction: Reduction): OutputLoss => {
  const divisor = perSample("binaryCrossEntropy", p, y, reduction);
  checkUnitInterval("binaryCrossEntropy", y, "y", false);
  checkUnitInterval("binaryCrossEntropy", p, "p", true);
  const perEntry = p.map((q, k, j) => {
    const t = y.get(k, j);
    return -(t * Math.log(q) + (1 - t) * Math.log(1 - q));
  });
  const dP = p.map((q, k, j) => (q - y.get(k, j)) / (q * (1 - q)));
  return { loss: perEntry.total() / divisor, dYhat: dP.scale(1 / divisor) };
});

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

// Every row of y a probability distribution: non-negative entries summing to 1 (within 1e-9).
export function checkDistributions(op: string, y: Matrix): void {
  const rowSums = y.sum(1).data;
  for (let k = 0; k < y.rows; k++) {
    if (Math.abs(rowSums[k] - 1) > 1e-9 || y.data.subarray(k * y.cols, (k + 1) * y.cols).some((p) => p < 0)) {
      throw new Error(
        `${op}: row ${k} of y is not a probability distribution (sum ${rowSums[k]}); expected one-hot or non-negative entries summing to 1`,
      );
    }
  }
}

// Every entry of x in [0, 1], or in (0, 1) when open.
function checkUnitInterval(op: string, x: Matrix, what: string, open: boolean): void {
  const k = x.data.findIndex((v) => (open ? !(v > 0 && v < 1) : !(v >= 0 && v <= 1)));
  if (k < 0) return;
  const [i, j, v] = [Math.floor(k / x.cols), k % x.cols, x.data[k]];
  if (open && (v === 0 || v === 1)) {
    throw new Error(
      `${op}: entry (${i},${j}) of ${what} is exactly ${v}, where log ${v === 0 ? "p" : "(1 − p)"} is −∞ and the gradient divides by zero; pass the logits to bceWithLogits instead (its gradient σ(z) − y is finite for every z), not p with an ε added`,
    );
  }
  throw new Error(`${op}: entry (${i},${j}) of ${what} is ${v}, expected a number in ${open ? "(0, 1)" : "[0, 1]"}`);
}
