import { ShapeError } from "../core/errors.js";
import { matmul } from "../core/linalg.js";
import type { Matrix } from "../core/matrix.js";
import { Dense, type DenseCache } from "./dense.js";
import { type LossFn, type Reduction, lossGradient } from "./losses.js";
import type { Network } from "./network.js";

// What the backward pass carries from layer to layer, kept: the error δ_l = ∂E/∂Z_l of every Dense
// layer, and the sizes of the forward and backward signals that notebook 09 compares across layers
// and initial weights with the variance argument (init.ts):
//   forward   Var z_l = n_{l−1} · Var w_l · E[x_l²]                  (x_l: the layer's input)
//   backward  E[δ_l²] = n_{l+1} · Var w_{l+1} · E[δ_{l+1}²] · E[f′(z_l)²]
// for independent zero-mean weights, independent of what they multiply.

// One batched backward pass, X (K×n₀), Y (K×n_L) → [δ_1, …, δ_L], where δ_l = ∂E/∂Z_l (K×n_l) is
// the error at the l-th Dense layer's pre-activation, in train mode. It is the pass of
// Network.lossAndGrads (δ_l is the dZ that layer turns into dW = Xᵀδ and db = 1ᵀδ), with the δ
// kept instead of the gradients.
// Throws: a ShapeError when X and Y differ in rows; a logit loss (bceWithLogits,
// softmaxCrossEntropy) after a last Dense layer whose activation is not identity; a network
// without a Dense layer. The layers' own shape errors pass through.
export function deltas(net: Network, X: Matrix, Y: Matrix, loss: LossFn, reduction: Reduction): Matrix[] {
  return backwardKept("deltas", net, X, Y, loss, reduction).deltas;
}

// The caches of the Dense layers and their δ, from one forward and one backward pass (so that a
// dropout layer draws one mask for both).
function backwardKept(
  op: string,
  net: Network,
  X: Matrix,
  Y: Matrix,
  loss: LossFn,
  reduction: Reduction,
): { caches: DenseCache[]; deltas: Matrix[]; layers: Dense[] } {
  if (X.rows !== Y.rows) throw new ShapeError(op, [X.shape, Y.shape], "X and Y need one row per sample");
  const dense = net.layers.filter((layer): layer is Dense => layer instanceof Dense);
  if (dense.length === 0) throw new Error(`${op}: the network has no Dense layer, so no δ`);
  const last = dense[dense.length - 1];
  if (loss.fromLogits && last.act.name !== "identity") {
    throw new Error(`${op}: ${loss.name} takes logits, so the last activation must be identity, got ${last.act.name}`);
  }
  const { caches, out } = net.forward(X);
  let dA = lossGradient(loss(out, Y, reduction)); // ∂E/∂A at the last layer, K×n_L
  const found: Matrix[] = [];
  const kept: DenseCache[] = [];
  for (let l = net.layers.length - 1; l >= 0; l--) {
    const layer = net.layers[l];
    if (layer instanceof Dense) {
      const cache = caches[l] as DenseCache;
      const delta = layer.act.backward(cache.Z, cache.A, dA); // δ = dA ⊙ f′(Z), K×m
      found.unshift(delta);
      kept.unshift(cache);
      if (l > 0) dA = matmul(delta, layer.W, false, true); // δ·Wᵀ: (K×m)·(m×n) → K×n
    } else {
      dA = layer.backward(caches[l], dA, true).dX as Matrix; // asked for
    }
  }
  return { caches: kept, deltas: found, layers: dense };
}

// √(mean of the squared entries): the size of a typical entry whatever the shape, so that layers
// of different widths and batches of different sizes compare; for zero-mean entries, the square
// root of their variance. M (r×c) → number ≥ 0.
export function rms(M: Matrix): number {
  let s = 0;
  for (const v of M.data) s += v * v;
  return Math.sqrt(s / M.data.length);
}

// The sizes in one forward and backward pass through the l-th Dense layer (l from 1), all as rms.
export interface LayerScale {
  layer: number; // l
  fanIn: number; // n_{l−1}: rows of W_l
  fanOut: number; // n_l: columns of W_l
  weightVar: number; // mean of W_l's squared entries: the variance the drawn weights have
  input: number; // rms(X_l): the data for l = 1, else the previous layer's output A_{l−1}
  z: number; // rms(Z_l)
  derivative: number; // rms(f′(Z_l)); NaN for an activation without an elementwise f′ (softmax)
  delta: number; // rms(δ_l), δ_l = ∂E/∂Z_l
}

