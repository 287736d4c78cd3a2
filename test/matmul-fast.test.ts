import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NonFiniteError } from "../src/core/errors.js";
import { matmul } from "../src/core/linalg.js";
import { matmulFast, SMALL_PRODUCT } from "../src/fast/matmul-fast.js";
import { Matrix } from "../src/core/matrix.js";
import { Rng } from "../src/core/rng.js";
import { expectShapeError, randn, relDiff } from "./helpers.js";

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

  it("bit for bit on both sides of SMALL_PRODUCT (plain loops below, WebAssembly above), every transpose variant", () => {
    const long = fc.integer({ min: SMALL_PRODUCT + 1, max: SMALL_PRODUCT + 60 }); // K·n·m past it, whatever K and m
    fc.assert(
      fc.property(size, fc.oneof(size, long), size, seed, fc.boolean(), fc.boolean(), (K, n, m, s, transA, transB) => {
        const [A, B] = operands(K, n, m, transA, transB, s);
        const [fast, reference] = [matmulFast(A, B, transA, transB), matmul(A, B, transA, transB)];
        expect(fast.shape).toBe(reference.shape);
        expect(fast.data.every((x, k) => Object.is(x, reference.data[k]))).toBe(true);
      }),
      { numRuns: 200 },
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

describe("a product's sign of zero", () => {
  // the fast Dense layer's bias loop relies on this (fast/kernels.ts): XW + (+0) and XW + (−0) differ only where XW is −0
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

});
