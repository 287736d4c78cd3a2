import { describe, expect, it } from "vitest";
import { checkNetwork, numericalGradient } from "../src/check/gradcheck.js";
import { NonFiniteError } from "../src/core/errors.js";
import { broadcastRows } from "../src/core/linalg.js";
import { Matrix } from "../src/core/matrix.js";
import { Rng } from "../src/core/rng.js";
import { identity, tanh } from "../src/nn/activations.js";
import { BatchNorm } from "../src/nn/batchnorm.js";
import {
  BATCH_NORM_SLIPS, SlippedBatchNorm, checkBatchNormSlip, withBatchNormSlip, type BatchNormSlip,
} from "../src/nn/batchnorm-slips.js";
import { oneHot } from "../src/nn/datasets.js";
import { Dense } from "../src/nn/dense.js";
import { ActivationLayer, type Layer } from "../src/nn/layer.js";
import { mse, softmaxCrossEntropy } from "../src/nn/losses.js";
import { Network } from "../src/nn/network.js";
import { train } from "../src/nn/train.js";
import { relDiff } from "./helpers.js";

// A batch norm with γ, β away from 1 and 0, and running statistics away from 0 and 1
function batchNorm(m: number, rng: Rng): BatchNorm {
  const bn = BatchNorm.from(Matrix.fill(1, m, () => 1 + 0.5 * rng.normal()), Matrix.random(1, m, rng, 0.3));
  bn.updateRunningStats(bn.forward(Matrix.random(8, m, rng, 2), "train"));
  return bn;
}

// X (K×3) on different scales per column, targets for ½‖A − Y‖²
function data(K: number, rng: Rng) {
  return { X: Matrix.fill(K, 3, (_, j) => (j + 1) * rng.normal() + 4 * j), Y: Matrix.random(K, 3, rng) };
}

// the layer's loss E = ½‖A − Y‖² and its gradients with respect to X, γ, β by finite differences
function numeric(layer: BatchNorm, X: Matrix, Y: Matrix) {
  const lossAt = () => mse(layer.forward(X, "train").A, Y, "sum").loss;
  return { dX: numericalGradient(X, lossAt), dgamma: numericalGradient(layer.gamma, lossAt), dbeta: numericalGradient(layer.beta, lossAt) };
}

function grads(layer: BatchNorm, X: Matrix, Y: Matrix) {
  const cache = layer.forward(X, "train");
  return { cache, ...layer.backward(cache, mse(cache.A, Y, "sum").dYhat, true) };
}

