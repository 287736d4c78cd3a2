import { describe, expect, it } from "vitest";
import { checkNetwork, gradCheck, numericalGradient } from "../src/check/gradcheck.js";
import { broadcastRows } from "../src/core/linalg.js";
import { Matrix } from "../src/core/matrix.js";
import { Rng } from "../src/core/rng.js";
import { type Activation, identity, sigmoid, tanh } from "../src/nn/activations.js";
import { BatchNorm, type BatchNormCache } from "../src/nn/batchnorm.js";
import { oneHot } from "../src/nn/datasets.js";
import { Dense } from "../src/nn/dense.js";
import { ActivationLayer, type Layer, type LayerCache } from "../src/nn/layer.js";
import { type LossFn, type Reduction, lossGradient, mse, softmaxCrossEntropy } from "../src/nn/losses.js";
import { Network } from "../src/nn/network.js";
import { train } from "../src/nn/train.js";
import { expectShapeError } from "./helpers.js";

// n = 3 inputs → Dense(identity) 3→4 → BatchNorm(4) → hidden activation → Dense 4→2 (head), with
// γ and β away from their initial 1 and 0 so that their gradients are not special.
function bnNetwork(seed: number, hidden: Activation, head: Activation, opts: { eps?: number } = {}) {
  const rng = new Rng(seed);
  const bn = BatchNorm.from(Matrix.fill(1, 4, () => 1 + 0.5 * rng.normal()), Matrix.random(1, 4, rng, 0.3), opts);
  const layers = [Dense.init(3, 4, identity, rng), bn, new ActivationLayer(hidden), Dense.init(4, 2, head, rng)];
  const net = new Network<Layer>(layers);
  net.params()[1].value.data.set(Matrix.random(1, 4, rng, 0.5).data); // b1 ≠ 0: it should not matter
  return { net, bn, rng };
}

// K samples with inputs on different scales per column, and targets for the loss
function batch(K: number, loss: LossFn, rng: Rng): { X: Matrix; Y: Matrix } {
  const X = Matrix.fill(K, 3, (_, j) => (j + 1) * rng.normal() + j);
  const Y = loss === mse ? Matrix.fill(K, 2, () => rng.uniform()) : oneHot(Array.from({ length: K }, () => rng.int(2)), 2);
  return { X, Y };
}

const heads: [string, LossFn, Activation, Activation][] = [
  ["mse after sigmoid, tanh hidden", mse, tanh, sigmoid],
  ["softmax cross-entropy on logits, sigmoid hidden", softmaxCrossEntropy, sigmoid, identity],
];

