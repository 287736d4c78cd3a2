import { ShapeError, assertPositiveInt } from "../core/errors.js";
import { broadcastRows } from "../core/linalg.js";
import { Matrix } from "../core/matrix.js";
import type { Layer, LayerCache, Mode, Param } from "./layer.js";

// Batch normalisation of m features, one sample per row (Ioffe and Szegedy, "Batch Normalization:
// Accelerating Deep Network Training by Reducing Internal Covariate Shift", ICML 2015, Algorithm 1).
// In train mode every column of the batch X (K×m) is normalised by the batch's own mean and
// variance, then scaled by gamma and shifted by beta:
//   μ  = (1/K)·1ᵀX                           1×m, the batch mean of each column
//   σ² = (1/K)·1ᵀ((X − 1μ) ⊙ (X − 1μ))       1×m, the batch variance (biased, see below)
//   X̂  = (X − 1μ) ⊘ 1·√(σ² + ε)              K×m, each column with mean 0 and variance ≈ 1
//   A  = X̂ ⊙ 1γ + 1β                         K×m
// σ² divides by K, not K − 1: it is not an estimate of anything here but the batch's own spread,
// the number that makes each column of X̂ have variance σ²/(σ² + ε) ≈ 1 (Algorithm 1, as written).
// Eval mode uses the running mean and variance instead of μ and σ² (Algorithm 2), so a sample's
// output no longer depends on the rest of its batch. 1 is a K×1 column of ones: every broadcast of
// a 1×m row to K rows is written out with broadcastRows.
//
// A batch of one sample (K = 1, train mode) is allowed and exact, not an error: X − 1μ = 0, so
// σ² = 0, X̂ = 0 (ε keeps the division finite, 0/√ε = 0) and A = 1β whatever X and γ are. Its
// gradients say exactly that: dX = 0, dγ = 0, dβ = 1ᵀdA, never a NaN. The layer before such a
// batch norm learns nothing from it; that is what normalising a single sample means.

// What the forward pass keeps, one entry per node of the computation above.
export interface BatchNormCache extends LayerCache {
  X: Matrix; // K×m, the input
  mu: Matrix; // 1×m, μ: the batch mean (train) or a copy of the running mean (eval)
  variance: Matrix; // 1×m, σ²: the biased batch variance (train) or a copy of the running variance (eval)
  invStd: Matrix; // 1×m, 1/√(σ² + ε)
  Xhat: Matrix; // K×m, X̂ = (X − 1μ) ⊘ 1·√(σ² + ε)
  A: Matrix; // K×m, the output X̂ ⊙ 1γ + 1β
  mode: Mode; // which statistics were used: the backward pass differs
}

// ∂E/∂γ (1×m), ∂E/∂β (1×m) and ∂E/∂X (K×m; null when it was not asked for).
export type BatchNormGrads = {
  dgamma: Matrix;
  dbeta: Matrix;
  dX: Matrix | null;
};

export interface BatchNormOptions {
  // added to the variance before the square root, so that a constant column (and K = 1) divides
  // by √ε, not by 0; must be > 0. Default 1e-5, as in PyTorch.
  eps?: number;
  // the weight of each new batch in the running statistics, PyTorch's convention:
  //   running ← (1 − momentum)·running + momentum·batch
  // (Keras's momentum is 1 minus this one). In [0, 1]; default 0.1, as in PyTorch.
  momentum?: number;
}

export class BatchNorm implements Layer<BatchNormCache> {
  readonly kind = "BatchNorm";
  readonly inputs: number;
  readonly outputs: number;
  readonly gamma: Matrix; // 1×m, the scale γ, initially ones
  readonly beta: Matrix; // 1×m, the shift β, initially zeros
  readonly eps: number;
  readonly momentum: number;
  // 1×m each, initially 0 and 1 (eval mode is then X̂ = X/√(1 + ε)); changed only by
  // updateRunningStats, never by forward
  readonly runningMean: Matrix;
  readonly runningVar: Matrix;