describe("SlippedBatchNorm: each slip does what its comment says", () => {
  it("constant-statistics: dX = dA ⊙ 1γ ⊙ 1s; dγ, dβ and the forward pass are BatchNorm's; dX fails the check", () => {
    const rng = new Rng(1);
    const bn = batchNorm(3, rng);
    const slip = SlippedBatchNorm.of(bn, "constant-statistics");
    const { X, Y } = data(6, rng);
    const right = grads(bn, X, Y);
    const wrong = grads(slip, X, Y);
    expect(wrong.cache.A.data).toEqual(right.cache.A.data);
    const dA = mse(right.cache.A, Y, "sum").dYhat;
    expect(wrong.dX!.data).toEqual(dA.mul(broadcastRows(bn.gamma, 6)).mul(broadcastRows(right.cache.invStd, 6)).data);
    expect(wrong.dgamma.data).toEqual(right.dgamma.data);
    expect(wrong.dbeta.data).toEqual(right.dbeta.data);
    const fd = numeric(slip, X, Y);
    expect(relDiff(wrong.dgamma, fd.dgamma)).toBeLessThan(1e-7);
    expect(relDiff(wrong.dX!, fd.dX)).toBeGreaterThan(1e-2);
  });

  it("unbiased-forward: σ'² = K/(K − 1)·σ², the backward pass off by s'·X̂ ⊙ 1(1ᵀ(dX̂ ⊙ X̂))/(K(K − 1))", () => {
    // (not K = 2: there X̂ = ±√(σ²/(σ² + ε)) hardly depends on X, and dX is of the order of ε/σ²,
    // too small for a relative comparison with finite differences)
    for (const K of [3, 5, 64]) {
      const rng = new Rng(K);
      const bn = batchNorm(3, rng);
      const slip = SlippedBatchNorm.of(bn, "unbiased-forward");
      const { X, Y } = data(K, rng);
      const right = bn.forward(X, "train");
      const { cache, dX } = grads(slip, X, Y);
      expect(relDiff(cache.variance, right.variance.scale(K / (K - 1)))).toBeLessThan(1e-14);
      expect(relDiff(cache.invStd, cache.variance.map((v) => 1 / Math.sqrt(v + bn.eps)))).toBe(0);
      // the gradient of this forward pass, by finite differences, is the slip's dX minus the term
      // the 1/K formula gets wrong
      const dXhat = mse(cache.A, Y, "sum").dYhat.mul(broadcastRows(slip.gamma, K));
      const missing = broadcastRows(cache.invStd, K)
        .mul(cache.Xhat.mul(broadcastRows(dXhat.mul(cache.Xhat).sum(0), K)))
        .scale(1 / (K * (K - 1)));
      const fd = numeric(slip, X, Y);
      expect(relDiff(dX!.sub(missing), fd.dX), `K = ${K}`).toBeLessThan(1e-7);
      expect(relDiff(dX!, fd.dX), `K = ${K}`).toBeGreaterThan(1e-4);
    }
  });

  it("unbiased-forward at K = 1: the forward pass divides by K − 1 = 0 and is refused", () => {
    const slip = SlippedBatchNorm.of(new BatchNorm(2), "unbiased-forward");
    expect(() => slip.forward(Matrix.row([1, 2]), "train")).toThrow(NonFiniteError);
    expect(() => slip.forward(Matrix.row([1, 2]), "train")).toThrow("scale: the factor must be a finite number, got Infinity");
  });

  it("no-eps-forward: s = 1/√σ², a right gradient of that forward pass, refused where σ² = 0", () => {
    const rng = new Rng(3);
    const slip = SlippedBatchNorm.of(batchNorm(3, rng), "no-eps-forward");
    const { X, Y } = data(5, rng);
    const { cache, dX, dgamma } = grads(slip, X, Y);
    expect(relDiff(cache.invStd, cache.variance.map((v) => 1 / Math.sqrt(v)))).toBe(0);
    const fd = numeric(slip, X, Y);
    expect(relDiff(dX!, fd.dX)).toBeLessThan(1e-7);
    expect(relDiff(dgamma, fd.dgamma)).toBeLessThan(1e-7);
    expect(() => slip.forward(X.getRow(0), "train")).toThrow(NonFiniteError); // K = 1
    const constantColumn = X.map((x, _i, j) => (j === 1 ? 2 : x));
    expect(() => slip.forward(constantColumn, "train")).toThrow("entry (0,1) is Infinity");
    expect(new BatchNorm(3).forward(constantColumn, "train").Xhat.getCol(1).maxAbs()).toBe(0); // with ε: 0
  });

  it("no-eps-backward: the right dX times √(1 + ε/σ²) per column, refused where σ² = 0", () => {
    const rng = new Rng(4);
    const bn = batchNorm(3, rng);
    const slip = SlippedBatchNorm.of(bn, "no-eps-backward");
    const { X, Y } = data(4, rng);
    const X2 = X.map((x, _i, j) => (j === 0 ? 1e-3 * x : x)); // a column with σ² ≈ 1e-6: ε matters
    const right = grads(bn, X2, Y);
    const wrong = grads(slip, X2, Y);
    const factor = right.cache.variance.map((v) => Math.sqrt(1 + bn.eps / v));
    expect(relDiff(wrong.dX!, right.dX!.mul(broadcastRows(factor, 4)))).toBeLessThan(1e-12);
    expect(factor.get(0, 0)).toBeGreaterThan(1.5);
    expect(wrong.dgamma.data).toEqual(right.dgamma.data);
    expect(() => grads(slip, X.getRow(0), Y.getRow(0))).toThrow(NonFiniteError);
  });

  it("running-statistics: the train-mode output is eval mode's, its gradient is right for it, the update uses the batch", () => {
    const rng = new Rng(5);
    const bn = batchNorm(3, rng);
    const slip = SlippedBatchNorm.of(bn, "running-statistics");
    const { X, Y } = data(6, rng);
    const cache = slip.forward(X, "train");
    expect(cache.A.data).toEqual(bn.forward(X, "eval").A.data);
    expect(cache.mode).toBe("eval");
    const { dX } = grads(slip, X, Y);
    expect(relDiff(dX!, numeric(slip, X, Y).dX)).toBeLessThan(1e-7);
    const before = [bn.runningMean.clone(), bn.runningVar.clone()];
    bn.updateRunningStats(bn.forward(X, "train"));
    slip.updateRunningStats(cache);
    expect(slip.runningMean.data).toEqual(bn.runningMean.data);
    expect(slip.runningVar.data).toEqual(bn.runningVar.data);
    expect(slip.runningMean.data).not.toEqual(before[0].data);
  });

  it("every slip is BatchNorm in eval mode, keeps its slip when cloned, and an unknown slip is refused", () => {
    const rng = new Rng(6);
    const bn = batchNorm(3, rng);
    const X = Matrix.random(4, 3, rng);
    for (const s of BATCH_NORM_SLIPS) {
      const slip = SlippedBatchNorm.of(bn, s);
      expect(slip.forward(X, "eval").A.data, s).toEqual(bn.forward(X, "eval").A.data);
      expect(slip.clone().slip).toBe(s);
      expect(slip.clone()).not.toBe(slip);
    }
    expect(() => new SlippedBatchNorm(3, "typo" as BatchNormSlip)).toThrow("SlippedBatchNorm: unknown slip typo");
  });
});