describe("BatchNorm: gradient check inside a network (Dense(identity) → BatchNorm → activation → Dense)", () => {
  const cases = heads.flatMap(([name, loss, hidden, head]) =>
    (["sum", "mean"] as Reduction[]).flatMap((reduction) =>
      [1, 2, 5, 64].map((K) => [name, reduction, K, loss, hidden, head] as const),
    ),
  );
  const title = "%s, %s, K = %i: W1, gamma1, beta1, W2, b2 to 1e-7, b1 exactly 0 to rounding";
  it.each(cases)(title, (_n, reduction, K, loss, hidden, head) => {
    const { net, bn, rng } = bnNetwork(100 + K, hidden, head);
    const { X, Y } = batch(K, loss, rng);
    const names = net.params().map((p) => p.name);
    expect(names).toEqual(["W1", "b1", "gamma1", "beta1", "W2", "b2"]);
    const reports = checkNetwork(net, X, Y, loss, reduction);
    for (const r of reports) {
      expect(r.relError, `${r.name} at K = ${K}`).toBeLessThan(1e-7);
    }

    // b1, the bias of the Dense layer right before the batch norm, cannot change the loss: the
    // batch mean takes it back (X·W + 1b − 1(μ_XW + b) = X·W − 1μ_XW). So ∂E/∂b1 = 1ᵀ·dZ1 is
    // exactly 0 in exact arithmetic, a sum of K terms that cancel to rounding.
    // The gradient check reads it as right because both gradients are below the finite
    // difference's resolution (belowResolution); the analytic one is also held to rounding here.
    const { grads, caches } = net.lossAndGrads(X, Y, loss, reduction);
    // How small "0 to rounding" is: column j of dX is made of terms of about invStd_j·|dX̂_kj|, and
    // their sum cancels only as exactly as X − 1μ was computed, to about u·|X|, which X̂ then
    // magnifies by invStd_j (at K = 2 a column's two values can be close: σ ≪ |X|). So
    //   scale_j = invStd_j · Σ_k |dX̂_kj| · (1 + invStd_j · max_k |X_kj|)
    const { X: Z1, invStd } = caches[1] as BatchNormCache;
    const dXhat = gradientAtBatchNormOutput(net, caches, Y, loss, reduction).mul(broadcastRows(bn.gamma, K));
    const scales = Array.from({ length: 4 }, (_, j) => {
      const terms = invStd.get(0, j) * dXhat.getCol(j).map(Math.abs).total();
      return terms * (1 + invStd.get(0, j) * Z1.getCol(j).maxAbs());
    });
    const scale = Math.max(...scales);
    expect(grads.b1.maxAbs()).toBeLessThanOrEqual(1e-15 * K * scale);
    const lossAt = () => net.evaluate(X, Y, loss, reduction);
    const numeric = numericalGradient(net.params()[1].value, lossAt);
    expect(numeric.maxAbs()).toBeLessThan(1e-9); // rounding noise of E, divided by 2h
    if (K === 1) {
      // one sample: A = β whatever the sample and γ, so W1, b1 and γ get exactly 0
      for (const name of ["W1", "b1", "gamma1"]) expect(grads[name].data.every((g) => g === 0), name).toBe(true);
    } else {
      expect(grads.gamma1.maxAbs()).toBeGreaterThan(1e-6);
      expect(grads.W1.maxAbs()).toBeGreaterThan(1e-6);
    }
  });

  it("the check can fail: a batch norm that forgets the mean and variance paths in dX (eval-mode dX in train mode)", () => {
    const { net, bn, rng } = bnNetwork(7, tanh, sigmoid);
    const { X, Y } = batch(16, mse, rng);
    const wrong = Object.assign(Object.create(Object.getPrototypeOf(bn) as object) as BatchNorm, bn);
    // the eval-mode dX, dX̂ ⊙ 1·invStd, as if μ and σ² did not depend on X
    wrong.backward = (cache: BatchNormCache, dA: Matrix, withDX = true) =>
      bn.backward({ ...cache, mode: "eval" }, dA, withDX);
    const slipped = new Network<Layer>([net.layers[0], wrong, net.layers[2], net.layers[3]]);
    const reports = checkNetwork(slipped, X, Y, mse, "mean");
    expect(reports.find((r) => r.name === "W1")!.relError).toBeGreaterThan(1e-2);
    expect(reports.find((r) => r.name === "gamma1")!.relError).toBeLessThan(1e-7); // γ and β are right
  });
});

// ∂E/∂A at the batch norm's output (K×4), layer by layer from the caches
function gradientAtBatchNormOutput(net: Network<Layer>, caches: LayerCache[], Y: Matrix, loss: LossFn, reduction: Reduction) {
  let dA = lossGradient(loss(caches[3].A, Y, reduction));
  for (let l = 3; l >= 2; l--) dA = net.layers[l].backward(caches[l], dA, true).dX as Matrix;
  return dA;
}

