import type { Matrix } from "../core/matrix.js";
import type { Layer, LayerCache, LayerGrads, Mode, Param } from "./layer.js";
import type { LossFn, LossResult, Reduction } from "./losses.js";
import { applyUpdate } from "./optimizers.js";

// How a Network runs its layers, its loss and its SGD step. The reference kernels are the
// teaching code itself (each layer's forward and backward, the loss as written); the fast ones
// (fast/kernels.ts) give the same numbers bit for bit with less bookkeeping, and are the default.
export interface Kernels {
  readonly name: "reference" | "fast";
  forward(layer: Layer, X: Matrix, mode: Mode): LayerCache;
  backward(layer: Layer, cache: LayerCache, dA: Matrix, withDX: boolean): LayerGrads;
  loss(fn: LossFn, out: Matrix, Y: Matrix, reduction: Reduction): LossResult;
  sgd(params: readonly Param[], grads: readonly Matrix[], eta: number): void; // W ← W − η·dW, in place
}

export const referenceKernels: Kernels = {
  name: "reference",
  forward: (layer, X, mode) => layer.forward(X, mode),
  backward: (layer, cache, dA, withDX) => layer.backward(cache, dA, withDX),
  loss: (fn, out, Y, reduction) => fn(out, Y, reduction),
  sgd: (params, grads, eta) => applyUpdate("sgdStep", eta, params, (p, i) => p.value.sub(grads[i].scale(eta))),
};