describe("withBatchNormSlip and checkBatchNormSlip in a network", () => {
  // Dense(identity) → BatchNorm → tanh → Dense, softmax cross-entropy
  function network(seed: number) {
    const rng = new Rng(seed);
    const layers: Layer[] = [Dense.init(2, 4, identity, rng), batchNorm(4, rng), new ActivationLayer(tanh), Dense.init(4, 3, identity, rng)];
    const net = new Network(layers);
    const batch = (K: number) => ({
      X: Matrix.random(K, 2, rng).addScalar(5),
      Y: oneHot(Array.from({ length: K }, () => rng.int(3)), 3),
    });
    return { net, batch };
  }

  it("replaces the batch norm with a copy and shares the other layers", () => {
    const { net } = network(1);
    const slipped = withBatchNormSlip(net, "constant-statistics");
    expect(slipped.layers[0]).toBe(net.layers[0]);
    expect(slipped.layers[1]).toBeInstanceOf(SlippedBatchNorm);
    expect((slipped.layers[1] as BatchNorm).gamma).not.toBe((net.layers[1] as BatchNorm).gamma);
    expect(slipped.params().map((p) => p.name)).toEqual(net.params().map((p) => p.name));
    expect(() => withBatchNormSlip(Network.init([2, 2], [identity], new Rng(1)), "constant-statistics")).toThrow(
      "withBatchNormSlip: the network has no BatchNorm layer to replace",
    );
  });

  const reportOf = (reports: { name: string; relError: number }[], name: string) => reports.find((r) => r.name === name)!;

  it.each([5, 16])("K = %i: constant statistics fail W1 and b1, pass gamma1, beta1, W2, b2", (K) => {
    const { net, batch } = network(K);
    const { X, Y } = batch(K);
    const { reports, refused } = checkBatchNormSlip(net, "constant-statistics", X, Y, softmaxCrossEntropy, "mean");
    expect(refused).toBeUndefined();
    for (const name of ["W1", "b1"]) expect(reportOf(reports!, name).relError, name).toBeGreaterThan(1e-2);
    for (const name of ["gamma1", "beta1", "W2", "b2"]) expect(reportOf(reports!, name).relError, name).toBeLessThan(1e-7);
    // the right network passes everywhere, b1 as an exact zero
    const right = checkNetwork(net, X, Y, softmaxCrossEntropy, "mean");
    for (const r of right) expect(r.relError, r.name).toBeLessThan(1e-7);
    expect(reportOf(right, "b1")).toMatchObject({ belowResolution: true, relError: 0 });
  });

  it("K = 1: the slips that divide by a zero variance are refused; running statistics pass", () => {
    const { net, batch } = network(7);
    const { X, Y } = batch(1);
    for (const s of ["unbiased-forward", "no-eps-forward", "no-eps-backward"] as const) {
      const c = checkBatchNormSlip(net, s, X, Y, softmaxCrossEntropy, "mean");
      expect(c.refused, s).toBeInstanceOf(NonFiniteError);
      expect(c.reports).toBeUndefined();
    }
    const running = checkBatchNormSlip(net, "running-statistics", X, Y, softmaxCrossEntropy, "mean");
    for (const r of running.reports!) expect(r.relError, r.name).toBeLessThan(1e-7);
  });

  it("a network with a slip trains, and its running statistics move", () => {
    const { net, batch } = network(8);
    const { X, Y } = batch(20);
    const slipped = withBatchNormSlip(net.clone(), "running-statistics");
    const bn = slipped.layers[1] as SlippedBatchNorm;
    const before = bn.runningMean.clone();
    const h = train(slipped, X, Y, { epochs: 2, batchSize: 5, eta: 0.1, loss: softmaxCrossEntropy, reduction: "mean", seed: 1 });
    expect(h.lossPerStep).toHaveLength(8);
    expect(bn.runningMean.maxAbsDiff(before)).toBeGreaterThan(0);
    // a loss of the mse kind works as well (an output loss after a Dense layer)
    const other = withBatchNormSlip(net, "no-eps-backward");
    expect(() => other.lossAndGrads(X, Matrix.random(20, 3, new Rng(2)), mse, "sum")).not.toThrow();
  });
});
