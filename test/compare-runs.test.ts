import { describe, expect, it } from "vitest";
import { ClaimError } from "../src/check/claims.js";
import { LOSS_NOISE, runGap, trainingRunChecks } from "../src/check/compare.js";
import { Network } from "../src/nn/network.js";
import { DivergenceError, catchDivergence, train } from "../src/nn/train.js";
import { identity, sigmoid } from "../src/nn/activations.js";
import { mse } from "../src/nn/losses.js";
import { blobs } from "../src/nn/datasets.js";
import { Rng } from "../src/core/rng.js";

const history = (lossPerEpoch: number[]) => ({ lossPerEpoch, lossPerStep: [] });
const diverged = (step: number) => new DivergenceError(1, step, 1, Infinity, 50);

describe("runGap", () => {
  it("is the largest relative gap between the losses after each epoch", () => {
    expect(runGap(history([1, 0.5]), history([1, 0.5]))).toBe(0);
    expect(runGap(history([2, 0.5]), history([1, 0.5]))).toBe(0.5);
    expect(runGap(history([1, 0.4]), history([1, 0.5]))).toBeCloseTo(0.2, 15);
    expect(runGap(history([0, 0]), history([0, 0]))).toBe(0); // equal zeros are no gap
  });

  it("counts two divergences at one step as one run, anything else as apart", () => {
    expect(runGap(diverged(3), diverged(3))).toBe(0);
    expect(runGap(diverged(3), diverged(4))).toBe(Infinity);
    expect(runGap(diverged(3), history([1]))).toBe(Infinity);
    expect(runGap(history([1]), diverged(3))).toBe(Infinity);
  });

  it("refuses runs of different lengths", () => {
    expect(() => runGap(history([1]), history([1, 2]))).toThrow("runGap: the runs have 1 and 2 epochs");
  });
});

describe("trainingRunChecks", () => {
  it("states the replay and, by cases, what the loss did", () => {
    const fell = trainingRunChecks(history([0.5, 0.25]), history([0.5, 0.25]), 1, 0.5);
    expect(fell.map((c) => c.statement)).toEqual(["the same seed replays the run exactly", "training lowered $E$"]);
    expect(fell[0].measured).toBe("2 equal losses");
    expect(fell[1].measured).toBe("1.0000 → 0.2500, change -0.75");
    const rose = trainingRunChecks(history([2]), history([2]), 1, 9);
    expect(rose[1].statement).toBe(String.raw`with $\eta = 9$, $E$ ends above its start: $\eta$ is too large`);
    expect(rose[0].measured).toBe("1 equal loss");
    const still = trainingRunChecks(history([1 - LOSS_NOISE / 2]), history([1 - LOSS_NOISE / 2]), 1, 1e-20);
    expect(still[1].statement).toBe(String.raw`$\eta = 1e-20$ is too small to move $E$ beyond rounding`);
    const div = trainingRunChecks(diverged(3), diverged(3), 1, 50);
    expect(div).toEqual([{ statement: "the same seed replays the run exactly", measured: "diverges again at step 3" }]);
  });

  it("fails when the replay differs", () => {
    expect(() => trainingRunChecks(history([0.5]), history([0.6]), 1, 0.5)).toThrow(ClaimError);
    expect(() => trainingRunChecks(diverged(3), diverged(4), 1, 50)).toThrow(ClaimError);
    expect(() => trainingRunChecks(diverged(3), history([1]), 1, 50)).toThrow(ClaimError);
  });

  it("passes on a real run and its replay, and on a real divergence", () => {
    const rng = new Rng(1);
    const data = blobs(6, 2, rng);
    const start = Network.init([2, 4, 2], [sigmoid, identity], rng);
    const before = start.evaluate(data.X, data.Y, mse, "mean");
    const at = (eta: number) =>
      catchDivergence(() =>
        train(start.clone(), data.X, data.Y, { epochs: 5, batchSize: 3, eta, loss: mse, reduction: "mean", seed: 2 }),
      );
    expect(trainingRunChecks(at(0.5), at(0.5), before, 0.5)[1].statement).toBe("training lowered $E$");
    const far = at(1e4);
    expect(far).toBeInstanceOf(DivergenceError);
    expect(trainingRunChecks(far, at(1e4), before, 1e4)).toHaveLength(1);
  });
});
