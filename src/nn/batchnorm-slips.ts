import { type GradCheckOptions, type GradCheckReport, checkNetwork } from "../check/gradcheck.js";
import { NonFiniteError } from "../core/errors.js";
import { broadcastRows } from "../core/linalg.js";
import type { Matrix } from "../core/matrix.js";
import { BatchNorm, type BatchNormCache, type BatchNormGrads, type BatchNormOptions } from "./batchnorm.js";
import type { Layer, Mode } from "./layer.js";
import type { LossFn, Reduction } from "./losses.js";
import { Network } from "./network.js";

// The usual mistakes in a hand-written batch norm, each as a layer that drops into a Network in
// place of BatchNorm (batchnorm.ts has the right one and its formulas), so that a gradient check
// or a training run shows what each does (notebook 07). Every slip is in train mode; in eval mode
// each layer is BatchNorm. With D = X − 1μ, s = 1/√(σ² + ε) (1×m) and dX̂ = dA ⊙ 1γ:
//
//   "constant-statistics"  the backward pass treats μ and σ² as constants, as if they did not
//                          depend on X:  dX = dX̂ ⊙ 1s  (the eval-mode formula). The forward pass is
//                          right; dγ and dβ are right (they come before any path through μ, σ²).
//   "unbiased-forward"     the forward pass divides the variance by K − 1 (numpy's var(ddof=1),
//                          torch.var's default), σ'² = 1ᵀ(D ⊙ D)/(K − 1), and the backward pass is
//                          BatchNorm's, derived for 1/K, on that cache. At K = 1 the forward pass
//                          divides by 0: the factor 1/0 is refused (a NonFiniteError from scale).
//   "no-eps-forward"       the forward pass leaves ε out, s = 1/√σ²; the backward pass is the same
//                          formula on that cache, which is the right gradient of this forward pass.
//                          A column with σ² = 0 (K = 1, or a unit constant over the batch) gives
//                          s = 1/0: a NonFiniteError from the Matrix.
//   "no-eps-backward"      the forward pass is right, the backward pass leaves ε out of its factor
//                          s: dX = (1/K)·(1/√σ²) ⊙ (…), which is the right dX times √(1 + ε/σ²) per
//                          column (and a NonFiniteError where σ² = 0).
//   "running-statistics"   the train-mode forward pass uses the running mean and variance, as eval
//                          mode does, and the backward pass is eval mode's (constants): a right
//                          gradient of a function that is not batch norm. updateRunningStats still
//                          folds in the batch's own statistics, which the forward pass keeps.
export type BatchNormSlip =
  | "constant-statistics"
  | "unbiased-forward"
  | "no-eps-forward"
  | "no-eps-backward"
  | "running-statistics";

export const BATCH_NORM_SLIPS: readonly BatchNormSlip[] = [
  "constant-statistics",
  "unbiased-forward",
  "no-eps-forward",
  "no-eps-backward",
  "running-statistics",
];

// A slip's cache: BatchNorm's, plus (for "running-statistics") the batch's own statistics, which
// the forward pass did not use.
export interface SlippedBatchNormCache extends BatchNormCache {
  batchMu?: Matrix; // 1×m
  batchVariance?: Matrix; // 1×m, biased
}

export class SlippedBatchNorm extends BatchNorm {
  readonly slip: BatchNormSlip;

  // m features, one of the slips above; throws for an unknown slip (and as BatchNorm does)
  constructor(m: number, slip: BatchNormSlip, opts: BatchNormOptions = {}) {
    super(m, opts);
    if (!BATCH_NORM_SLIPS.includes(slip)) {
      throw new Error(`SlippedBatchNorm: unknown slip ${String(slip)}; expected one of ${BATCH_NORM_SLIPS.join(", ")}`);
    }
    this.slip = slip;
  }

  // A copy of bn (γ, β, running statistics, ε, momentum) with the slip.
  static of(bn: BatchNorm, slip: BatchNormSlip): SlippedBatchNorm {
    const layer = new SlippedBatchNorm(bn.inputs, slip, { eps: bn.eps, momentum: bn.momentum });
    for (const key of ["gamma", "beta", "runningMean", "runningVar"] as const) layer[key].data.set(bn[key].data);
    return layer;
  }

