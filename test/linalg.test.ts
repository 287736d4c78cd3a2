import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { broadcastCols, broadcastRows } from "../src/core/linalg.js";
import { kron, matmul, outer } from "../src/core/linalg.js";
import { Matrix } from "../src/core/matrix.js";
import { randn } from "./helpers.js";

const size = fc.integer({ min: 1, max: 7 });
const seed = fc.integer({ min: 0, max: 2 ** 31 }); // leaves room for seed + 1, seed + 2

describe("matmul", () => {
  it("multiplies a known pair", () => {
    const A = Matrix.fromRows([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    const B = Matrix.fromRows([
      [7, 8],
      [9, 10],
      [11, 12],
    ]);
    expect(matmul(A, B).toRows()).toEqual([
      [58, 64],
      [139, 154],
    ]);
    expect(matmul(Matrix.identity(2), A).toRows()).toEqual(A.toRows());
  });

  it("(AB)ᵀ = BᵀAᵀ, exactly: the same products are summed in the same order", () => {
    fc.assert(
      fc.property(size, size, size, seed, (K, n, m, s) => {
        const A = randn(K, n, s);
        const B = randn(n, m, s + 1);
        expect(matmul(A, B).T().data).toEqual(matmul(B.T(), A.T()).data);
      }),
    );
  });

  it("the transA / transB flags equal multiplying materialised transposes", () => {
    fc.assert(
      fc.property(size, size, size, seed, fc.boolean(), fc.boolean(), (K, n, m, s, ta, tb) => {
        // stored so that op(A) is K×n and op(B) is n×m
        const A = ta ? randn(n, K, s) : randn(K, n, s);
        const B = tb ? randn(m, n, s + 1) : randn(n, m, s + 1);
        const expected = matmul(ta ? A.T() : A, tb ? B.T() : B);
        const got = matmul(A, B, ta, tb);
        expect(got.shape).toBe(`${K}×${m}`);
        expect(got.data).toEqual(expected.data);
      }),
    );
  });
});

describe("outer and kron", () => {
  it("outer(u, v) has entries u_i v_j, whether u and v are rows or columns", () => {
    const u = Matrix.column([1, 2, 3]);
    const v = Matrix.row([10, 20]);
    const expected = [
      [10, 20],
      [20, 40],
      [30, 60],
    ];
    expect(outer(u, v).toRows()).toEqual(expected);
    expect(outer(u.T(), v.T()).toRows()).toEqual(expected);
  });

  it("outer(u, v) = u·vᵀ for columns", () => {
    fc.assert(
      fc.property(size, size, seed, (p, q, s) => {
        const u = randn(p, 1, s);
        const v = randn(q, 1, s + 1);
        expect(outer(u, v).data).toEqual(matmul(u, v, false, true).data);
      }),
    );
  });

  it("kron of a column and a row equals their outer product", () => {
    fc.assert(
      fc.property(size, size, seed, (p, q, s) => {
        const u = randn(p, 1, s);
        const v = randn(1, q, s + 1);
        expect(kron(u, v).data).toEqual(outer(u, v).data);
      }),
    );
  });

  it("kron: (p×q) ⊗ (r×s) is (pr)×(qs) with block (i, j) = A[i][j]·B, for any two shapes", () => {
    fc.assert(
      fc.property(size, size, size, size, seed, (p, q, r, t, s) => {
        const A = randn(p, q, s);
        const B = randn(r, t, s + 1);
        const C = kron(A, B);
        expect(C.shape).toBe(`${p * r}×${q * t}`);
        const [i, j, k, l] = [p - 1, 0, r - 1, t - 1];
        expect(C.get(i * r + k, j * t + l)).toBe(A.get(i, j) * B.get(k, l));
      }),
    );
    expect(kron(Matrix.identity(2), Matrix.fromRows([[1, 2]])).toRows()).toEqual([
      [1, 2, 0, 0],
      [0, 0, 1, 2],
    ]);
  });
});

describe("broadcasting is a product with a ones vector; its adjoint is a sum", () => {
  it("broadcastRows(b, K) repeats the row b K times; broadcastCols repeats a column", () => {
    const b = Matrix.row([1, 2]);
    expect(broadcastRows(b, 3).toRows()).toEqual([
      [1, 2],
      [1, 2],
      [1, 2],
    ]);
    expect(broadcastCols(b.T(), 2).toRows()).toEqual([
      [1, 1],
      [2, 2],
    ]);
    expect(() => broadcastRows(b, 0)).toThrow("broadcastRows: K must be a positive integer, got 0");
  });

  it("broadcastRows and broadcastCols give the products 1·b and b·1ᵀ bit for bit, −0 included", () => {
    const same = (x: Matrix, y: Matrix) => x.data.every((v, k) => Object.is(v, y.data[k])) && x.shape === y.shape;
    fc.assert(
      fc.property(size, fc.integer({ min: 1, max: 30 }), seed, (m, K, s) => {
        const b = randn(1, m, s);
        expect(same(broadcastRows(b, K), matmul(Matrix.ones(K, 1), b))).toBe(true);
        expect(same(broadcastCols(b.T(), K), matmul(b.T(), Matrix.ones(1, K)))).toBe(true);
      }),
    );
    const z = Matrix.row([-0, 1, -2]);
    expect(same(broadcastRows(z, 2), matmul(Matrix.ones(2, 1), z))).toBe(true);
    expect(Object.is(broadcastRows(z, 2).data[0], 0)).toBe(true);
    expect(Matrix.ones(2, 3).data).toEqual(new Float64Array(6).fill(1));
    expect(() => Matrix.ones(0, 1)).toThrow("Matrix.ones: rows must be a positive integer, got 0");
  });

  it("broadcastRows(b, K).sum(0) = K·b", () => {
    fc.assert(
      fc.property(size, fc.integer({ min: 1, max: 100 }), seed, (m, K, s) => {
        const b = randn(1, m, s);
        expect(broadcastRows(b, K).sum(0).allClose(b.scale(K), 1e-13, 0)).toBe(true);
      }),
    );
  });

  it("⟨broadcastRows(b), G⟩ = ⟨b, G.sum(0)⟩ and ⟨broadcastCols(c), G⟩ = ⟨c, G.sum(1)⟩", () => {
    const inner = (P: Matrix, Q: Matrix): number => P.mul(Q).total();
    fc.assert(
      fc.property(size, size, seed, (K, m, s) => {
        const G = randn(K, m, s);
        const b = randn(1, m, s + 1);
        const c = randn(K, 1, s + 2);
        const scale = G.maxAbs() * Math.max(b.maxAbs(), c.maxAbs()) * K * m;
        expect(Math.abs(inner(broadcastRows(b, K), G) - inner(b, G.sum(0)))).toBeLessThan(1e-14 * scale);
        expect(Math.abs(inner(broadcastCols(c, m), G) - inner(c, G.sum(1)))).toBeLessThan(1e-14 * scale);
      }),
    );
  });
});
