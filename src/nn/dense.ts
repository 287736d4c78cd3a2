import type { Activation } from "./activations.js";
import { assertPositiveInt } from "../core/errors.js";
import { type Matmul, matmulFast } from "../fast/matmul-fast.js";
import { Matrix } from "../core/matrix.js";
import type { Rng } from "../core/rng.js";
import { ShapeError } from "../core/errors.js";

// What the forward pass keeps for the backward pass: the input X (K×n), the pre-activation
// Z = X·W + 1·b (K×m) and the output A = act(Z) (K×m).
export interface DenseCache {
  X: Matrix;
  Z: Matrix;
  A: Matrix;
}

// Gradients of the loss with respect to W (n×m), b (1×m) and the layer's input X (K×n);
// dX is null when it was not asked for.
export interface DenseGrads {
  dW: Matrix;
  db: Matrix;
  dX: Matrix | null;
}

// A fully connected layer, n inputs → m outputs, one sample per row.
export class Dense {
  readonly W: Matrix;
  readonly b: Matrix;
  readonly act: Activation;

  // W (n×m), b (1×m)
  constructor(W: Matrix, b: Matrix, act: Activation) {
    if (b.rows !== 1 || b.cols !== W.cols) {
      throw new ShapeError("Dense", [W.shape, b.shape], `b must be 1×${W.cols} for W ${W.shape}`);
    }
    this.W = W;
    this.b = b;
    this.act = act;
  }

  // n, m → W (n×m) with normal(0, 1/√n) entries, so every z starts with variance about 1
  // when the inputs have it; b = 0.
  static init(n: number, m: number, act: Activation, rng: Rng): Dense {
    assertPositiveInt("Dense.init", "n", n);
    return new Dense(Matrix.random(n, m, rng, 1 / Math.sqrt(n)), Matrix.zeros(1, m), act);
  }

  // X (K×n) → Z = X·W + 1·b (K×m), A = act(Z) (K×m); mm is the matrix product to use
  forward(X: Matrix, mm: Matmul = matmulFast): DenseCache {
    if (X.cols !== this.W.rows) {
      throw new ShapeError("Dense.forward", [X.shape, this.W.shape], `X must be K×${this.W.rows} for W ${this.W.shape}`);
    }
    const Z = plusBias(mm(X, this.W), this.b);
    return { X, Z, A: this.act.f(Z) };
  }

  // dA = dE/dA (K×m) → dW = Xᵀ·dZ (n×m), db = 1ᵀ·dZ (1×m), dX = dZ·Wᵀ (K×n),
  // where dZ = dE/dZ comes from the activation's backward pass; mm is the matrix product to use.
  // withDX = false skips dX, as big a product as dW: a first layer's dX reaches no parameter.
  backward(cache: DenseCache, dA: Matrix, mm: Matmul = matmulFast, withDX = true): DenseGrads {
    if (!dA.sameShape(cache.A)) {
      throw new ShapeError("Dense.backward", [dA.shape, cache.A.shape], "dA must have the shape of the layer output A");
    }
    const dZ = this.act.backward(cache.Z, cache.A, dA);
    return {
      dW: mm(cache.X, dZ, true), // Xᵀ·dZ: the sum over samples of the outer products x_kᵀ δ_k
      db: dZ.sum(0), // 1ᵀ·dZ: the adjoint of broadcasting b to every row
      dX: withDX ? mm(dZ, this.W, false, true) : null,
    };
  }

  clone(): Dense {
    return new Dense(this.W.clone(), this.b.clone(), this.act);
  }
}

// XW (K×m), b (1×m) → XW + 1·b (K×m): b added to every row, instead of XW.add(broadcastRows(b, K)),
// which builds the K×m matrix 1·b through a product and checks it entry by entry. The numbers are
// the same: an entry of 1·b is 0 + 1·b_j = b_j (or +0 for b_j = −0, and XW + ±0 = XW, since a
// product's sum, started at +0, is never −0).
function plusBias(XW: Matrix, b: Matrix): Matrix {
  const [m, xw, bias, z] = [XW.cols, XW.data, b.data, new Float64Array(XW.data.length)];
  for (let row = 0; row < z.length; row += m) {
    for (let j = 0; j < m; j++) z[row + j] = xw[row + j] + bias[j];
  }
  return new Matrix(XW.rows, m, z);
}