describe("BatchNorm alone: gradient check of dX, dgamma and dbeta, E = ½‖A − Y‖²", () => {
  function layerCheck(bn: BatchNorm, X: Matrix, Y: Matrix, mode: "train" | "eval") {
    const lossAt = () => mse(bn.forward(X, mode).A, Y, "sum").loss;
    const cache = bn.forward(X, mode);
    const g = bn.backward(cache, mse(cache.A, Y, "sum").dYhat, true);
    const checked = [{ name: "X", value: X }, ...bn.params()];
    return { g, reports: gradCheck(checked, lossAt, [g.dX as Matrix, g.dgamma, g.dbeta]) };
  }

  it.each([1, 2, 5, 64])("train mode, K = %i", (K) => {
    const rng = new Rng(K);
    const bn = BatchNorm.from(Matrix.fill(1, 3, () => 1 + rng.normal()), Matrix.random(1, 3, rng), { eps: 1e-3 });
    const X = Matrix.fill(K, 3, (_, j) => 3 * j + (j + 1) * rng.normal());
    const Y = Matrix.random(K, 3, rng);
    const { reports } = layerCheck(bn, X, Y, "train");
    for (const r of reports) expect(r.relError, r.name).toBeLessThan(1e-7);
  });

  it.each([1, 2, 5, 64])("eval mode (running statistics as constants), K = %i", (K) => {
    const rng = new Rng(50 + K);
    const bn = BatchNorm.from(Matrix.fill(1, 3, () => 1 + rng.normal()), Matrix.random(1, 3, rng), { momentum: 0.5 });
    bn.updateRunningStats(bn.forward(Matrix.random(10, 3, rng, 2), "train"));
    const X = Matrix.random(K, 3, rng);
    const { g, reports } = layerCheck(bn, X, Matrix.random(K, 3, rng), "eval");
    for (const r of reports) expect(r.relError, r.name).toBeLessThan(1e-7);
    // and it is the plain formula dX = dA ⊙ 1γ ⊙ 1·invStd
    const dA = mse(bn.forward(X, "eval").A, Matrix.zeros(K, 3), "sum").dYhat;
    const dX = bn.backward(bn.forward(X, "eval"), dA).dX as Matrix;
    const invStd = (j: number) => 1 / Math.sqrt(bn.runningVar.get(0, j) + bn.eps);
    expect(dX.maxAbsDiff(dA.map((d, _i, j) => d * bn.gamma.get(0, j) * invStd(j)))).toBeLessThan(1e-14);
    expect(g.dX).not.toBeNull();
  });

  it("withDX = false leaves dX out and the parameter gradients as they were", () => {
    const rng = new Rng(3);
    const bn = new BatchNorm(3);
    const X = Matrix.random(6, 3, rng);
    const cache = bn.forward(X, "train");
    const dA = Matrix.random(6, 3, rng);
    const [all, some] = [bn.backward(cache, dA, true), bn.backward(cache, dA, false)];
    expect(some.dX).toBeNull();
    expect(some.dgamma.data).toEqual(all.dgamma.data);
    expect(some.dbeta.data).toEqual(all.dbeta.data);
  });
});

