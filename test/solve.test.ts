// solve (core/solve.ts): small linear systems by Gaussian elimination with partial pivoting,
// against known answers, random systems (A·X = B back), the pivoting a zero leading entry needs,
// and the refusals: shapes, and a singular matrix named as such.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { matmul } from "../src/core/linalg.js";
import { Matrix } from "../src/core/matrix.js";
import { SingularMatrixError, solve } from "../src/core/solve.js";
import { expectShapeError, randn } from "./helpers.js";

describe("solve", () => {
  it("solves a known 3×3 system exactly enough, several right-hand sides at once", () => {
    const A = Matrix.fromRows([[2, 1, -1], [-3, -1, 2], [-2, 1, 2]]);
    const B = Matrix.fromRows([[8, 1], [-11, 0], [-3, 0]]);
    const X = solve(A, B);
    expect(X.shape).toBe("3×2");
    X.getCol(0).data.forEach((x, i) => expect(x).toBeCloseTo([2, 3, -1][i], 13));
    expect(matmul(A, X).maxAbsDiff(B)).toBeLessThan(1e-13);
  });

  it("a 1×1 system is a division", () => {
    expect(solve(Matrix.row([4]), Matrix.row([10])).get(0, 0)).toBe(2.5);
  });

  it("pivots: a zero in the leading position is no obstacle", () => {
    const A = Matrix.fromRows([[0, 1], [1, 0]]);
    expect(solve(A, Matrix.column([3, 5])).toRows()).toEqual([[5], [3]]);
  });

  it("A·solve(A, B) = B for random well-conditioned systems, n = 1 to 8", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 3 }), fc.integer({ min: 0, max: 2 ** 31 }), (n, m, s) => {
        const A = randn(n, n, s).add(Matrix.identity(n).scale(3 * n)); // diagonally dominant
        const B = randn(n, m, s + 1);
        const X = solve(A, B);
        expect(matmul(A, X).maxAbsDiff(B)).toBeLessThan(1e-12 * Math.max(1, B.maxAbs()));
      }),
    );
  });

  it("leaves A and B unchanged", () => {
    const A = randn(4, 4, 3).add(Matrix.identity(4).scale(5));
    const B = randn(4, 1, 4);
    const [a, b] = [A.clone(), B.clone()];
    solve(A, B);
    expect(A.data).toEqual(a.data);
    expect(B.data).toEqual(b.data);
  });

  it("refuses a singular matrix by name, exactly singular or to working precision", () => {
    const exact = Matrix.fromRows([[1, 2], [2, 4]]);
    expect(() => solve(exact, Matrix.column([1, 1]))).toThrow(SingularMatrixError);
    expect(() => solve(exact, Matrix.column([1, 1]))).toThrow(
      /^solve: the matrix is singular to working precision: after eliminating columns 1 to 1, the largest candidate pivot in column 2 is 0\.00, against a largest entry of 4\.00; the system has no unique solution$/,
    );
    const nearly = Matrix.fromRows([[1, 1], [1, 1 + 1e-17]]); // 1 + 1e-17 rounds to 1
    expect(() => solve(nearly, Matrix.column([1, 2]))).toThrow(SingularMatrixError);
    const zero = Matrix.zeros(3, 3);
    let err: unknown;
    try {
      solve(zero, Matrix.zeros(3, 1));
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SingularMatrixError);
    expect((err as SingularMatrixError).column).toBe(1);
    expect((err as Error).name).toBe("SingularMatrixError");
  });

  it("refuses a non-square A and a B with the wrong number of rows, naming both shapes", () => {
    expectShapeError(() => solve(Matrix.zeros(2, 3), Matrix.zeros(2, 1)), "solve", ["2×3", "2×1"]);
    expectShapeError(() => solve(Matrix.identity(3), Matrix.zeros(2, 1)), "solve", ["3×3", "2×1"]);
    expect(() => solve(Matrix.identity(3), Matrix.zeros(2, 1))).toThrow("solve: 3×3 vs 2×1 (B needs one row per row of A, 3)");
  });
});
