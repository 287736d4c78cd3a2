import { describe, expect, it } from "vitest";
import { elide, formatNumber } from "../src/core/format.js";
import { Matrix } from "../src/core/matrix.js";

const A = Matrix.fromRows([
  [1, 2, 3],
  [4, 5, 6],
]);

describe("construction", () => {
  it("lays data out row-major and reports its shape", () => {
    expect(A.shape).toBe("2×3");
    expect(Array.from(A.data)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(A.get(1, 0)).toBe(4);
    expect(A.toRows()).toEqual([
      [1, 2, 3],
      [4, 5, 6],
    ]);
    expect(Matrix.column([1, 2]).shape).toBe("2×1");
    expect(Matrix.row([1, 2]).shape).toBe("1×2");
    expect(Matrix.identity(3).toRows()).toEqual([
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ]);
    expect(Matrix.ones(2, 2).total()).toBe(4);
    expect(Matrix.zeros(2, 2).maxAbs()).toBe(0);
    expect(Matrix.fill(2, 2, (i, j) => 10 * i + j).toRows()).toEqual([
      [0, 1],
      [10, 11],
    ]);
  });

  it("rejects sizes that are not positive integers, and data of the wrong length", () => {
    expect(() => new Matrix(0, 3)).toThrow("Matrix: rows must be a positive integer, got 0");
    expect(() => new Matrix(2, 1.5)).toThrow("Matrix: cols must be a positive integer, got 1.5");
    expect(() => new Matrix(2, 3, [1, 2])).toThrow("Matrix: data has 2 entries, expected 2×3 = 6");
    expect(() => Matrix.fromRows([])).toThrow(/at least one row/);
  });

  it("names the ragged row", () => {
    expect(() => Matrix.fromRows([[1, 2], [3, 4], [5]])).toThrow("Matrix.fromRows: row 2 has 1 entries, expected 2 like row 0");
  });

  it("rejects NaN and infinities wherever they appear, naming the entry", () => {
    expect(() => Matrix.fromRows([[1, NaN]])).toThrow("Matrix 1×2: entry (0,1) is NaN, expected a finite number");
    expect(() => Matrix.column([1, Infinity])).toThrow(/entry \(1,0\) is Infinity/);
    expect(() => A.div(Matrix.fromRows([[1, 1, 1], [1, 0, 1]]))).toThrow("div: division by zero, entry (1,1) of the divisor is 0");
    expect(() => A.map((x) => Math.log(x - 1))).toThrow(/entry \(0,0\) is -Infinity/);
    expect(() => A.scale(NaN)).toThrow("scale: the factor must be a finite number, got NaN");
    expect(() => A.clone().set(0, 0, NaN)).toThrow("Matrix.set: value must be a finite number, got NaN");
  });

  it("checks indices", () => {
    expect(() => A.get(2, 0)).toThrow(RangeError);
    expect(() => A.get(0, -1)).toThrow("Matrix.get: index (0,-1) is outside 2×3");
    expect(() => A.clone().set(0, 3, 1)).toThrow(RangeError);
    expect(() => A.getCol(3)).toThrow(RangeError);
    expect(() => A.selectRows([0, 2])).toThrow(RangeError);
  });

  it("adopts a Float64Array but copies a plain array", () => {
    const data = new Float64Array([1, 2]);
    const plain = [1, 2];
    const M = new Matrix(1, 2, data);
    const N = new Matrix(1, 2, plain);
    data[0] = 7;
    plain[0] = 7;
    expect(M.get(0, 0)).toBe(7);
    expect(N.get(0, 0)).toBe(1);
  });
});

describe("access and copies", () => {
  it("clone is independent", () => {
    const B = A.clone();
    B.set(0, 0, 100);
    expect(A.get(0, 0)).toBe(1);
  });

  it("getRow, getCol, selectRows, T", () => {
    expect(A.getRow(1).toRows()).toEqual([[4, 5, 6]]);
    expect(A.getCol(2).toRows()).toEqual([[3], [6]]);
    expect(A.selectRows([1, 1, 0]).toRows()).toEqual([
      [4, 5, 6],
      [4, 5, 6],
      [1, 2, 3],
    ]);
    expect(A.T().toRows()).toEqual([
      [1, 4],
      [2, 5],
      [3, 6],
    ]);
  });
});

describe("elementwise operations", () => {
  const B = Matrix.fromRows([
    [6, 5, 4],
    [3, 2, 1],
  ]);
  it("add, sub, mul (Hadamard), div, scale, addScalar, map", () => {
    expect(A.add(B).toRows()).toEqual([
      [7, 7, 7],
      [7, 7, 7],
    ]);
    expect(A.sub(B).toRows()).toEqual([
      [-5, -3, -1],
      [1, 3, 5],
    ]);
    expect(A.mul(B).toRows()).toEqual([
      [6, 10, 12],
      [12, 10, 6],
    ]);
    expect(A.div(B).get(1, 2)).toBe(6);
    expect(A.scale(2).get(1, 1)).toBe(10);
    expect(A.addScalar(-1).get(0, 0)).toBe(0);
    expect(A.map((x, i, j) => x * 0 + 10 * i + j).toRows()).toEqual([
      [0, 1, 2],
      [10, 11, 12],
    ]);
  });
});

describe("reductions", () => {
  it("sum(0) sums over rows (samples) to 1×c, sum(1) over columns to r×1", () => {
    expect(A.sum(0).toRows()).toEqual([[5, 7, 9]]);
    expect(A.sum(1).toRows()).toEqual([[6], [15]]);
    expect(A.total()).toBe(21);
    expect(A.mean()).toBe(3.5);
    expect(A.scale(-1).maxAbs()).toBe(6);
  });

  it("rejects an axis other than 0 or 1", () => {
    expect(() => A.sum(2 as 0)).toThrow("Matrix.sum: axis must be 0 (over rows) or 1 (over columns), got 2");
  });
});

describe("comparisons", () => {
  it("allClose uses |a − b| ≤ atol + rtol·|b| and is false for different shapes", () => {
    const B = A.map((x) => x * (1 + 1e-10));
    expect(A.allClose(B)).toBe(true);
    expect(A.allClose(B, 1e-11)).toBe(false);
    expect(Matrix.zeros(1, 1).allClose(Matrix.fromRows([[1e-13]]))).toBe(true);
    expect(Matrix.zeros(1, 1).allClose(Matrix.fromRows([[1e-11]]))).toBe(false);
    expect(A.allClose(A.T())).toBe(false);
  });

  it("maxAbsDiff is the largest entry difference", () => {
    expect(A.maxAbsDiff(A.add(Matrix.fromRows([[0, -3, 0], [1, 0, 0]])))).toBe(3);
  });
});

describe("toString", () => {
  it("starts with the shape, then aligned rows", () => {
    const lines = A.scale(-1).toString(1).split("\n");
    expect(lines).toEqual(["Matrix 2×3", "  -1.0 -2.0 -3.0", "  -4.0 -5.0 -6.0"]);
  });

  it("elides the middle of large matrices and never prints a small value as zero", () => {
    const big = Matrix.fill(20, 30, (i, j) => (i === 0 && j === 0 ? 3e-9 : i + j));
    const lines = big.toString().split("\n");
    expect(lines[0]).toBe("Matrix 20×30");
    expect(lines.length).toBe(1 + 8);
    expect(lines[7].trim().split(/\s+/).every((s) => s === "…")).toBe(true);
    expect(lines[1]).toContain("3.0000e-9");
    expect(lines[8].trim().split(/\s+/).at(-1)).toBe("48.0000");
  });
});

describe("formatNumber", () => {
  it("fixed-point for ordinary numbers, scientific for tiny and huge ones", () => {
    expect(formatNumber(0, 2)).toBe("0.00");
    expect(formatNumber(-1.005, 1)).toBe("-1.0");
    expect(formatNumber(3.2e-9, 2)).toBe("3.20e-9");
    expect(formatNumber(-2.5e7, 1)).toBe("-2.5e+7");
    expect(() => formatNumber(NaN, 2)).toThrow("formatNumber: x must be a finite number, got NaN");
    expect(() => formatNumber(1, -1)).toThrow(/digits/);
  });
});

describe("elide", () => {
  it("keeps everything that fits, otherwise the first max − 2, a gap and the last", () => {
    expect(elide(3, 5, "max")).toEqual([0, 1, 2]);
    expect(elide(10, 5, "max")).toEqual([0, 1, 2, null, 9]);
    expect(() => elide(10, 2, "opts.max")).toThrow("opts.max must be an integer of at least 3 to elide anything, got 2");
  });
});