describe("BatchNorm forward: the formula", () => {
  it("train mode: μ, the biased σ², X̂ and A by hand on a 3×2 batch", () => {
    const bn = BatchNorm.from(Matrix.row([2, -1]), Matrix.row([0.5, 3]), { eps: 1e-5 });
    const X = Matrix.fromRows([
      [1, 10],
      [2, 20],
      [6, 60],
    ]);
    const c = bn.forward(X, "train");
    expect(c.mode).toBe("train");
    expect(c.X).toBe(X);
    expect(c.mu.toRows()).toEqual([[3, 30]]);
    // ((1−3)² + (2−3)² + (6−3)²)/3 = 14/3; the second column is 10× the first
    expect(c.variance.allClose(Matrix.row([14 / 3, 1400 / 3]), 1e-15)).toBe(true);
    const s = [Math.sqrt(14 / 3 + 1e-5), Math.sqrt(1400 / 3 + 1e-5)];
    expect(c.invStd.allClose(Matrix.row([1 / s[0], 1 / s[1]]), 1e-15)).toBe(true);
    const xhat = Matrix.fill(3, 2, (i, j) => (X.get(i, j) - c.mu.get(0, j)) / s[j]);
    expect(c.Xhat.allClose(xhat, 1e-15)).toBe(true);
    expect(c.A.allClose(xhat.map((x, _i, j) => [2, -1][j] * x + [0.5, 3][j]), 1e-15)).toBe(true);
    // each column of X̂ has mean 0 and variance σ²/(σ² + ε) ≈ 1
    expect(c.Xhat.sum(0).maxAbs()).toBeLessThan(1e-15);
    expect(c.Xhat.mul(c.Xhat).sum(0).scale(1 / 3).allClose(Matrix.row([1, 1]), 1e-5)).toBe(true);
  });

  it("K = 1 in train mode: σ² = 0, X̂ = 0, A = β, and dX = 0, dgamma = 0, dbeta = dA exactly (the ε result)", () => {
    const rng = new Rng(11);
    const bn = BatchNorm.from(Matrix.row([2, -3, 0.5]), Matrix.row([0.1, 0.2, -0.7]));
    const X = Matrix.row([5, -1e6, 1e-9]);
    const c = bn.forward(X, "train");
    expect(c.mu.data).toEqual(X.data);
    expect(c.variance.data.every((v) => v === 0)).toBe(true);
    expect(c.invStd.allClose(Matrix.fill(1, 3, () => 1 / Math.sqrt(1e-5)), 1e-15)).toBe(true); // 1/√ε, finite
    expect(c.Xhat.data.every((v) => v === 0)).toBe(true);
    expect(c.A.data).toEqual(bn.beta.data);
    const dA = Matrix.random(1, 3, rng);
    const g = bn.backward(c, dA);
    expect(g.dX!.data.every((v) => v === 0)).toBe(true);
    expect(g.dgamma.data.every((v) => v === 0)).toBe(true);
    expect(g.dbeta.data).toEqual(dA.data);
    // and the numerical gradient agrees: the loss does not depend on X or γ at all
    const lossAt = () => mse(bn.forward(X, "train").A, Matrix.row([1, 1, 1]), "sum").loss;
    expect(numericalGradient(X, lossAt).data.every((v) => v === 0)).toBe(true);
    expect(numericalGradient(bn.gamma, lossAt).data.every((v) => v === 0)).toBe(true);
  });

  it("a constant column at K > 1: X̂ = 0 and A = β there, and a finite dX = invStd·(dX̂ − mean of dX̂), not 0", () => {
    const bn = BatchNorm.from(Matrix.row([2, 1]), Matrix.row([0.5, 0]));
    const X = Matrix.fromRows([
      [4, 1],
      [4, 2],
      [4, 3],
    ]);
    const c = bn.forward(X, "train");
    expect(c.Xhat.getCol(0).data.every((v) => v === 0)).toBe(true);
    expect(c.A.getCol(0).data.every((v) => v === 0.5)).toBe(true);
    const Y = Matrix.fromRows([
      [1, 0],
      [0, 1],
      [2, 2],
    ]);
    const g = bn.backward(c, mse(c.A, Y, "sum").dYhat);
    // dX̂ = (A − Y) ⊙ 1γ: column 0 is 2·[−0.5, 0.5, −1.5], mean −1; moving one entry of a constant
    // column moves the mean by 1/K of it and leaves a deviation that X̂ scales by 1/√ε
    const invStd = 1 / Math.sqrt(1e-5);
    expect(g.dX!.getCol(0).allClose(Matrix.column([0, 2, -2]).scale(invStd), 1e-12)).toBe(true);
    const lossAt = () => mse(bn.forward(X, "train").A, Y, "sum").loss;
    // h = 1e-7: around a constant column the loss bends on the scale √ε, which h = 1e-5 is not far below
    const [report] = gradCheck([{ name: "X", value: X }], lossAt, [g.dX!], { h: 1e-7 });
    expect(report.relError).toBeLessThan(1e-7);
  });

  it("eval mode uses the running statistics, after a few updateRunningStats, against a hand computation", () => {
    const momentum = 0.1;
    const eps = 1e-5;
    const gamma = [1.5, -0.5];
    const beta = [0.25, 2];
    const bn = BatchNorm.from(Matrix.row(gamma), Matrix.row(beta), { eps, momentum });
    const batches = [
      [
        [1, 2],
        [3, 6],
      ], // mean [2, 4], unbiased variance [2, 8]
      [
        [0, 0],
        [1, 10],
        [2, -10],
        [5, 4],
      ],
      [
        [-1, 7],
        [4, 7],
        [0.5, 8],
      ],
    ];
    // by hand, with plain loops: running ← (1 − m)·running + m·batch, the unbiased variance
    const mean = [0, 0];
    const variance = [1, 1];
    batches.forEach((rows, b) => {
      bn.updateRunningStats(bn.forward(Matrix.fromRows(rows), "train"));
      const K = rows.length;
      for (let j = 0; j < 2; j++) {
        const mu = rows.reduce((s, r) => s + r[j], 0) / K;
        const unbiased = rows.reduce((s, r) => s + (r[j] - mu) ** 2, 0) / (K - 1);
        mean[j] = (1 - momentum) * mean[j] + momentum * mu;
        variance[j] = (1 - momentum) * variance[j] + momentum * unbiased;
      }
      if (b === 0) {
        expect(mean[0]).toBeCloseTo(0.2, 15); // 0.9·0 + 0.1·2
        expect(variance[1]).toBeCloseTo(1.7, 15); // 0.9·1 + 0.1·8
      }
      expect(bn.runningMean.allClose(Matrix.row(mean), 1e-14)).toBe(true);
      expect(bn.runningVar.allClose(Matrix.row(variance), 1e-14)).toBe(true);
    });
    const X = Matrix.fromRows([
      [0.3, -2],
      [10, 5],
    ]);
    const c = bn.forward(X, "eval");
    expect(c.mode).toBe("eval");
    const expected = Matrix.fill(2, 2, (i, j) => (gamma[j] * (X.get(i, j) - mean[j])) / Math.sqrt(variance[j] + eps) + beta[j]);
    expect(c.A.allClose(expected, 1e-14)).toBe(true);
    // a sample's eval output does not depend on its batch
    expect(bn.forward(X.getRow(1), "eval").A.allClose(c.A.getRow(1), 1e-15)).toBe(true);
    // the cache holds copies: a later update leaves it as it was
    const before = c.mu.clone();
    bn.updateRunningStats(bn.forward(Matrix.random(4, 2, new Rng(1)), "train"));
    expect(c.mu.data).toEqual(before.data);
  });

  it("a new layer's eval mode is X/√(1 + ε): running mean 0, running variance 1", () => {
    const bn = new BatchNorm(3);
    expect(bn.runningMean.data).toEqual(new Float64Array(3));
    expect(bn.runningVar.data).toEqual(Float64Array.from([1, 1, 1]));
    expect(bn.gamma.data).toEqual(Float64Array.from([1, 1, 1]));
    expect(bn.beta.data).toEqual(new Float64Array(3));
    const X = Matrix.random(4, 3, new Rng(2));
    expect(bn.forward(X, "eval").A.allClose(X.scale(1 / Math.sqrt(1 + 1e-5)), 1e-15)).toBe(true);
  });
});

