import type { Matrix } from "../core/matrix.js";
import { type Activation, activate } from "./activations.js";

// What every layer of a Network is: a forward pass that keeps what its backward pass needs (the
// cache), and a backward pass that turns ∂E/∂A (the gradient at the layer's output) into the
// gradients of its parameters and ∂E/∂X (at its input). Samples are rows: X is K×n, A is K×m.

// "train" uses the batch itself (batch norm's batch statistics, dropout's mask); "eval" is the
// network at prediction time (batch norm's running statistics, no dropout).
export type Mode = "train" | "eval";

// A parameter array, named as in the notebooks' formulas: a layer calls its own W, b, gamma, beta,
// and the Network numbers them (W1, b1, gamma1, …). kind says what a penalty or weight decay
// applies to: by default the weights only.
export interface Param {
  name: string;
  value: Matrix;
  kind: "weight" | "bias" | "scale" | "shift";
}

// Every cache holds the layer's input X and its output A; a layer adds what its backward needs.
export interface LayerCache {
  X: Matrix;
  A: Matrix;
}

// The backward pass's result: dX = ∂E/∂X (null when it was not asked for) and, for each parameter
// the layer calls p, its gradient under the key "d" + p (dW, db, dgamma, dbeta).
export interface LayerGrads {
  dX: Matrix | null;
  [gradient: string]: Matrix | null;
}

export interface Layer<C extends LayerCache = LayerCache> {
  readonly kind: string; // "Dense", "BatchNorm", "Dropout", "Activation": named in errors
  readonly inputs?: number; // n, when the layer fixes it
  readonly outputs?: number; // m, when the layer fixes it
  params(): Param[]; // the live arrays, with the layer's own names (W, b)
  forward(X: Matrix, mode: Mode): C; // X (K×n) → cache with A (K×m)
  backward(cache: C, dA: Matrix, withDX: boolean): LayerGrads; // dA (K×m) → grads, dX (K×n)
  // The layer that sample k of a batch sees alone, for the per-sample path; absent in a layer
  // whose output rows depend on other rows of the batch (batch norm), where no such layer exists.
  forSample?(k: number): Layer<C>;
  // A layer that draws random numbers in its forward pass (dropout's mask) reuses its last draw
  // while frozen, so that a gradient check sees one function (checkNetwork freezes it).
  readonly frozen?: boolean;
  freeze?(): void;
  unfreeze?(): void;
  // A layer that keeps statistics of the batches it saw (batch norm's running mean and variance)
  // folds in those of a train-mode forward pass; Network.updateRunningStats calls it.
  updateRunningStats?(cache: C): void;
  clone(): Layer<C>;
}

// The cache type of a layer type: DenseCache for Dense.
export type CacheOf<L> = L extends Layer<infer C> ? C : never;

// An activation on its own, A = f(X), for networks that put a layer between the product and the
// nonlinearity (Dense with identity, then BatchNorm, then this). Dense fuses it otherwise.
export class ActivationLayer implements Layer {
  readonly kind = "Activation";
  readonly act: Activation;

  constructor(act: Activation) {
    this.act = act;
  }

  params(): Param[] {
    return [];
  }

  // X (K×m) → A = f(X) (K×m)
  forward(X: Matrix): LayerCache {
    return { X, A: activate(this.act, X) };
  }

  // dA (K×m) → dX = the activation's backward pass at X (K×m)
  backward(cache: LayerCache, dA: Matrix): LayerGrads {
    return { dX: this.act.backward(cache.X, cache.A, dA) };
  }

  forSample(): ActivationLayer {
    return this;
  }

  clone(): ActivationLayer {
    return this;
  }
}
