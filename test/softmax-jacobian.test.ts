import { describe, expect, it } from "vitest";
import { softmax } from "../src/nn/activations.js";
import { crossEntropy } from "../src/nn/losses.js";
import { oneHot } from "../src/nn/datasets.js";
import { softmaxCrossEntropy } from "../src/nn/losses.js";
import { Matrix } from "../src/core/matrix.js";
import { numericalJacobian, softmaxBackwardByJacobian, softmaxJacobian } from "../src/nn/softmax-jacobian.js";
import { expectShapeError, randn, relDiff } from "./helpers.js";

describe("softmaxJacobian", () => {
  it("is diag(p) − pᵀp, symmetric, with rows summing to 0", () => {
    const p = Matrix.row([0.5, 0.3, 0.2]);
    const J = softmaxJacobian(p);
    expect(J.shape).toBe("3×3");
    expect(J.get(0, 0)).toBeCloseTo(0.25, 15);
    expect(J.get(0, 1)).toBeCloseTo(-0.15, 15);
    expect(J.allClose(J.T(), 0, 0)).toBe(true);
    expect(J.sum(1).maxAbs()).toBeLessThan(1e-15);
  });

  it("matches centred differences of softmax for every row of a batch", () => {
    for (const [K, c, seed] of [[1, 2, 1], [5, 3, 2], [64, 7, 3]]) {
      const Z = randn(K, c, seed).scale(2);
      const P = softmax.f(Z);
      for (let k = 0; k < K; k++) {
        const fd = numericalJacobian((z) => softmax.f(z), Z.getRow(k));
        expect(relDiff(softmaxJacobian(P.getRow(k)), fd)).toBeLessThan(1e-8);
      }
    }
  });

  it("refuses a batch: one Jacobian per sample", () => {
    expectShapeError(() => softmaxJacobian(Matrix.zeros(2, 3)), "softmaxJacobian", ["2×3"]);
  });
});

describe("softmaxBackwardByJacobian", () => {
  it("equals softmax.backward, and with ∂E/∂P of cross-entropy gives P − Y", () => {
    for (const [K, c, seed] of [[1, 2, 4], [5, 3, 5], [64, 10, 6]]) {
      const Z = randn(K, c, seed);
      const P = softmax.f(Z);
      const dP = randn(K, c, seed + 100);
      expect(relDiff(softmaxBackwardByJacobian(P, dP), softmax.backward(Z, P, dP))).toBeLessThan(1e-12);
      const Y = oneHot(Array.from({ length: K }, (_, k) => k % c), c);
      const separate = softmaxBackwardByJacobian(P, crossEntropy(P, Y, "mean").dYhat);
      expect(relDiff(separate, softmaxCrossEntropy(Z, Y, "mean").dZ)).toBeLessThan(1e-12);
    }
  });

  it("refuses dP of another shape", () => {
    expectShapeError(
      () => softmaxBackwardByJacobian(Matrix.zeros(2, 3), Matrix.zeros(3, 2)),
      "softmaxBackwardByJacobian",
      ["2×3", "3×2"],
    );
  });
});

describe("numericalJacobian", () => {
  it("of a linear map z·A is Aᵀ, and leaves z unchanged", () => {
    const A = randn(3, 2, 7);
    const z = randn(1, 3, 8);
    const before = z.clone();
    expect(relDiff(numericalJacobian((x) => matmulRow(x, A), z), A.T())).toBeLessThan(1e-9);
    expect(z.allClose(before, 0, 0)).toBe(true);
  });

  it("refuses a batch and a bad step", () => {
    expectShapeError(() => numericalJacobian((z) => z, Matrix.zeros(2, 2)), "numericalJacobian", ["2×2"]);
    expect(() => numericalJacobian((z) => z, Matrix.zeros(1, 2), 0)).toThrow(/h must be positive/);
  });
});

// z (1×n) · A (n×m) → 1×m
function matmulRow(z: Matrix, A: Matrix): Matrix {
  return Matrix.fill(1, A.cols, (_, j) => z.data.reduce((s, v, i) => s + v * A.get(i, j), 0));
}