describe("BatchNorm running statistics", () => {
  it("forward never changes them, in either mode, nor does a gradient check", () => {
    const { net, bn, rng } = bnNetwork(5, tanh, sigmoid);
    bn.updateRunningStats(bn.forward(Matrix.random(8, 4, rng), "train")); // away from 0 and 1
    const [mean, variance] = [bn.runningMean.clone(), bn.runningVar.clone()];
    const { X, Y } = batch(10, mse, rng);
    for (let t = 0; t < 5; t++) net.forward(X, t % 2 ? "eval" : "train");
    checkNetwork(net, X, Y, mse, "mean");
    net.lossAndGrads(X, Y, mse, "sum");
    expect(bn.runningMean.data).toEqual(mean.data);
    expect(bn.runningVar.data).toEqual(variance.data);
  });

  it("Network.updateRunningStats folds the step's batch in, and train() does it after every step", () => {
    const { net, bn, rng } = bnNetwork(6, tanh, sigmoid);
    const { X, Y } = batch(12, mse, rng);
    const { caches } = net.lossAndGrads(X, Y, mse, "mean");
    const c = caches[1] as BatchNormCache;
    net.updateRunningStats(caches);
    expect(bn.runningMean.allClose(c.mu.scale(0.1), 1e-15)).toBe(true);
    expect(bn.runningVar.allClose(Matrix.ones(1, 4).scale(0.9).add(c.variance.scale(0.1 * (12 / 11))), 1e-15)).toBe(true);

    const fresh = bnNetwork(6, tanh, sigmoid);
    const history = train(fresh.net, X, Y, { epochs: 3, batchSize: 5, eta: 0.1, loss: mse, reduction: "mean", seed: 1 });
    expect(history.lossPerStep).toHaveLength(9); // batches of 5, 5, 2
    expect(fresh.bn.runningMean.maxAbs()).toBeGreaterThan(0);
    expect(fresh.bn.runningVar.allClose(Matrix.ones(1, 4))).toBe(false);
  });

  it("K = 1: the running mean takes the sample, the running variance is left as it was (1/(K − 1) is undefined)", () => {
    const bn = new BatchNorm(2, { momentum: 0.25 });
    bn.updateRunningStats(bn.forward(Matrix.fromRows([[0, 0], [2, 4]]), "train"));
    const variance = bn.runningVar.clone(); // 0.75·1 + 0.25·[2, 8]
    expect(variance.allClose(Matrix.row([1.25, 2.75]), 1e-15)).toBe(true);
    bn.updateRunningStats(bn.forward(Matrix.row([8, -4]), "train"));
    expect(bn.runningMean.allClose(Matrix.row([0.75 * 0.25 + 0.25 * 8, 0.75 * 0.5 - 1]), 1e-15)).toBe(true);
    expect(bn.runningVar.data).toEqual(variance.data);
  });

  it("momentum 0 never moves them, momentum 1 takes the last batch", () => {
    const X = Matrix.fromRows([[1, -1], [3, 5]]);
    const still = new BatchNorm(2, { momentum: 0 });
    still.updateRunningStats(still.forward(X, "train"));
    expect(still.runningMean.data).toEqual(new Float64Array(2));
    expect(still.runningVar.data).toEqual(Float64Array.from([1, 1]));
    const last = new BatchNorm(2, { momentum: 1 });
    last.updateRunningStats(last.forward(X, "train"));
    expect(last.runningMean.toRows()).toEqual([[2, 2]]);
    expect(last.runningVar.toRows()).toEqual([[2, 18]]); // unbiased: Σ(x − μ)²/(K − 1)
  });

  it("refuses the cache of an eval-mode pass, and one of another width", () => {
    const bn = new BatchNorm(2);
    expect(() => bn.updateRunningStats(bn.forward(Matrix.ones(3, 2), "eval"))).toThrow(
      "BatchNorm.updateRunningStats: the cache is from an eval-mode forward pass, whose statistics are the running ones",
    );
    const other = new BatchNorm(3);
    const wide = other.forward(Matrix.random(3, 3, new Rng(1)), "train");
    expectShapeError(() => bn.updateRunningStats(wide), "BatchNorm.updateRunningStats", ["1×3", "1×2"]);
  });
});

