import { describe, expect, it } from "vitest";
import { checkNetwork } from "../src/check/gradcheck.js";
import { normalizationStep } from "../src/check/step.js";
import { Matrix } from "../src/core/matrix.js";
import { Rng } from "../src/core/rng.js";
import { identity, tanh } from "../src/nn/activations.js";
import { BatchNorm } from "../src/nn/batchnorm.js";
import { oneHot } from "../src/nn/datasets.js";
import { Dense } from "../src/nn/dense.js";
import { ActivationLayer, type Layer } from "../src/nn/layer.js";
import { softmaxCrossEntropy } from "../src/nn/losses.js";
import { Network } from "../src/nn/network.js";

describe("normalizationStep", () => {
  it("h times the smallest spread, at most h; zero variances give no scale", () => {
    expect(normalizationStep(Matrix.row([4, 9]))).toBe(1e-5);
    expect(normalizationStep(Matrix.row([4, 1e-4, 0]))).toBeCloseTo(1e-7, 20);
    expect(normalizationStep(Matrix.column([0, 0]), 1e-4)).toBe(1e-4);
    expect(() => normalizationStep(Matrix.row([1, -1]))).toThrow("normalizationStep: a variance must be ≥ 0, entry 1 is -1");
    expect(() => normalizationStep(Matrix.row([1]), 0)).toThrow("normalizationStep: h must be a positive finite number, got 0");
  });

  it("a unit with a small batch variance: the default step's error grows, this step's does not", () => {
    const rng = new Rng(4);
    const dense = Dense.init(2, 3, identity, rng);
    // unit 1's weights nearly orthogonal to the spread of the batch: its σ is about 1e-3
    const X = Matrix.fromRows([[1, 2], [1.5, 1], [0.5, 3], [2, 0]]).addScalar(5);
    // column 0 is 2·x1 + (1 + 1e-3)·x2: 2·x1 + x2 is the same on all four points, so σ ≈ 1e-3
    dense.W.data.set([2, 0.5, 0.2, 1 + 1e-3, 0.3, -0.4]);
    const layers: Layer[] = [dense, new BatchNorm(3), new ActivationLayer(tanh), Dense.init(3, 2, identity, rng)];
    const net = new Network(layers);
    const Y = oneHot([0, 1, 1, 0], 2);
    const variance = (net.forward(X).caches[1] as unknown as { variance: Matrix }).variance;
    expect(Math.sqrt(variance.get(0, 0))).toBeLessThan(1e-2);
    const h = normalizationStep(variance);
    expect(h).toBeLessThan(1e-7);
    const W1 = (opts: { h?: number }) => checkNetwork(net, X, Y, softmaxCrossEntropy, "mean", opts).find((r) => r.name === "W1")!;
    const coarse = W1({});
    const fine = W1({ h });
    expect(fine.relError).toBeLessThan(1e-7);
    expect(coarse.relError).toBeGreaterThan(10 * fine.relError);
  });
});