  // m features → γ = 1, β = 0; throws when m is not a positive integer, eps is not > 0 or
  // momentum is not in [0, 1]
  constructor(m: number, opts: BatchNormOptions = {}) {
    assertPositiveInt("BatchNorm", "m (the number of features)", m);
    const { eps = 1e-5, momentum = 0.1 } = opts;
    if (typeof eps !== "number" || !(eps > 0 && Number.isFinite(eps))) {
      throw new Error(
        "BatchNorm: eps must be a finite number > 0 (it keeps 1/√(σ² + ε) finite when a column is constant), " +
          `got ${String(eps)}`,
      );
    }
    if (typeof momentum !== "number" || !(momentum >= 0 && momentum <= 1)) {
      throw new Error(
        "BatchNorm: momentum, the weight of a new batch in the running statistics, must be in [0, 1], " +
          `got ${String(momentum)}`,
      );
    }
    this.inputs = m;
    this.outputs = m;
    this.gamma = Matrix.ones(1, m);
    this.beta = Matrix.zeros(1, m);
    this.eps = eps;
    this.momentum = momentum;
    this.runningMean = Matrix.zeros(1, m);
    this.runningVar = Matrix.ones(1, m);
  }

  // gamma (1×m), beta (1×m) → a batch norm with copies of those values (running statistics 0 and
  // 1); a ShapeError when they are not two rows of the same width
  static from(gamma: Matrix, beta: Matrix, opts: BatchNormOptions = {}): BatchNorm {
    if (gamma.rows !== 1 || !beta.sameShape(gamma)) {
      throw new ShapeError("BatchNorm.from", [gamma.shape, beta.shape], "gamma and beta must both be 1×m");
    }
    const layer = new BatchNorm(gamma.cols, opts);
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

  // X (K×m) → the cache, with A (K×m). Train: the batch's statistics; eval: the running ones.
  // Leaves the layer as it was (updateRunningStats folds a train cache into the running
  // statistics). A ShapeError when X does not have m columns.
  forward(X: Matrix, mode: Mode): BatchNormCache {
    if (X.cols !== this.inputs) {
      const expected = `X must be K×${this.inputs} for gamma ${this.gamma.shape}`;
      throw new ShapeError("BatchNorm.forward", [X.shape, this.gamma.shape], expected);
    }
    const K = X.rows;
    let mu: Matrix;
    let variance: Matrix;
    if (mode === "train") {
      mu = X.sum(0).scale(1 / K); // (1/K)·1ᵀX
      const centred = X.sub(broadcastRows(mu, K)); // X − 1μ
      variance = centred.mul(centred).sum(0).scale(1 / K); // (1/K)·1ᵀ((X − 1μ) ⊙ (X − 1μ))
    } else {
      mu = this.runningMean.clone(); // copies: the cache stays as it was when the running statistics move
      variance = this.runningVar.clone();
    }
    const std = variance.addScalar(this.eps).map(Math.sqrt); // √(σ² + ε), 1×m, ≥ √ε > 0
    const invStd = std.map((s) => 1 / s);
    const Xhat = X.sub(broadcastRows(mu, K)).div(broadcastRows(std, K)); // (X − 1μ) ⊘ 1·√(σ² + ε)
    const A = Xhat.mul(broadcastRows(this.gamma, K)).add(broadcastRows(this.beta, K)); // X̂ ⊙ 1γ + 1β
    return { X, mu, variance, invStd, Xhat, A, mode };
  }

  // dA = ∂E/∂A (K×m) → dgamma (1×m), dbeta (1×m), dX (K×m, when withDX):
  //   dβ = 1ᵀdA,  dγ = 1ᵀ(dA ⊙ X̂),  dX̂ = dA ⊙ 1γ
  // and in train mode, where μ and σ² are functions of every row of X,
  //   dX = (1/K)·(1·invStd) ⊙ (K·dX̂ − 1·(1ᵀdX̂) − X̂ ⊙ 1·(1ᵀ(dX̂ ⊙ X̂)))
  // which is the chain rule of Ioffe and Szegedy (2015, §3: ∂ℓ/∂x̂, ∂ℓ/∂σ², ∂ℓ/∂μ, ∂ℓ/∂x) with its
  // terms collected, column by column, using 1ᵀ(X − 1μ) = 0 and X − 1μ = X̂ ⊙ 1·√(σ² + ε). The two
  // subtracted terms are the paths through the batch mean and the batch variance; the first makes
  // every column of dX sum to 0 (adding a constant to a column of X changes nothing downstream).
  // In eval mode μ and σ² are constants, and
  //   dX = dX̂ ⊙ 1·invStd.
  // At K = 1 (train) every term cancels exactly: dX = 0 (see the top of the file).
  // A ShapeError when dA does not have the shape of A.
  backward(cache: BatchNormCache, dA: Matrix, withDX = true): BatchNormGrads {
    if (!dA.sameShape(cache.A)) {
      const expected = "dA must have the shape of the layer output A";
      throw new ShapeError("BatchNorm.backward", [dA.shape, cache.A.shape], expected);
    }
    const { Xhat, invStd, mode } = cache;
    const K = dA.rows;
    const dbeta = dA.sum(0); // 1ᵀdA
    const dgamma = dA.mul(Xhat).sum(0); // 1ᵀ(dA ⊙ X̂)
    if (!withDX) return { dgamma, dbeta, dX: null };
    const dXhat = dA.mul(broadcastRows(this.gamma, K)); // dA ⊙ 1γ
    if (mode === "eval") return { dgamma, dbeta, dX: dXhat.mul(broadcastRows(invStd, K)) };
    const meanTerm = broadcastRows(dXhat.sum(0), K); // 1·(1ᵀdX̂)
    const varianceTerm = Xhat.mul(broadcastRows(dXhat.mul(Xhat).sum(0), K)); // X̂ ⊙ 1·(1ᵀ(dX̂ ⊙ X̂))
    const dX = broadcastRows(invStd, K)
      .mul(dXhat.scale(K).sub(meanTerm).sub(varianceTerm))
      .scale(1 / K);
    return { dgamma, dbeta, dX };
  }

  // Folds the statistics of a train-mode forward pass into the running ones, in place:
  //   runningMean ← (1 − momentum)·runningMean + momentum·μ
  //   runningVar  ← (1 − momentum)·runningVar  + momentum·(K/(K − 1))·σ²
  // The running variance is what eval mode divides by, an estimate of the variance of the whole
  // population, so it takes the unbiased K/(K − 1)·σ², as Algorithm 2 of the paper does
  // (Var[x] = m/(m − 1)·E_B[σ²_B]) and PyTorch does for running_var. At K = 1 that factor is 1/0
  // and a single sample says nothing about the spread, so the running variance is left as it is
  // (folding in the batch's σ² = 0 would pull it towards 0, and eval mode would then divide by
  // about √ε); the running mean still takes the sample. Network.updateRunningStats calls this after
  // each training step. Throws for a cache of an eval-mode pass (its statistics are the running
  // ones) and a ShapeError for a cache of another width.
  updateRunningStats(cache: BatchNormCache): void {
    if (cache.mode !== "train") {
      throw new Error(
        "BatchNorm.updateRunningStats: the cache is from an eval-mode forward pass, whose statistics are " +
          "the running ones; pass the cache of a train-mode pass",
      );
    }
    if (!cache.mu.sameShape(this.runningMean) || !cache.variance.sameShape(this.runningVar)) {
      const expected = "the cache must come from a batch norm of this width";
      throw new ShapeError("BatchNorm.updateRunningStats", [cache.mu.shape, this.runningMean.shape], expected);
    }
    const K = cache.X.rows;
    const keep = 1 - this.momentum;
    const mean = this.runningMean.scale(keep).add(cache.mu.scale(this.momentum));
    this.runningMean.data.set(mean.data);
    if (K > 1) {
      const unbiased = cache.variance.scale(K / (K - 1));
      this.runningVar.data.set(this.runningVar.scale(keep).add(unbiased.scale(this.momentum)).data);
    }
  }

  // No forSample: every output row depends on the whole batch through μ and σ², so a sample has
  // no layer of its own (Network.lossAndGradsPerSample refuses the network, naming this layer).

  // An independent copy: gamma, beta and the running statistics copied, the same eps and momentum.
  clone(): BatchNorm {
    const copy = BatchNorm.from(this.gamma, this.beta, { eps: this.eps, momentum: this.momentum });
    copy.runningMean.data.set(this.runningMean.data);
    copy.runningVar.data.set(this.runningVar.data);
    return copy;
  }
}