describe("BatchNorm: options, shapes, refusals, clone", () => {
  it("refuses eps ≤ 0 or non-finite, momentum outside [0, 1], a width that is not a positive integer", () => {
    for (const eps of [0, -1e-5, NaN, Infinity]) {
      expect(() => new BatchNorm(3, { eps })).toThrow(`BatchNorm: eps must be a finite number > 0`);
    }
    expect(() => new BatchNorm(3, { eps: 0 })).toThrow("got 0");
    for (const momentum of [-0.1, 1.5, NaN]) {
      expect(() => new BatchNorm(3, { momentum })).toThrow(
        "BatchNorm: momentum, the weight of a new batch in the running statistics, must be in [0, 1]",
      );
    }
    expect(() => new BatchNorm(0)).toThrow("BatchNorm: m (the number of features) must be a positive integer, got 0");
    expect(() => new BatchNorm(2.5)).toThrow("must be a positive integer, got 2.5");
    expect(new BatchNorm(3).eps).toBe(1e-5);
    expect(new BatchNorm(3).momentum).toBe(0.1);
  });

  it("BatchNorm.from checks the shapes and copies the values", () => {
    expectShapeError(() => BatchNorm.from(Matrix.ones(1, 3), Matrix.zeros(1, 4)), "BatchNorm.from", ["1×3", "1×4"]);
    expectShapeError(() => BatchNorm.from(Matrix.ones(2, 3), Matrix.zeros(2, 3)), "BatchNorm.from", ["2×3", "2×3"]);
    const gamma = Matrix.row([2, 3]);
    const bn = BatchNorm.from(gamma, Matrix.row([4, 5]), { eps: 1e-3, momentum: 0.5 });
    expect([bn.kind, bn.inputs, bn.outputs, bn.eps, bn.momentum]).toEqual(["BatchNorm", 2, 2, 1e-3, 0.5]);
    gamma.set(0, 0, 100);
    expect(bn.gamma.toRows()).toEqual([[2, 3]]);
    expect(bn.params().map((p) => [p.name, p.kind, p.value.shape])).toEqual([
      ["gamma", "scale", "1×2"],
      ["beta", "shift", "1×2"],
    ]);
    expect(bn.params()[0].value).toBe(bn.gamma); // the live arrays
  });

  it("forward and backward name the shapes they refuse; a Network checks the width against the Dense before", () => {
    const bn = new BatchNorm(3);
    expectShapeError(() => bn.forward(Matrix.ones(2, 4), "train"), "BatchNorm.forward", ["2×4", "1×3"]);
    const cache = bn.forward(Matrix.random(2, 3, new Rng(1)), "train");
    expectShapeError(() => bn.backward(cache, Matrix.ones(3, 3), true), "BatchNorm.backward", ["3×3", "2×3"]);
    const rng = new Rng(1);
    expectShapeError(() => new Network<Layer>([Dense.init(2, 4, identity, rng), bn]), "Network", ["2×4", "1×3"]);
  });

  it("has no forSample, so lossAndGradsPerSample refuses the network, naming the layer", () => {
    const { net, bn, rng } = bnNetwork(9, tanh, sigmoid);
    expect("forSample" in bn).toBe(false);
    const { X, Y } = batch(4, mse, rng);
    expect(() => net.lossAndGradsPerSample(X, Y, mse, "mean")).toThrow(
      "lossAndGradsPerSample: layer 2 (BatchNorm) makes every output row depend on the whole batch, so the batched " +
        "gradient is not a sum of per-sample ones; use lossAndGrads",
    );
  });

  it("clone copies gamma, beta and the running statistics; the copies are independent", () => {
    const rng = new Rng(4);
    const bn = BatchNorm.from(Matrix.row([2, 3]), Matrix.row([-1, 1]), { eps: 1e-4, momentum: 0.3 });
    bn.updateRunningStats(bn.forward(Matrix.random(5, 2, rng), "train"));
    const copy = bn.clone();
    expect([copy.eps, copy.momentum]).toEqual([1e-4, 0.3]);
    for (const key of ["gamma", "beta", "runningMean", "runningVar"] as const) {
      expect(copy[key]).not.toBe(bn[key]);
      expect(copy[key].data).toEqual(bn[key].data);
    }
    const X = Matrix.random(3, 2, rng);
    expect(copy.forward(X, "eval").A.data).toEqual(bn.forward(X, "eval").A.data);
    copy.gamma.set(0, 0, 9);
    copy.updateRunningStats(copy.forward(Matrix.random(5, 2, rng), "train"));
    expect(bn.gamma.get(0, 0)).toBe(2);
    expect(bn.runningMean.data).not.toEqual(copy.runningMean.data);
    // and a cloned network holds a cloned batch norm
    const { net } = bnNetwork(3, tanh, sigmoid);
    expect(net.clone().layers[1]).not.toBe(net.layers[1]);
    expect((net.clone().layers[1] as BatchNorm).gamma.data).toEqual((net.layers[1] as BatchNorm).gamma.data);
  });
});
