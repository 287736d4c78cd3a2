// δ per layer and the variance argument (nn/deltas.ts), and standardized inputs (nn/standardize.ts):
// the δ of every Dense layer against the library's gradients and against finite differences in Z,
// the sizes of a pass against their definitions, the predictions against the average over many
// draws of the weights, and the refusals.
import { describe, expect, it } from "vitest";
import { numericalGradient } from "../src/check/gradcheck.js";
import { broadcastRows, matmul } from "../src/core/linalg.js";
import { Matrix } from "../src/core/matrix.js";
import { Rng } from "../src/core/rng.js";
import { type Activation, identity, relu, sigmoid, softmax, tanh } from "../src/nn/activations.js";
import { BatchNorm } from "../src/nn/batchnorm.js";
import { Dense } from "../src/nn/dense.js";
import { deltas, layerScales, meanRatio, predictedScales, rms, summarizeScales } from "../src/nn/deltas.js";
import { Dropout } from "../src/nn/dropout.js";
import { type Init, he, normal, xavier } from "../src/nn/init.js";
import { ActivationLayer } from "../src/nn/layer.js";
import { type Reduction, bceWithLogits, mse, softmaxCrossEntropy } from "../src/nn/losses.js";
import { Network } from "../src/nn/network.js";
import { standardize } from "../src/nn/standardize.js";
import { expectShapeError, relDiff } from "./helpers.js";

const batch = (K: number, n: number, m: number, seed: number) => {
  const rng = new Rng(seed);
  return { X: Matrix.random(K, n, rng), Y: Matrix.fill(K, m, () => rng.int(2)), rng };
};

describe("deltas", () => {
  for (const K of [1, 2, 5, 64]) {
    for (const reduction of ["sum", "mean"] as Reduction[]) {
      it(`K = ${K}, ${reduction}: dW_l = X_lᵀδ_l and db_l = 1ᵀδ_l are lossAndGrads's gradients, for every layer`, () => {
        const { X, Y, rng } = batch(K, 3, 2, K);
        const net = Network.init([3, 5, 4, 2], [tanh, relu, identity], rng);
        const ds = deltas(net, X, Y, bceWithLogits, reduction);
        expect(ds.map((d) => d.shape)).toEqual([`${K}×5`, `${K}×4`, `${K}×2`]);
        const { grads, caches } = net.lossAndGrads(X, Y, bceWithLogits, reduction);
        ds.forEach((d, i) => {
          expect(relDiff(matmul(caches[i].X, d, true), grads[`W${i + 1}`])).toBeLessThan(1e-12);
          expect(relDiff(d.sum(0), grads[`b${i + 1}`])).toBeLessThan(1e-12);
        });
      });
    }
  }

  it("δ_L is the loss's gradient at the logits, and δ_1 agrees with finite differences of E in Z_1", () => {
    const { X, Y, rng } = batch(6, 2, 3, 7);
    const net = Network.init([2, 4, 3], [sigmoid, identity], rng);
    const labels = Matrix.fill(6, 3, (k, j) => (j === k % 3 ? 1 : 0));
    const ds = deltas(net, X, labels, softmaxCrossEntropy, "mean");
    const Z2 = net.predict(X);
    expect(relDiff(ds[1], softmaxCrossEntropy(Z2, labels, "mean").dZ)).toBeLessThan(1e-14);
    // E as a function of Z₁ alone: the hidden activation, then the output layer
    const Z1 = net.forward(X).caches[0].Z.clone();
    const rest = new Network([new ActivationLayer(sigmoid), net.layers[1]]);
    const fd = numericalGradient(Z1, () => rest.evaluate(Z1, labels, softmaxCrossEntropy, "mean"));
    expect(relDiff(ds[0], fd)).toBeLessThan(1e-7);
    expect(Y.rows).toBe(6);
  });

  it("through layers that are not Dense: an activation layer and batch norm between two Dense ones", () => {
    const { X, Y, rng } = batch(8, 3, 1, 11);
    const net = new Network([
      Dense.init(3, 4, identity, rng),
      new BatchNorm(4),
      new ActivationLayer(tanh),
      Dense.init(4, 1, identity, rng),
    ]);
    const ds = deltas(net, X, Y, mse, "mean");
    expect(ds.length).toBe(2);
    const { grads, caches } = net.lossAndGrads(X, Y, mse, "mean");
    expect(relDiff(matmul(caches[0].X, ds[0], true), grads.W1)).toBeLessThan(1e-12);
    expect(relDiff(matmul(caches[3].X, ds[1], true), grads.W2)).toBeLessThan(1e-12);
  });

  it("a dropout layer draws one mask for the forward and the backward pass", () => {
    const { X, Y, rng } = batch(16, 3, 1, 12);
    const drop = new Dropout(0.5, new Rng(5));
    const net = new Network([Dense.init(3, 6, tanh, rng), drop, Dense.init(6, 1, identity, rng)]);
    const ds = deltas(net, X, Y, mse, "sum");
    drop.freeze(); // the mask deltas used
    const { grads, caches } = net.lossAndGrads(X, Y, mse, "sum");
    expect(relDiff(matmul(caches[0].X, ds[0], true), grads.W1)).toBeLessThan(1e-12);
    // the dropped units' columns of δ₁ are 0
    const mask = caches[1].A.map((a, k, j) => (caches[1].X.get(k, j) !== 0 && a === 0 ? 1 : 0));
    expect(mask.total()).toBeGreaterThan(0);
    mask.data.forEach((dropped, i) => (dropped ? expect(Math.abs(ds[0].data[i])).toBe(0) : undefined));
  });

  it("refuses X and Y of different batch sizes, a logit loss after a sigmoid, and a network without Dense layers", () => {
    const { X, Y, rng } = batch(4, 2, 1, 3);
    const net = Network.init([2, 3, 1], [tanh, sigmoid], rng);
    expectShapeError(() => deltas(net, X, Matrix.zeros(3, 1), mse, "sum"), "deltas", ["4×2", "3×1"]);
    expect(() => deltas(net, X, Y, bceWithLogits, "mean")).toThrow(
      "deltas: bceWithLogits takes logits, so the last activation must be identity, got sigmoid",
    );
    expect(() => layerScales(new Network([new ActivationLayer(tanh)]), X, Matrix.zeros(4, 2), mse, "sum")).toThrow(
      "layerScales: the network has no Dense layer, so no δ",
    );
  });
});

