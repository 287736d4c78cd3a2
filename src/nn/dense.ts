import { ShapeError } from "../core/errors.js";
import { broadcastRows, matmul } from "../core/linalg.js";
import { Matrix } from "../core/matrix.js";
import type { Rng } from "../core/rng.js";
import { type Activation, activate } from "./activations.js";
import { type Init, lecun } from "./init.js";
import type { Layer, LayerCache, Param } from "./layer.js";

// What the forward pass keeps for the backward pass: the input X (K×n), the pre-activation
// Z = X·W + 1·b (K×m) and the output A = act(Z) (K×m).
export interface DenseCache extends LayerCache {
  X: Matrix;
  Z: Matrix;
  A: Matrix;
}

// Gradients of the loss with respect to W (n×m), b (1×m) and the layer's input X (K×n);
// dX is null when it was not asked for.
export type DenseGrads = {
  dW: Matrix;
  db: Matrix;
  dX: Matrix | null;
};

// A fully connected layer, n inputs → m outputs, one sample per row, its activation fused.
export class Dense implements Layer<DenseCache> {
  readonly kind = "Dense";
  readonly W: Matrix;
  readonly b: Matrix;
  readonly act: Activation;

  // W (n×m), b (1×m); throws a ShapeError when b is not 1×m
  constructor(W: Matrix, b: Matrix, act: Activation) {
    if (b.rows !== 1 || b.cols !== W.cols) {
      throw new ShapeError("Dense", [W.shape, b.shape], `b must be 1×${W.cols} for W ${W.shape}`);
    }
    this.W = W;
    this.b = b;
    this.act = act;
  }

  // n, m → W (n×m) drawn by init (default lecun: normal(0, 1/√n), so every z starts with
  // variance about 1 when the inputs have it; see init.ts for the others); b = 0.
  static init(n: number, m: number, act: Activation, rng: Rng, init: Init = lecun): Dense {
    return new Dense(init(n, m, rng), Matrix.zeros(1, m), act);
  }

  get inputs(): number {
    return this.W.rows;
  }

  get outputs(): number {
    return this.W.cols;
  }

  params(): Param[] {
    return [
      { name: "W", value: this.W, kind: "weight" },
      { name: "b", value: this.b, kind: "bias" },
    ];
  }

  // X (K×n) → Z = X·W + 1·b (K×m), A = act(Z) (K×m); a ShapeError when X is not K×n
  forward(X: Matrix): DenseCache {
    checkDenseInput(this, X);
    const Z = matmul(X, this.W).add(broadcastRows(this.b, X.rows));
    return { X, Z, A: activate(this.act, Z) };
  }

  // dA = ∂E/∂A (K×m) → dW = Xᵀ·dZ (n×m), db = 1ᵀ·dZ (1×m), dX = dZ·Wᵀ (K×n), where
  // dZ = ∂E/∂Z comes from the activation's backward pass. withDX = false skips dX, as big a
  // product as dW: a first layer's dX reaches no parameter.
  backward(cache: DenseCache, dA: Matrix, withDX = true): DenseGrads {
    checkDenseUpstream(cache, dA);
    const dZ = this.act.backward(cache.Z, cache.A, dA);
    return {
      dW: matmul(cache.X, dZ, true), // Xᵀ·dZ: the sum over samples of the outer products x_kᵀ δ_k
      db: dZ.sum(0), // 1ᵀ·dZ: the adjoint of broadcasting b to every row
      dX: withDX ? matmul(dZ, this.W, false, true) : null, // dZ·Wᵀ
    };
  }

  // Each sample meets the same W and b: the layer is its own per-sample layer.
  forSample(): Dense {
    return this;
  }

  clone(): Dense {
    return new Dense(this.W.clone(), this.b.clone(), this.act);
  }
}

// The shape checks of Dense.forward and Dense.backward (the fast path makes the same ones).
export function checkDenseInput(layer: Dense, X: Matrix): void {
  if (X.cols !== layer.W.rows) {
    throw new ShapeError("Dense.forward", [X.shape, layer.W.shape], `X must be K×${layer.W.rows} for W ${layer.W.shape}`);
  }
}

export function checkDenseUpstream(cache: DenseCache, dA: Matrix): void {
  if (!dA.sameShape(cache.A)) {
    throw new ShapeError("Dense.backward", [dA.shape, cache.A.shape], "dA must have the shape of the layer output A");
  }
}
