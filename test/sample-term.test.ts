import { describe, expect, it } from "vitest";
import { Matrix } from "../src/core/matrix.js";
import { Rng } from "../src/core/rng.js";
import { identity, sigmoid, tanh } from "../src/nn/activations.js";
import { BatchNorm } from "../src/nn/batchnorm.js";
import { oneHot } from "../src/nn/datasets.js";
import { Dense } from "../src/nn/dense.js";
import { ActivationLayer, type Layer } from "../src/nn/layer.js";
import { mse, softmaxCrossEntropy } from "../src/nn/losses.js";
import { Network } from "../src/nn/network.js";
import { onlyRow } from "../src/nn/sample-term.js";
import { gradsRelDiff } from "./helpers.js";

const sumGrads = (list: Record<string, Matrix>[]) =>
  Object.fromEntries(Object.keys(list[0]).map((name) => [name, list.map((g) => g[name]).reduce((a, b) => a.add(b))]));

describe("onlyRow: one sample's term of the batch loss", () => {
  it("its value and gradient, for a logit loss and an output loss, sum and mean", () => {
    const rng = new Rng(1);
    const Z = Matrix.random(4, 3, rng);
    const Y = oneHot([0, 2, 1, 1], 3);
    const t = onlyRow(softmaxCrossEntropy, 2)(Z, Y, "sum");
    const alone = softmaxCrossEntropy(Z.getRow(2), Y.getRow(2), "sum");
    expect(t.loss).toBe(alone.loss);
    expect(t.dZ.getRow(2).data).toEqual(alone.dZ.data);
    expect([0, 1, 3].every((k) => t.dZ.getRow(k).maxAbs() === 0)).toBe(true);
    const mean = onlyRow(softmaxCrossEntropy, 2)(Z, Y, "mean");
    expect(mean.loss).toBeCloseTo(alone.loss / 4, 15);
    const out = onlyRow(mse, 0)(Z, Y, "sum");
    expect("dYhat" in out).toBe(true);
    expect(onlyRow(mse, 0).fromLogits).toBe(false);
    expect(onlyRow(softmaxCrossEntropy, 0).fromLogits).toBe(true);
    expect(onlyRow(mse, 3).name).toBe("onlyRow(mse, 3)");
  });

  it("the terms add up to the batch gradient; without batch norm each is the sample's own gradient", () => {
    const rng = new Rng(2);
    const net = Network.init([2, 5, 3], [tanh, identity], rng);
    const X = Matrix.random(6, 2, rng);
    const Y = oneHot([0, 1, 2, 0, 1, 2], 3);
    const terms = [...Array(6).keys()].map((k) => net.lossAndGrads(X, Y, onlyRow(softmaxCrossEntropy, k), "sum").grads);
    expect(gradsRelDiff(sumGrads(terms), net.lossAndGrads(X, Y, softmaxCrossEntropy, "sum").grads)).toBeLessThan(1e-13);
    for (let k = 0; k < 6; k++) {
      const own = net.lossAndGrads(X.getRow(k), Y.getRow(k), softmaxCrossEntropy, "sum").grads;
      expect(gradsRelDiff(terms[k], own)).toBeLessThan(1e-13);
    }
  });

  it("after batch norm the terms still add up, but a term depends on the other rows of the batch", () => {
    const rng = new Rng(3);
    const layers: Layer[] = [Dense.init(2, 4, identity, rng), new BatchNorm(4), new ActivationLayer(sigmoid), Dense.init(4, 2, sigmoid, rng)];
    const net = new Network(layers);
    const X = Matrix.random(5, 2, rng);
    const Y = Matrix.random(5, 2, rng);
    const terms = [...Array(5).keys()].map((k) => net.lossAndGrads(X, Y, onlyRow(mse, k), "mean").grads);
    // (b1's gradient is 0 but for rounding, so the comparison is absolute, on the scale of the others)
    const whole = net.lossAndGrads(X, Y, mse, "mean").grads;
    const summed = sumGrads(terms);
    const scale = Math.max(...Object.values(whole).map((g) => g.maxAbs()));
    for (const name of Object.keys(whole)) expect(summed[name].maxAbsDiff(whole[name]), name).toBeLessThan(1e-13 * scale);
    const other = X.map((x, i) => (i === 4 ? x + 1 : x)); // move sample 5 only
    const moved = net.lossAndGrads(other, Y, onlyRow(mse, 0), "mean").grads;
    expect(moved.W1.maxAbsDiff(terms[0].W1)).toBeGreaterThan(1e-6);
  });

  it("refuses a row outside the batch and mismatched shapes", () => {
    const Z = Matrix.zeros(3, 2);
    expect(() => onlyRow(mse, 3)(Z, Z, "sum")).toThrow("onlyRow(mse): row 3 is not a row of a batch of 3");
    expect(() => onlyRow(mse, 1.5)(Z, Z, "sum")).toThrow(RangeError);
    expect(() => onlyRow(mse, 0)(Z, Matrix.zeros(2, 2), "sum")).toThrow("onlyRow(mse): 3×2 vs 2×2");
  });
});