describe("rms and layerScales", () => {
  it("rms is the root of the mean square", () => {
    expect(rms(Matrix.row([3, -4]))).toBeCloseTo(Math.sqrt(12.5), 15);
    expect(rms(Matrix.fill(3, 5, () => -2))).toBe(2);
    expect(rms(Matrix.zeros(2, 2))).toBe(0);
  });

  it("every field is the rms of what it names; f′ of a ReLU layer is √(share of positive z)", () => {
    const { X, Y, rng } = batch(10, 3, 1, 21);
    const net = Network.init([3, 8, 5, 1], [relu, tanh, identity], rng, { init: he });
    const scales = layerScales(net, X, Y, bceWithLogits, "sum");
    const { caches } = net.forward(X);
    const ds = deltas(net, X, Y, bceWithLogits, "sum");
    expect(scales.map((s) => [s.layer, s.fanIn, s.fanOut])).toEqual([[1, 3, 8], [2, 8, 5], [3, 5, 1]]);
    scales.forEach((s, i) => {
      const layer = net.layers[i];
      expect(s.weightVar).toBeCloseTo(layer.W.mul(layer.W).mean(), 14);
      expect(s.input).toBeCloseTo(rms(i === 0 ? X : caches[i - 1].A), 14);
      expect(s.z).toBeCloseTo(rms(caches[i].Z), 14);
      expect(s.delta).toBeCloseTo(rms(ds[i]), 14);
    });
    const positive = caches[0].Z.data.filter((z) => z > 0).length / caches[0].Z.data.length;
    expect(scales[0].derivative).toBeCloseTo(Math.sqrt(positive), 14);
    expect(scales[1].derivative).toBeCloseTo(rms(caches[1].A.map((a) => 1 - a * a)), 14);
    expect(scales[2].derivative).toBe(1); // identity
  });

  it("an activation without an elementwise f′ (softmax) has derivative NaN", () => {
    const { X, rng } = batch(4, 2, 3, 5);
    const net = Network.init([2, 3], [softmax], rng);
    const [s] = layerScales(net, X, Matrix.fill(4, 3, (k, j) => (j === 0 ? 1 : 0)), mse, "sum");
    expect(Number.isNaN(s.derivative)).toBe(true);
  });
});

