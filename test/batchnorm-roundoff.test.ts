import { describe, expect, it } from "vitest";
import { batchNormRoundoff } from "../src/check/batchnorm-roundoff.js";
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