  // X (K×m) → the cache; eval mode is BatchNorm's. Throws a NonFiniteError where the slip divides
  // by 0 (see the top of the file).
  override forward(X: Matrix, mode: Mode): SlippedBatchNormCache {
    if (mode === "eval") return super.forward(X, "eval");
    const right = super.forward(X, "train");
    const K = X.rows;
    switch (this.slip) {
      case "unbiased-forward": {
        const centred = X.sub(broadcastRows(right.mu, K));
        const variance = centred.mul(centred).sum(0).scale(1 / (K - 1)); // 1ᵀ(D ⊙ D)/(K − 1)
        return this.normalised(X, right.mu, variance, variance.map((v) => 1 / Math.sqrt(v + this.eps)));
      }
      case "no-eps-forward":
        return this.normalised(X, right.mu, right.variance, right.variance.map((v) => 1 / Math.sqrt(v)));
      case "running-statistics":
        return { ...super.forward(X, "eval"), batchMu: right.mu, batchVariance: right.variance };
      default:
        return right;
    }
  }

  // dA (K×m) → dgamma, dbeta (always BatchNorm's on this cache) and the slip's dX.
  override backward(cache: SlippedBatchNormCache, dA: Matrix, withDX = true): BatchNormGrads {
    const right = super.backward(cache, dA, withDX); // for "running-statistics" cache.mode is "eval"
    if (cache.mode !== "train" || !withDX) return right;
    const K = dA.rows;
    const dXhat = dA.mul(broadcastRows(this.gamma, K));
    switch (this.slip) {
      case "constant-statistics":
        return { ...right, dX: dXhat.mul(broadcastRows(cache.invStd, K)) }; // dX̂ ⊙ 1s
      case "no-eps-backward": {
        const noEps = cache.variance.map((v) => 1 / Math.sqrt(v)); // 1/√σ², Infinity where σ² = 0
        const meanTerm = broadcastRows(dXhat.sum(0), K);
        const varianceTerm = cache.Xhat.mul(broadcastRows(dXhat.mul(cache.Xhat).sum(0), K));
        const dX = broadcastRows(noEps, K).mul(dXhat.scale(K).sub(meanTerm).sub(varianceTerm)).scale(1 / K);
        return { ...right, dX };
      }
      default:
        return right;
    }
  }

  // BatchNorm's update; for "running-statistics", with the batch statistics the forward pass kept.
  override updateRunningStats(cache: SlippedBatchNormCache): void {
    if (this.slip === "running-statistics" && cache.batchMu && cache.batchVariance) {
      super.updateRunningStats({ ...cache, mu: cache.batchMu, variance: cache.batchVariance, mode: "train" });
    } else {
      super.updateRunningStats(cache);
    }
  }

  override clone(): SlippedBatchNorm {
    return SlippedBatchNorm.of(this, this.slip);
  }

  // The cache of a train-mode pass with the given statistics: X̂ = (X − 1μ) ⊙ 1·invStd, A = X̂ ⊙ 1γ + 1β
  private normalised(X: Matrix, mu: Matrix, variance: Matrix, invStd: Matrix): SlippedBatchNormCache {
    const K = X.rows;
    const Xhat = X.sub(broadcastRows(mu, K)).mul(broadcastRows(invStd, K));
    const A = Xhat.mul(broadcastRows(this.gamma, K)).add(broadcastRows(this.beta, K));
    return { X, mu, variance, invStd, Xhat, A, mode: "train" };
  }
}

// net with every BatchNorm layer replaced by a SlippedBatchNorm copy of it; the other layers are
// the same objects (their parameters are shared, so a gradient check of one moves the other's).
export function withBatchNormSlip(net: Network, slip: BatchNormSlip): Network {
  if (!net.layers.some((layer) => layer instanceof BatchNorm)) {
    throw new Error("withBatchNormSlip: the network has no BatchNorm layer to replace");
  }
  const layers: Layer[] = net.layers.map((layer) => (layer instanceof BatchNorm ? SlippedBatchNorm.of(layer, slip) : layer));
  return new Network(layers, { fast: net.kernels.name === "fast" });
}

// The gradient check of net with the slip (checkNetwork: the slip's backward pass against finite
// differences of the slip's own forward pass), or the NonFiniteError its forward or backward pass
// threw (a division by a zero variance). Any other error is thrown on.
export interface SlipCheck {
  slip: BatchNormSlip;
  reports?: GradCheckReport[];
  refused?: NonFiniteError;
}

export function checkBatchNormSlip(
  net: Network,
  slip: BatchNormSlip,
  X: Matrix,
  Y: Matrix,
  loss: LossFn,
  reduction: Reduction,
  opts: GradCheckOptions = {},
): SlipCheck {
  try {
    return { slip, reports: checkNetwork(withBatchNormSlip(net, slip), X, Y, loss, reduction, opts) };
  } catch (e) {
    if (e instanceof NonFiniteError) return { slip, refused: e };
    throw e;
  }
}
