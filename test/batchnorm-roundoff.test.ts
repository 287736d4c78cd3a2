import { describe, expect, it } from "vitest";
import { batchNormLossRoundoff, batchNormRoundoff, normalizationDifferenceError } from "../src/check/batchnorm-roundoff.js";
import { numericalGradient } from "../src/check/gradcheck.js";
import { normalizationStep } from "../src/check/step.js";
import { broadcastRows } from "../src/core/linalg.js";
import { Matrix } from "../src/core/matrix.js";
import { Rng } from "../src/core/rng.js";
import { BatchNorm } from "../src/nn/batchnorm.js";

// dX by the six node-by-node steps of notebook 07 §2 (another order of operations than the library)
function nodeByNode(X: Matrix, gamma: Matrix, dA: Matrix, eps: number): Matrix {
  const K = X.rows;
  const mu = X.sum(0).scale(1 / K);
  const D = X.sub(broadcastRows(mu, K));
  const variance = D.mul(D).sum(0).scale(1 / K);
  const s = variance.addScalar(eps).map((v) => 1 / Math.sqrt(v));
  const dXhat = dA.mul(broadcastRows(gamma, K));
  const ds = dXhat.mul(D).sum(0);
  const dVariance = ds.mul(s.map((v) => -0.5 * v ** 3));
  const dD = dXhat.mul(broadcastRows(s, K)).add(D.mul(broadcastRows(dVariance, K)).scale(2 / K));
  const dMu = dD.sum(0).scale(-1);
  return dD.add(broadcastRows(dMu, K).scale(1 / K));
}

describe("batchNormRoundoff", () => {
  const cases = [2, 3, 5, 64].flatMap((K) => [0, 20, 1000].map((offset) => [K, offset] as const));
  it.each(cases)("K = %i, columns offset by %i: two computations of dX and its column sums stay within it", (K, offset) => {
    for (let seed = 1; seed <= 20; seed++) {
      const rng = new Rng(1000 * K + seed + offset);
      const bn = BatchNorm.from(Matrix.fill(1, 4, () => 1 + 0.3 * rng.normal()), Matrix.random(1, 4, rng, 0.2));
      const X = Matrix.fill(K, 4, (_, j) => offset * (j + 1) + (0.1 + j) * rng.normal());
      const dA = Matrix.random(K, 4, rng, 0.1);
      const cache = bn.forward(X, "train");
      const library = bn.backward(cache, dA, true).dX as Matrix;
      const bound = batchNormRoundoff(X, cache.invStd, dA.mul(broadcastRows(bn.gamma, K)));
      expect(library.maxAbsDiff(nodeByNode(X, bn.gamma, dA, bn.eps))).toBeLessThanOrEqual(bound);
      expect(library.sum(0).maxAbs()).toBeLessThanOrEqual(bound);
    }
  });

  it("is far below the size of a slip: dX without its mean term exceeds it", () => {
    const rng = new Rng(3);
    const bn = new BatchNorm(3);
    const X = Matrix.random(8, 3, rng).addScalar(20);
    const dA = Matrix.random(8, 3, rng);
    const cache = bn.forward(X, "train");
    const right = bn.backward(cache, dA, true).dX as Matrix;
    const noMean = right.add(broadcastRows(dA.sum(0).scale(1 / 8), 8).mul(broadcastRows(cache.invStd, 8)));
    expect(noMean.maxAbsDiff(right)).toBeGreaterThan(1e6 * batchNormRoundoff(X, cache.invStd, dA));
  });
});

// A loss through a batch norm: E = Σ R ⊙ tanh(A), so that E is not linear in A; its ∂E/∂A.
function bnLoss(bn: BatchNorm, R: Matrix) {
  const loss = (Z: Matrix): number => {
    const A = bn.forward(Z, "train").A.map(Math.tanh);
    return R.mul(A).sum(0).sum(1).get(0, 0);
  };
  const dA = (Z: Matrix): Matrix => R.mul(bn.forward(Z, "train").A.map((a) => 1 - Math.tanh(a) ** 2));
  return { loss, dA };
}

describe("normalizationDifferenceError and batchNormLossRoundoff", () => {
  const cases = [2, 3, 5, 64].flatMap((K) => [0, 20, 1000].map((offset) => [K, offset] as const));
  it.each(cases)("K = %i, columns offset by %i: finite differences stay within it", (K, offset) => {
    for (let seed = 1; seed <= 5; seed++) {
      const rng = new Rng(7000 * K + seed + offset);
      const bn = BatchNorm.from(Matrix.fill(1, 3, () => 1 + 0.3 * rng.normal()), Matrix.random(1, 3, rng, 0.2));
      const Z = Matrix.fill(K, 3, (_, j) => offset * (j + 1) + (0.1 + j) * rng.normal());
      const { loss, dA } = bnLoss(bn, Matrix.random(K, 3, rng));
      const cache = bn.forward(Z, "train");
      const dZ = bn.backward(cache, dA(Z), true).dX as Matrix;
      const h = normalizationStep(cache.variance);
      const fd = numericalGradient(Z, () => loss(Z), h);
      const dXhat = dA(Z).mul(broadcastRows(bn.gamma, K));
      const rounding = batchNormLossRoundoff(Z, cache.invStd, dXhat);
      const bound = normalizationDifferenceError(h, cache.variance, cache.invStd, loss(Z), rounding);
      expect(fd.maxAbsDiff(dZ)).toBeLessThanOrEqual(1e-7 * dZ.maxAbs() + bound);
      if (offset < 1000) expect(bound).toBeLessThan(1e-4 * Math.max(1, dZ.maxAbs())); // still a test
      // moving a column by 3 leaves the loss as it was, but for the rounding of Z − 1μ
      const moved = Z.map((z, _i, j) => (j === 1 ? z + 3 : z));
      expect(Math.abs(loss(moved) - loss(Z))).toBeLessThanOrEqual(batchNormLossRoundoff(Z, cache.invStd, dXhat, 3));
    }
  });

  it("ignores a constant unit's s, and grows as the cube of the others'", () => {
    const variance = Matrix.row([0, 1e-4]);
    const invStd = variance.addScalar(1e-5).map((v) => 1 / Math.sqrt(v));
    const h = 1e-6;
    const expected = 100 * (h * h * invStd.get(0, 1) ** 3 + (Number.EPSILON * 2) / h);
    expect(normalizationDifferenceError(h, variance, invStd, 2)).toBeCloseTo(expected, 12);
    expect(normalizationDifferenceError(h, Matrix.row([0]), Matrix.row([316]), 2)).toBeCloseTo(100 * (h * h + (Number.EPSILON * 2) / h), 12);
    expect(normalizationDifferenceError(h, variance, invStd, 2, 1e-12)).toBeCloseTo(expected + 1e-12 / h, 12);
  });
});
