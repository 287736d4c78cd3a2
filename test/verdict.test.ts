import { describe, expect, it } from "vitest";
import { checkNetwork, gradCheck } from "../src/check/gradcheck.js";
import { passesCheck } from "../src/check/verdict.js";
import { Matrix } from "../src/core/matrix.js";
import { Rng } from "../src/core/rng.js";
import { identity, tanh } from "../src/nn/activations.js";
import { BatchNorm } from "../src/nn/batchnorm.js";
import { withBatchNormSlip } from "../src/nn/batchnorm-slips.js";
import { oneHot } from "../src/nn/datasets.js";
import { Dense } from "../src/nn/dense.js";
import { ActivationLayer, type Layer } from "../src/nn/layer.js";
import { softmaxCrossEntropy } from "../src/nn/losses.js";
import { Network } from "../src/nn/network.js";

describe("passesCheck", () => {
  it("relative error below tol, or the largest difference within the resolution", () => {
    expect(passesCheck({ relError: 1e-9, absError: 1, resolution: 0 })).toBe(true);
    expect(passesCheck({ relError: 1e-5, absError: 1e-11, resolution: 1e-9 })).toBe(true);
    expect(passesCheck({ relError: 1e-5, absError: 1e-8, resolution: 1e-9 })).toBe(false);
    expect(passesCheck({ relError: 1e-5, absError: 1e-8, resolution: 1e-9 }, 1e-4)).toBe(true);
    expect(() => passesCheck({ relError: 0, absError: 0, resolution: 0 }, 0)).toThrow("passesCheck: tol must be a positive finite number, got 0");
    // a floor above the resolution, for a loss computed less exactly than ε|E|
    expect(passesCheck({ relError: 1e-5, absError: 1e-8, resolution: 1e-9 }, 1e-7, 2e-8)).toBe(true);
    expect(passesCheck({ relError: 1e-5, absError: 1e-8, resolution: 1e-9 }, 1e-7, 5e-9)).toBe(false);
    expect(() => passesCheck({ relError: 0, absError: 0, resolution: 0 }, 1e-7, -1)).toThrow("passesCheck: floor must be a finite number ≥ 0, got -1");
  });

  it("a batch norm at K = 2: W1's tiny right gradient passes, the constant-statistics slip does not", () => {
    const rng = new Rng(1);
    const layers: Layer[] = [Dense.init(2, 4, identity, rng), new BatchNorm(4), new ActivationLayer(tanh), Dense.init(4, 3, identity, rng)];
    const net = new Network(layers);
    const X = Matrix.random(2, 2, rng).addScalar(10);
    const Y = oneHot([0, 2], 3);
    const right = checkNetwork(net, X, Y, softmaxCrossEntropy, "mean");
    const W1 = right.find((r) => r.name === "W1")!;
    expect(W1.relError).toBeGreaterThan(1e-7); // noise over a gradient of order ε/σ²
    expect(W1.absError).toBeLessThan(W1.resolution);
    expect(right.every((r) => passesCheck(r))).toBe(true);
    const slipped = checkNetwork(withBatchNormSlip(net, "constant-statistics"), X, Y, softmaxCrossEntropy, "mean");
    expect(passesCheck(slipped.find((r) => r.name === "W1")!)).toBe(false);
  });

  it("a wrong gradient of ordinary size fails", () => {
    const W = Matrix.random(3, 2, new Rng(2));
    const [r] = gradCheck([{ name: "W", value: W }], () => 0.5 * W.mul(W).total(), [W.scale(2)]);
    expect(passesCheck(r)).toBe(false);
  });
});
