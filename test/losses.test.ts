import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { softmax } from "../src/nn/activations.js";
import { oneHot } from "../src/nn/datasets.js";
import { gradCheck } from "../src/check/gradcheck.js";
import { type LossFn, lossGradient, mse, type Reduction, softmaxCrossEntropy } from "../src/nn/losses.js";
import { Matrix } from "../src/core/matrix.js";
import { Rng } from "../src/core/rng.js";
import { randn, relDiff } from "./helpers.js";

// K×m targets: one-hot rows, or rows of random probabilities (soft targets)
function distributions(K: number, m: number, seed: number, hard: boolean): Matrix {
  if (!hard) return softmax.f(randn(K, m, seed));
  const rng = new Rng(seed);
  return oneHot(Array.from({ length: K }, () => rng.int(m)), m);
}

const losses: [string, LossFn][] = [
  ["mse", mse],
  ["softmaxCrossEntropy", softmaxCrossEntropy],
];
const reductions: Reduction[] = ["sum", "mean"];

describe("gradient check of dE/d(output) for every loss and reduction", () => {
  const cases = losses.flatMap(([name, loss]) => reductions.map((r) => [name, loss, r] as const));
  it.each(cases)("%s, %s", (name, loss, reduction) => {
    [1, 2, 5, 64].forEach((K, i) => {
      const out = randn(K, 3, i).scale(2);
      const y = name === "mse" ? randn(K, 3, 50 + i) : distributions(K, 3, 50 + i, i % 2 === 0);
      const [report] = gradCheck([{ name: "out", value: out }], () => loss(out, y, reduction).loss, [lossGradient(loss(out, y, reduction))]);
      expect(report.relError).toBeLessThan(1e-7);
    });
  });
});

describe("mse", () => {
  it("uses the ½ convention: E_sum = ½ Σ (ŷ − y)², E_mean = E_sum / K with K the number of rows", () => {
    const yhat = Matrix.fromRows([[1, 2], [3, 0]]);
    const y = Matrix.zeros(2, 2);
    expect(mse(yhat, y, "sum").loss).toBe(7);
    expect(mse(yhat, y, "mean").loss).toBe(3.5);
    expect(mse(yhat, y, "sum").dYhat.toRows()).toEqual(yhat.toRows());
    expect(mse(yhat, y, "mean").dYhat.toRows()).toEqual(yhat.scale(0.5).toRows());
  });
});

describe("softmaxCrossEntropy", () => {
  it("is log m for equal logits and a one-hot target; its gradient is softmax(z) − y", () => {
    const z = Matrix.zeros(1, 4);
    const y = Matrix.row([0, 0, 1, 0]);
    const { loss, dZ: dYhat } = softmaxCrossEntropy(z, y, "sum");
    expect(loss).toBeCloseTo(Math.log(4), 15);
    expect(dYhat.allClose(Matrix.row([0.25, 0.25, -0.75, 0.25]), 1e-15, 1e-15)).toBe(true);
  });

  it("stays finite and exact for huge logits (log-sum-exp)", () => {
    const z = Matrix.row([1000, 0, -1000]);
    expect(softmaxCrossEntropy(z, Matrix.row([1, 0, 0]), "sum").loss).toBe(0);
    expect(softmaxCrossEntropy(z, Matrix.row([0, 1, 0]), "sum").loss).toBe(1000);
  });

  it("rejects a target row that is not a probability distribution", () => {
    const z = Matrix.zeros(2, 2);
    expect(() => softmaxCrossEntropy(z, Matrix.fromRows([[1, 0], [0.5, 0.3]]), "sum")).toThrow(
      /softmaxCrossEntropy: row 1 of y is not a probability distribution \(sum 0.8/,
    );
    expect(() => softmaxCrossEntropy(z, Matrix.fromRows([[1, 0], [1.5, -0.5]]), "sum")).toThrow(/row 1/);
  });

  it("is marked as taking logits; mse is not", () => {
    expect(softmaxCrossEntropy.fromLogits).toBe(true);
    expect(mse.fromLogits).toBe(false);
  });
});

describe("both losses", () => {
  it.each(losses)("%s: the mean loss and gradient are the sum ones divided by K", (name, loss) => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 6 }), fc.nat(1000), (K, m, s) => {
        const out = randn(K, m, s);
        const y = name === "mse" ? randn(K, m, s + 1) : distributions(K, m, s + 1, s % 2 === 0);
        const sum = loss(out, y, "sum");
        const mean = loss(out, y, "mean");
        expect(Math.abs(mean.loss - sum.loss / K)).toBeLessThanOrEqual(1e-15 * Math.abs(sum.loss));
        expect(relDiff(lossGradient(mean), lossGradient(sum).scale(1 / K))).toBeLessThan(1e-15);
      }),
    );
  });

  it.each(losses)("%s rejects an unknown reduction", (name, loss) => {
    const M = Matrix.fromRows([[1, 0]]);
    expect(() => loss(M, M, "avg" as Reduction)).toThrow(`${name}: reduction must be "sum" or "mean", got "avg"`);
  });
});
