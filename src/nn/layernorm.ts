import { ShapeError, assertPositiveInt } from "../core/errors.js";
import { broadcastCols, broadcastRows } from "../core/linalg.js";
import { Matrix } from "../core/matrix.js";
import type { Layer, LayerCache, Param } from "./layer.js";

// Layer normalisation of m features, one sample per row (Ba, Kiros and Hinton, "Layer
// Normalization", arXiv:1607.06450, 2016, §3): every ROW of X (K×m) is normalised by the
// mean and variance of its own m features, then scaled by gamma and shifted by beta, feature by
// feature. With 1 an m×1 column of ones (and 1 a K×1 one where a row γ is repeated):
//   μ  = (1/m)·X·1                            K×1, each sample's mean over its features
//   σ² = (1/m)·((X − μ1ᵀ) ⊙ (X − μ1ᵀ))·1      K×1, each sample's (biased) variance
//   X̂  = (X − μ1ᵀ) ⊘ √(σ² + ε)1ᵀ             K×m, each row with mean 0 and variance ≈ 1
//   A  = X̂ ⊙ 1γ + 1β                         K×m
// It is batch norm's computation (batchnorm.ts) along the other axis: the statistics are taken
// over the features of one sample instead of over the samples of one feature. So no row depends
// on another row, a sample's output is the same in any batch, there are no running statistics,
// and train and eval mode are the same function; forSample exists. The paper writes no ε; it is
// added inside the square root as PyTorch's LayerNorm does (eps = 1e-5), so that a row whose
// features are all equal (every row, when m = 1) divides by √ε: X̂ = 0 and A = 1β there.
// Every broadcast is written out: broadcastCols repeats a K×1 column m times, broadcastRows a
// 1×m row K times.

// What the forward pass keeps, one entry per node.
export interface LayerNormCache extends LayerCache {
  X: Matrix; // K×m, the input
  mu: Matrix; // K×1, each row's mean
  variance: Matrix; // K×1, each row's biased variance
  invStd: Matrix; // K×1, 1/√(σ² + ε)
  Xhat: Matrix; // K×m
  A: Matrix; // K×m, X̂ ⊙ 1γ + 1β
}

// ∂E/∂γ (1×m), ∂E/∂β (1×m), ∂E/∂X (K×m; null when not asked for).
export type LayerNormGrads = {
  dgamma: Matrix;
  dbeta: Matrix;
  dX: Matrix | null;
};

export class LayerNorm implements Layer<LayerNormCache> {
  readonly kind = "LayerNorm";
  readonly inputs: number;
  readonly outputs: number;
  readonly gamma: Matrix; // 1×m, initially ones
  readonly beta: Matrix; // 1×m, initially zeros
  readonly eps: number;

  // m features → γ = 1, β = 0; throws when m is not a positive integer or eps is not a finite
  // number > 0
  constructor(m: number, opts: { eps?: number } = {}) {
    assertPositiveInt("LayerNorm", "m (the number of features)", m);
    const { eps = 1e-5 } = opts;
    if (typeof eps !== "number" || !(eps > 0 && Number.isFinite(eps))) {
      throw new Error(`LayerNorm: eps must be a finite number > 0 (it keeps 1/√(σ² + ε) finite), got ${String(eps)}`);
    }
    this.inputs = m;
    this.outputs = m;
    this.gamma = Matrix.ones(1, m);
    this.beta = Matrix.zeros(1, m);
    this.eps = eps;
  }

  // gamma, beta (1×m each) → a layer norm with copies of them; a ShapeError otherwise
  static from(gamma: Matrix, beta: Matrix, opts: { eps?: number } = {}): LayerNorm {
    if (gamma.rows !== 1 || !beta.sameShape(gamma)) {
      throw new ShapeError("LayerNorm.from", [gamma.shape, beta.shape], "gamma and beta must both be 1×m");
    }
    const layer = new LayerNorm(gamma.cols, opts);
    layer.gamma.data.set(gamma.data);
    layer.beta.data.set(beta.data);
    return layer;
  }

  params(): Param[] {
    return [
      { name: "gamma", value: this.gamma, kind: "scale" },
      { name: "beta", value: this.beta, kind: "shift" },
    ];
  }

  // X (K×m) → the cache, with A (K×m); the same in both modes. A ShapeError when X does not have
  // m columns.
  forward(X: Matrix): LayerNormCache {
    if (X.cols !== this.inputs) {
      const expected = `X must be K×${this.inputs} for gamma ${this.gamma.shape}`;
      throw new ShapeError("LayerNorm.forward", [X.shape, this.gamma.shape], expected);
    }
    const [K, m] = [X.rows, X.cols];
    const mu = X.sum(1).scale(1 / m); // (1/m)·X·1, K×1
    const centred = X.sub(broadcastCols(mu, m)); // X − μ1ᵀ
    const variance = centred.mul(centred).sum(1).scale(1 / m); // K×1
    const invStd = variance.addScalar(this.eps).map((v) => 1 / Math.sqrt(v)); // K×1, ≤ 1/√ε
    const Xhat = centred.mul(broadcastCols(invStd, m));
    const A = Xhat.mul(broadcastRows(this.gamma, K)).add(broadcastRows(this.beta, K));
    return { X, mu, variance, invStd, Xhat, A };
  }

  // dA = ∂E/∂A (K×m) → dgamma, dbeta (1×m), dX (K×m, when withDX):
  //   dβ = 1ᵀdA,  dγ = 1ᵀ(dA ⊙ X̂),  dX̂ = dA ⊙ 1γ,
  //   dX = (1/m)·(invStd 1ᵀ) ⊙ (m·dX̂ − (dX̂·1)1ᵀ − X̂ ⊙ ((dX̂ ⊙ X̂)·1)1ᵀ)
  // batch norm's backward pass (batchnorm.ts) with the sums taken along each row instead of each
  // column: the chain rule through μ and σ², which are functions of the row's own entries only.
  // Each row of dX sums to 0. At m = 1 every term cancels: dX = 0. A ShapeError when dA does not
  // have the shape of A.
  backward(cache: LayerNormCache, dA: Matrix, withDX = true): LayerNormGrads {
    if (!dA.sameShape(cache.A)) {
      throw new ShapeError("LayerNorm.backward", [dA.shape, cache.A.shape], "dA must have the shape of the layer output A");
    }
    const { Xhat, invStd } = cache;
    const [K, m] = [dA.rows, dA.cols];
    const dbeta = dA.sum(0);
    const dgamma = dA.mul(Xhat).sum(0);
    if (!withDX) return { dgamma, dbeta, dX: null };
    const dXhat = dA.mul(broadcastRows(this.gamma, K));
    const meanTerm = broadcastCols(dXhat.sum(1), m); // (dX̂·1)1ᵀ
    const varianceTerm = Xhat.mul(broadcastCols(dXhat.mul(Xhat).sum(1), m)); // X̂ ⊙ ((dX̂ ⊙ X̂)·1)1ᵀ
    const dX = broadcastCols(invStd, m)
      .mul(dXhat.scale(m).sub(meanTerm).sub(varianceTerm))
      .scale(1 / m);
    return { dgamma, dbeta, dX };
  }

  // Sample k alone sees the same layer: its row is normalised by its own features whatever the
  // rest of the batch is.
  forSample(): LayerNorm {
    return this;
  }

  clone(): LayerNorm {
    return LayerNorm.from(this.gamma, this.beta, { eps: this.eps });
  }
}
