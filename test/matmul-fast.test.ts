import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { identity, logSoftmax, relu, sigmoid, softmax, tanh } from "../src/nn/activations.js";
import { broadcastCols, broadcastRows } from "../src/core/linalg.js";
import { NonFiniteError } from "../src/core/errors.js";
import { oneHot } from "../src/nn/datasets.js";
import { Dense } from "../src/nn/dense.js";
import { matmul } from "../src/core/linalg.js";
import { softmaxCrossEntropy } from "../src/nn/losses.js";
import { matmulFast } from "../src/fast/matmul-fast.js";
import { Matrix } from "../src/core/matrix.js";
import { Network, gradList } from "../src/nn/network.js";
import { Rng } from "../src/core/rng.js";
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

// a and b hold the same numbers, bit for bit (Object.is tells +0 from −0)
function expectIdentical(a: Matrix, b: Matrix, what = ""): void {
  expect(a.shape, what).toBe(b.shape);
  expect(a.data.every((x, k) => Object.is(x, b.data[k])), what).toBe(true);
}

describe("matmulFast's WebAssembly memory", () => {
  it("is grown for a big product and reused by smaller ones: each still the reference's", () => {
    // a big product leaves its numbers in memory; the padding of a smaller one must not see them
    for (const [K, n, m] of [[3, 5, 2], [130, 150, 67], [5, 7, 3], [9, 1, 6], [66, 400, 9]]) {
      variants.forEach(([transA, transB]) => {
        const [A, B] = operands(K, n, m, transA, transB, K * n * m);
        expectIdentical(matmulFast(A, B, transA, transB), matmul(A, B, transA, transB), `${K}×${n}·${n}×${m}`);
      });
    }
  });

  it("returns a matrix of its own: a later product does not change it", () => {
    const [A, B] = operands(6, 5, 4, false, false, 1);
    const first = matmulFast(A, B);
    const copy = first.clone();
    matmulFast(...operands(6, 5, 4, false, false, 2));
    expect(first.data).toEqual(copy.data);
  });

  it("still refuses a product that overflows, naming the entry", () => {
    const big = Matrix.fill(2, 2, () => 1e200);
    expect(() => matmulFast(big, big)).toThrow(NonFiniteError);
    expect(() => matmulFast(big, big)).toThrow("Matrix 2×2: entry (0,0) is Infinity, expected a finite number");
  });
});

