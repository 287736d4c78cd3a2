import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { identity, sigmoid, tanh } from "../src/activations.js";
import { oneHot } from "../src/datasets.js";
import { Dense } from "../src/dense.js";
import { matmul } from "../src/linalg.js";
import { softmaxCrossEntropy } from "../src/losses.js";
import { matmulFast } from "../src/matmul-fast.js";
import { Matrix } from "../src/matrix.js";
import { Network } from "../src/network.js";
import { Rng } from "../src/rng.js";
import { expectShapeError, gradsRelDiff, randn, relDiff } from "./helpers.js";

// A and B stored so that op(A) is K×n and op(B) is n×m
function operands(K: number, n: number, m: number, transA: boolean, transB: boolean, seed: number): [Matrix, Matrix] {
  return [transA ? randn(n, K, seed) : randn(K, n, seed), transB ? randn(m, n, seed + 1) : randn(n, m, seed + 1)];
}

// 1 to 13: sizes 1, below, at and past the 4×4 block, and none of them special
const size = fc.integer({ min: 1, max: 13 });
const seed = fc.integer({ min: 0, max: 2 ** 31 });
const variants = [false, true].flatMap((transA) => [false, true].map((transB) => [transA, transB] as const));

describe("matmulFast agrees with the reference matmul", () => {
  it("to 1e-12 relative on random shapes, every transpose variant", () => {
    fc.assert(
      fc.property(size, size, size, seed, fc.boolean(), fc.boolean(), (K, n, m, s, transA, transB) => {
        const [A, B] = operands(K, n, m, transA, transB, s);
        const fast = matmulFast(A, B, transA, transB);
        expect(fast.shape).toBe(`${K}×${m}`);
        expect(relDiff(fast, matmul(A, B, transA, transB))).toBeLessThanOrEqual(1e-12);
      }),
      { numRuns: 300 },
    );
  });

  // every entry is summed in the reference's order, p = 0, 1, …, n − 1, so the rounding is the same
  it.each([
    { K: 1, n: 1, m: 1 },
    { K: 1, n: 784, m: 128 },
    { K: 37, n: 61, m: 19 },
    { K: 130, n: 70, m: 33 },
    { K: 64, n: 128, m: 10 },
  ])("and in fact bit for bit: ($K×$n)·($n×$m) in all four variants", ({ K, n, m }) => {
    variants.forEach(([transA, transB]) => {
      const [A, B] = operands(K, n, m, transA, transB, K + n + m);
      const fast = matmulFast(A, B, transA, transB);
      const reference = matmul(A, B, transA, transB);
      expect(fast.shape).toBe(reference.shape);
      expect(fast.data.every((x, k) => Object.is(x, reference.data[k])), `transA ${transA}, transB ${transB}`).toBe(true);
    });
  });

  it("refuses the shapes the reference refuses, naming itself", () => {
    const m = (r: number, c: number): Matrix => Matrix.zeros(r, c);
    expectShapeError(() => matmulFast(m(3, 5), m(3, 1)), "matmulFast", ["3×5", "3×1"]);
    expectShapeError(() => matmulFast(m(3, 5), m(1, 5), true, true), "matmulFast", ["5×3", "5×1"]);
  });

  it("leaves its arguments untouched", () => {
    const [A, B] = operands(6, 7, 5, true, false, 3);
    const [a, b] = [A.clone(), B.clone()];
    matmulFast(A, B, true, false);
    expect(A.data).toEqual(a.data);
    expect(B.data).toEqual(b.data);
  });
});

describe("the network's choice of matmul", () => {
  const sizes = [9, 6, 3];
  const rng = new Rng(11);
  const fastNet = Network.init(sizes, [tanh, identity], rng);
  const referenceNet = new Network(fastNet.clone().layers, matmul);
  const X = Matrix.random(7, 9, rng);
  const Y = oneHot([0, 1, 2, 2, 1, 0, 1], 3);

  it("is matmulFast by default, and kept by clone", () => {
    expect(fastNet.matmul).toBe(matmulFast);
    expect(Network.init(sizes, [tanh, identity], rng, matmul).matmul).toBe(matmul);
    expect(referenceNet.clone().matmul).toBe(matmul);
  });

  it("changes no number: loss, gradients and predictions are the same bit for bit on either path", () => {
    const fast = fastNet.lossAndGrads(X, Y, softmaxCrossEntropy, "mean");
    const reference = referenceNet.lossAndGrads(X, Y, softmaxCrossEntropy, "mean");
    expect(fast.loss).toBe(reference.loss);
    expect(gradsRelDiff(fast.grads, reference.grads)).toBe(0);
    expect(fastNet.predict(X).data).toEqual(referenceNet.predict(X).data);
  });

  it("the per-sample path is the reference whatever the network's matmul", () => {
    const a = fastNet.lossAndGradsPerSample(X, Y, softmaxCrossEntropy, "sum");
    const b = referenceNet.lossAndGradsPerSample(X, Y, softmaxCrossEntropy, "sum");
    expect(a.loss).toBe(b.loss);
    expect(gradsRelDiff(a.grads, b.grads)).toBe(0);
  });

  it("Dense.backward without dX gives the same dW and db, and no dX", () => {
    const layer = Dense.init(9, 6, sigmoid, new Rng(5));
    const cache = layer.forward(X, matmul);
    const dA = randn(7, 6, 6);
    const full = layer.backward(cache, dA, matmul);
    const partial = layer.backward(cache, dA, matmulFast, false);
    expect(partial.dX).toBeNull();
    expect(partial.dW.data).toEqual(full.dW.data);
    expect(partial.db.data).toEqual(full.db.data);
    expect(full.dX?.shape).toBe("7×9");
  });
});