describe("predictedScales: the variance argument", () => {
  it("is the formula, layer by layer", () => {
    const scales = [
      { layer: 1, fanIn: 2, fanOut: 4, weightVar: 0.5, input: 3, z: 0, derivative: 0.5, delta: 0 },
      { layer: 2, fanIn: 4, fanOut: 9, weightVar: 0.25, input: 2, z: 0, derivative: 1, delta: 6 },
    ];
    const p = predictedScales(scales);
    expect(p.z).toEqual([Math.sqrt(2 * 0.5) * 3, Math.sqrt(4 * 0.25) * 2]);
    expect(p.delta).toEqual([Math.sqrt(9 * 0.25) * 6 * 0.5]);
    expect(() => predictedScales([])).toThrow("predictedScales: expected the scales of at least one layer");
  });

  // Averaged over 200 draws of the weights, the measured mean squares match the predicted ones:
  // the forward one exactly in expectation, the backward one to the independence it assumes.
  const cases: [string, Activation, Init][] = [
    ["tanh, Xavier", tanh, xavier],
    ["ReLU, He", relu, he],
    ["tanh, normal(0.01)", tanh, normal(0.01)],
    ["ReLU, normal(0.01)", relu, normal(0.01)],
  ];
  for (const [name, act, init] of cases) {
    it(`${name}: measured and predicted mean squares agree on average over the draws, forward and back`, () => {
      const rng = new Rng(99);
      const X = Matrix.random(8, 4, rng);
      const Y = Matrix.fill(8, 1, (k) => k % 2);
      const sums = { z: [0, 0, 0, 0], zp: [0, 0, 0, 0], d: [0, 0, 0], dp: [0, 0, 0] };
      for (let draw = 0; draw < 200; draw++) {
        const net = Network.init([4, 32, 32, 32, 1], [act, act, act, identity], rng, { init });
        const scales = layerScales(net, X, Y, bceWithLogits, "sum");
        const p = predictedScales(scales);
        scales.forEach((s, l) => {
          sums.z[l] += s.z ** 2;
          sums.zp[l] += p.z[l] ** 2;
          if (l < 3) {
            sums.d[l] += s.delta ** 2;
            sums.dp[l] += p.delta[l] ** 2;
          }
        });
      }
      sums.z.forEach((v, l) => expect(Math.abs(v / sums.zp[l] - 1)).toBeLessThan(0.05));
      sums.d.forEach((v, l) => expect(Math.abs(v / sums.dp[l] - 1)).toBeLessThan(0.1));
    });
  }

  it("normal(0.01) shrinks δ by about 0.01·√n a layer with tanh, and He keeps ReLU's near 1", () => {
    const rng = new Rng(3);
    const X = Matrix.random(16, 2, rng);
    const Y = Matrix.fill(16, 1, (k) => k % 2);
    const sizes = [2, 64, 64, 64, 64, 64, 1];
    const factor = (act: Activation, init: Init) => {
      const s = layerScales(Network.init(sizes, [act, act, act, act, act, identity], rng, { init }), X, Y, bceWithLogits, "sum");
      return (s[0].delta / s[4].delta) ** (1 / 4); // four hidden steps back
    };
    expect(Math.abs(factor(tanh, normal(0.01)) / (0.01 * Math.sqrt(64)) - 1)).toBeLessThan(0.1);
    expect(Math.abs(factor(relu, normal(0.01)) / (0.01 * Math.sqrt(32)) - 1)).toBeLessThan(0.15);
    expect(Math.abs(factor(relu, he) - 1)).toBeLessThan(0.15);
  });
});