// The training step's other work is written as loops that fuse what the library's formulas spell
// out with whole matrices; these are those formulas, the clear reference, and the loops must give
// their numbers to the last bit.
describe("the fused loops agree bit for bit with the formulas they replace", () => {
  const rng = new Rng(17);
  // entries of every sign and size, with zeros of both signs, which is where a shortcut would show
  const awkward = (r: number, c: number): Matrix =>
    Matrix.fill(r, c, () => [0, -0, 1, -1, rng.normal(0, 1), rng.normal(0, 30)][rng.int(6)]);

  it("Dense.forward: Z = X·W + broadcastRows(b, K), for either product", () => {
    for (const [K, n, m] of [[1, 1, 1], [5, 9, 7], [33, 20, 12]]) {
      const [X, W, b] = [awkward(K, n), awkward(n, m), awkward(1, m)];
      const layer = new Dense(W, b, tanh);
      const clearZ = matmul(X, W).add(broadcastRows(b, K));
      expectIdentical(layer.forward(X, matmul).Z, clearZ);
      expectIdentical(layer.forward(X, matmulFast).Z, clearZ);
      expectIdentical(layer.forward(X).A, clearZ.map(Math.tanh));
    }
  });

  // the fused bias relies on this: XW + (+0) and XW + (−0) differ only where XW is −0
  it("a product's entry is never −0: its sum starts at +0, and +0 + (−0) = +0", () => {
    const signedZeros = Matrix.fill(4, 3, (i, j) => ((i + j) % 2 === 0 ? -0 : 0));
    const product = matmul(signedZeros, Matrix.fill(3, 5, (i, j) => (i === j ? -2 : 3)));
    expect(product.data.some((x) => Object.is(x, -0))).toBe(false);
    fc.assert(
      fc.property(size, size, size, seed, (K, n, m, s) => {
        const r = new Rng(s);
        const pick = (): number => [0, -0, r.normal(0, 1)][r.int(3)];
        const P = matmulFast(Matrix.fill(K, n, pick), Matrix.fill(n, m, pick));
        return !P.data.some((x) => Object.is(x, -0));
      }),
      { numRuns: 200 },
    );
  });

  it("an elementwise activation's backward: dA ⊙ f′(a)", () => {
    const z = awkward(6, 5);
    const dA = awkward(6, 5);
    for (const act of [sigmoid, tanh, relu, identity]) {
      const a = act.f(z);
      expectIdentical(act.backward(z, a, dA), dA.mul(act.dfda(a) as Matrix), act.name);
    }
  });

  it("logSoftmax, softmax and its backward", () => {
    const z = awkward(7, 4);
    const rows = z.toRows();
    const max = rows.map((row) => Math.max(...row));
    const logSum = rows.map((row, i) => Math.log(row.reduce((s, x) => s + Math.exp(x - max[i]), 0)));
    expectIdentical(logSoftmax(z), z.map((x, i) => x - max[i] - logSum[i]));
    const a = softmax.f(z);
    const dA = awkward(7, 4);
    expectIdentical(softmax.backward(z, a, dA), a.mul(dA.sub(broadcastCols(dA.mul(a).sum(1), 4))));
  });

  it("softmaxCrossEntropy: the loss and dE/dz", () => {
    const z = awkward(9, 5);
    const y = oneHot([0, 4, 2, 2, 1, 3, 0, 4, 1], 5);
    const logP = logSoftmax(z);
    for (const [reduction, divisor] of [["sum", 1], ["mean", 9]] as const) {
      const { loss, dYhat } = softmaxCrossEntropy(z, y, reduction);
      expect(Object.is(loss, y.mul(logP.scale(-1)).total() / divisor)).toBe(true);
      expectIdentical(dYhat, logP.map(Math.exp).sub(y).scale(1 / divisor));
    }
  });

  it("Matrix.sum and total: sums from 0 in index order, as written with get()", () => {
    const M = awkward(6, 4);
    const ordered = (count: number, term: (k: number) => number): number => {
      let s = 0;
      for (let k = 0; k < count; k++) s += term(k);
      return s;
    };
    expectIdentical(M.sum(0), Matrix.fill(1, 4, (_, j) => ordered(6, (i) => M.get(i, j))));
    expectIdentical(M.sum(1), Matrix.fill(6, 1, (i) => ordered(4, (j) => M.get(i, j))));
    expect(Object.is(M.total(), ordered(24, (k) => M.data[k]))).toBe(true);
  });

  it("sgdStep: W − η·dW, and a failure in a later parameter leaves the earlier ones unchanged", () => {
    const net = Network.init([4, 3, 2], [sigmoid, identity], new Rng(3));
    const X = randn(5, 4, 4);
    const { grads } = net.lossAndGrads(X, oneHot([0, 1, 1, 0, 1], 2), softmaxCrossEntropy, "mean");
    const before = net.params().map((p) => p.value.clone());
    net.sgdStep(grads, 0.3);
    const gradients = gradList(grads);
    net.params().forEach((p, i) => expectIdentical(p.value, before[i].sub(gradients[i].scale(0.3)), p.name));
    const after = net.params().map((p) => p.value.clone());
    const huge = { dW: [grads.dW[0], grads.dW[1].map(() => 1e300)], db: grads.db };
    expect(() => net.sgdStep(huge, 1e10)).toThrow("sgdStep: W2 would become non-finite; is eta = 10000000000 too large?");
    net.params().forEach((p, i) => expectIdentical(p.value, after[i], p.name));
  });
});