// X (K×n₀), Y (K×n_L) → one LayerScale per Dense layer, in order. Throws what deltas throws.
export function layerScales(net: Network, X: Matrix, Y: Matrix, loss: LossFn, reduction: Reduction): LayerScale[] {
  const { caches, deltas: ds, layers } = backwardKept("layerScales", net, X, Y, loss, reduction);
  return caches.map((cache, i) => {
    const { W, act } = layers[i];
    const fPrime = act.dfdz(cache.Z);
    return {
      layer: i + 1,
      fanIn: W.rows,
      fanOut: W.cols,
      weightVar: rms(W) ** 2,
      input: rms(cache.X),
      z: rms(cache.Z),
      derivative: fPrime ? rms(fPrime) : NaN,
      delta: rms(ds[i]),
    };
  });
}

// Each layer's sizes as the variance argument predicts them from its neighbour's measured ones:
//   z[l]     = √(n_{l−1} · Var w_l) · rms(X_l),                          l = 1..L
//   delta[l] = √(n_{l+1} · Var w_{l+1}) · rms(δ_{l+1}) · rms(f′(Z_l)),  l = 1..L−1
// (index l − 1 in the arrays; delta has L − 1 entries: the last δ comes from the loss), with
// Var w the weights' mean square. The forward one is exact in expectation over the weights of
// layer l, given its input: E[z²] = Σ_j x_j² · E[w²] for independent zero-mean w (the biases
// taken to be 0, as at the start). The backward one treats δ_{l+1} as independent of W_{l+1},
// which it is not quite (δ_{l+1} depends on Z_{l+1} = X_{l+1}W_{l+1}): an estimate, closer the
// wider the layers. Neither is a bound: one draw of the weights scatters around them.
export function predictedScales(scales: readonly LayerScale[]): { z: number[]; delta: number[] } {
  if (scales.length === 0) throw new Error("predictedScales: expected the scales of at least one layer");
  return {
    z: scales.map((s) => Math.sqrt(s.fanIn * s.weightVar) * s.input),
    delta: scales.slice(0, -1).map((s, i) => {
      const next = scales[i + 1];
      return Math.sqrt(next.fanOut * next.weightVar) * next.delta * s.derivative;
    }),
  };
}

// exp(mean of log(measured_i / predicted_i)): the typical factor between two lists of positive
// sizes, 1 when they agree on average (a geometric mean, so that a factor 2 and a factor ½
// cancel). Throws when the lengths differ, a list is empty, or an entry is not positive.
export function meanRatio(measured: readonly number[], predicted: readonly number[]): number {
  if (measured.length !== predicted.length || measured.length === 0) {
    throw new Error(`meanRatio: expected two lists of the same positive length, got ${measured.length} and ${predicted.length}`);
  }
  let s = 0;
  for (let i = 0; i < measured.length; i++) {
    const [m, p] = [measured[i], predicted[i]];
    if (!(m > 0 && p > 0 && Number.isFinite(m) && Number.isFinite(p))) {
      throw new Error(`meanRatio: entry ${i} is ${m} measured against ${p} predicted; both must be positive and finite`);
    }
    s += Math.log(m / p);
  }
  return Math.exp(s / measured.length);
}

// What the variance argument says about one pass (layerScales), as typical factors over the layers
// (geometric means, meanRatio), for a network of L Dense layers:
export interface ScaleSummary {
  forwardFit: number; // measured ÷ predicted rms(Z_l), l = 1..L: 1 when the forward formula holds
  backwardFit: number; // measured ÷ predicted rms(δ_l), l = 1..L−1: the same for the backward one
  // δ_l / δ_{l+1} over the hidden steps l = 1..L−2, measured and as predicted from δ_{l+1}: the factor
  // each hidden layer applies (the step back from the output layer, whose fan-out is its own width,
  // is left out); NaN when L < 3, which has no hidden step
  hiddenFactor: number;
  predictedHiddenFactor: number;
  firstOverLast: number; // rms(δ_1) / rms(δ_L)
}

// Throws what meanRatio throws: a size of 0 (every unit of a ReLU layer off for every sample,
// say), where no ratio is defined.
export function summarizeScales(scales: readonly LayerScale[]): ScaleSummary {
  const L = scales.length;
  const predicted = predictedScales(scales);
  const delta = (from: number, to: number) => scales.slice(from, to).map((s) => s.delta);
  return {
    forwardFit: meanRatio(scales.map((s) => s.z), predicted.z),
    backwardFit: L > 1 ? meanRatio(delta(0, L - 1), predicted.delta) : NaN,
    hiddenFactor: L > 2 ? meanRatio(delta(0, L - 2), delta(1, L - 1)) : NaN,
    predictedHiddenFactor: L > 2 ? meanRatio(predicted.delta.slice(0, L - 2), delta(1, L - 1)) : NaN,
    firstOverLast: scales[0].delta / scales[L - 1].delta,
  };
}
