import { describe, expect, it } from "vitest";
import { softmax } from "../src/nn/activations.js";
import { crossEntropy } from "../src/nn/losses.js";
import { oneHot } from "../src/nn/datasets.js";
import { softmaxCrossEntropy } from "../src/nn/losses.js";
import { Matrix } from "../src/core/matrix.js";
import { expectShapeError, randn } from "./helpers.js";

describe("crossEntropy on probabilities", () => {
  it("is −Σ y log p with ∂E/∂P = −Y ⊘ P, divided by K for the mean", () => {
    const P = Matrix.fromRows([[0.5, 0.5], [0.25, 0.75]]);
    const Y = Matrix.fromRows([[1, 0], [0, 1]]);
    const sum = crossEntropy(P, Y, "sum");
    expect(sum.loss).toBeCloseTo(Math.log(2) + Math.log(4 / 3), 15);
    expect(sum.dYhat.allClose(Matrix.fromRows([[-2, 0], [0, -4 / 3]]), 1e-15)).toBe(true);
    expect(crossEntropy(P, Y, "mean").loss).toBeCloseTo(sum.loss / 2, 15);
  });

  it("equals softmaxCrossEntropy on softmax(Z), and fails where a target's p underflowed to 0", () => {
    const Z = randn(4, 3, 9);
    const Y = oneHot([0, 1, 2, 0], 3);
    expect(crossEntropy(softmax.f(Z), Y, "sum").loss).toBeCloseTo(softmaxCrossEntropy(Z, Y, "sum").loss, 12);
    const P = softmax.f(Matrix.row([0, 1000, 0]));
    expect(P.get(0, 0)).toBe(0);
    expect(() => crossEntropy(P, Matrix.row([1, 0, 0]), "sum")).toThrow(/Infinity/);
  });

  it("refuses mismatched shapes", () => {
    expectShapeError(() => crossEntropy(Matrix.zeros(2, 3), Matrix.zeros(2, 2), "sum"), "crossEntropy", ["2×3", "2×2"]);
  });
});