describe("summarizeScales", () => {
  it("its factors are the geometric means of the measured and predicted sizes it names", () => {
    const rng = new Rng(31);
    const X = Matrix.random(12, 2, rng);
    const Y = Matrix.fill(12, 1, (k) => k % 2);
    const net = Network.init([2, 16, 16, 16, 1], [tanh, tanh, tanh, identity], rng, { init: xavier });
    const scales = layerScales(net, X, Y, bceWithLogits, "sum");
    const p = predictedScales(scales);
    const d = scales.map((s) => s.delta);
    const sum = summarizeScales(scales);
    const geo = (xs: number[]) => Math.exp(xs.reduce((a, x) => a + Math.log(x), 0) / xs.length);
    expect(sum.forwardFit).toBeCloseTo(geo(scales.map((s, l) => s.z / p.z[l])), 13);
    expect(sum.backwardFit).toBeCloseTo(geo(p.delta.map((v, l) => d[l] / v)), 13);
    expect(sum.hiddenFactor).toBeCloseTo(Math.sqrt(d[0] / d[2]), 13); // two hidden steps
    expect(sum.predictedHiddenFactor).toBeCloseTo(geo([p.delta[0] / d[1], p.delta[1] / d[2]]), 13);
    expect(sum.firstOverLast).toBe(d[0] / d[3]);
  });

  it("one or two layers: the factors without a step are NaN; a dead ReLU layer is refused by meanRatio", () => {
    const rng = new Rng(32);
    const X = Matrix.random(4, 2, rng);
    const Y = Matrix.fill(4, 1, (k) => k % 2);
    const two = summarizeScales(layerScales(Network.init([2, 3, 1], [tanh, identity], rng), X, Y, mse, "sum"));
    expect(Number.isNaN(two.hiddenFactor) && Number.isNaN(two.predictedHiddenFactor)).toBe(true);
    expect(Number.isFinite(two.backwardFit)).toBe(true);
    const one = summarizeScales(layerScales(Network.init([2, 1], [identity], rng), X, Y, mse, "sum"));
    expect(Number.isNaN(one.backwardFit)).toBe(true);
    const dead = Network.init([2, 3, 1], [relu, identity], rng);
    dead.layers[0].b.data.fill(-100); // every unit off for every sample: δ₁ = 0
    expect(() => summarizeScales(layerScales(dead, X, Y, mse, "sum"))).toThrow(/meanRatio: entry \d is 0 measured/);
  });
});

describe("meanRatio", () => {
  it("is the geometric mean of the ratios: a factor 2 and a factor ½ cancel", () => {
    expect(meanRatio([2, 1], [1, 2])).toBeCloseTo(1, 15);
    expect(meanRatio([4, 9], [1, 1])).toBeCloseTo(6, 14);
    expect(meanRatio([3], [3])).toBe(1);
  });

  it("refuses lists of different or zero length, and entries that are not positive and finite", () => {
    expect(() => meanRatio([1, 2], [1])).toThrow("meanRatio: expected two lists of the same positive length, got 2 and 1");
    expect(() => meanRatio([], [])).toThrow("got 0 and 0");
    expect(() => meanRatio([1, 0], [1, 1])).toThrow("meanRatio: entry 1 is 0 measured against 1 predicted; both must be positive and finite");
    expect(() => meanRatio([1], [NaN])).toThrow("entry 0 is 1 measured against NaN predicted");
  });
});

describe("standardize", () => {
  it("every column gets mean 0 and sd 1, and mean and sd are returned", () => {
    const rng = new Rng(8);
    const X = Matrix.fill(50, 3, (_, j) => 1000 * (j + 1) + (j + 1) * 300 * rng.normal());
    const { X: S, mean, sd } = standardize(X);
    expect(S.sum(0).maxAbs() / 50).toBeLessThan(1e-14);
    S.mul(S).sum(0).scale(1 / 50).data.forEach((v) => expect(v).toBeCloseTo(1, 13));
    expect(relDiff(S.mul(broadcastRows(sd, 50)).add(broadcastRows(mean, 50)), X)).toBeLessThan(1e-15);
    expect(mean.shape).toBe("1×3");
    expect(sd.shape).toBe("1×3");
  });

  it("undoes a change of units: a·x + c, per column, standardizes to the same as x", () => {
    const rng = new Rng(9);
    const X = Matrix.random(20, 2, rng);
    const scaled = X.mul(broadcastRows(Matrix.row([300, 800]), 20)).add(broadcastRows(Matrix.row([2000, 5000]), 20));
    expect(standardize(scaled).X.maxAbsDiff(standardize(X).X)).toBeLessThan(1e-12);
  });

  it("refuses a constant column, exactly constant or constant but for rounding, and a single row", () => {
    const X = Matrix.fromRows([[1, 5], [2, 5], [3, 5]]);
    expect(() => standardize(X)).toThrow("standardize: column 1 of X is constant (5 in all 3 rows), so it has no scale; leave it out");
    const tenths = Matrix.fill(7, 2, (k, j) => (j === 0 ? 0.1 : k));
    expect(() => standardize(tenths)).toThrow("standardize: column 0 of X is constant (0.1 in all 7 rows)");
    expect(() => standardize(Matrix.zeros(4, 1))).toThrow("column 0 of X is constant (0 in all 4 rows)");
    expect(() => standardize(Matrix.row([1, 2]))).toThrow("column 0 of X is constant (1 in its only row)");
  });
});
