import { describe, expect, it } from "vitest";
import { Matrix } from "../src/core/matrix.js";
import { checkTex, matrixScale, texMatrix, texNumber, texShape, texSized } from "../src/view/tex.js";

describe("texMatrix", () => {
  it("writes a bmatrix with the shape underneath, and KaTeX parses it", () => {
    const M = Matrix.fromRows([
      [1, -2.345, 3],
      [4, 5e-9, 6],
    ]);
    const s = texMatrix(M);
    expect(s).toBe(
      "\\underset{2\\times 3}{\\begin{bmatrix} 1.00 & -2.35 & 3.00 \\\\ 4.00 & 0.00 & 6.00 \\end{bmatrix}}",
    );
    expect(() => checkTex(s)).not.toThrow();
  });

  it("elides rows and columns beyond the limits, keeping the first ones and the last", () => {
    const M = Matrix.fill(10, 12, (i, j) => i * 100 + j);
    const s = texMatrix(M, 0);
    expect(s).toContain("10\\times 12");
    expect(s).toContain("\\vdots");
    expect(s).toContain("\\cdots");
    expect(s).toContain("\\ddots");
    const rows = s.slice(s.indexOf("\\begin{bmatrix}") + 15, s.indexOf("\\end{bmatrix}")).split("\\\\");
    expect(rows.length).toBe(6);
    expect(rows[0].split("&").map((x) => x.trim())).toEqual(["0", "1", "2", "3", "\\cdots", "11"]);
    expect(rows[5].trim().endsWith("911")).toBe(true);
    expect(() => checkTex(s)).not.toThrow();
    expect(texMatrix(M, 0, 20, 20)).not.toContain("\\vdots");
    expect(() => texMatrix(M, 2, 2, 6)).toThrow("texMatrix: maxRows must be an integer of at least 3 to elide anything, got 2");
  });
});

describe("one number format per matrix", () => {
  it("factors out a common power of ten when the largest entry is small or huge", () => {
    const small = Matrix.fromRows([[8.14e-3, -2.5e-4], [1e-3, 0]]);
    expect(matrixScale(small)).toBe(-3);
    expect(texMatrix(small)).toBe("\\underset{2\\times 2}{10^{-3}\\,\\begin{bmatrix} 8.14 & -0.25 \\\\ 1.00 & 0.00 \\end{bmatrix}}");
    expect(matrixScale(Matrix.fromRows([[12345, 1]]))).toBe(4);
    expect(matrixScale(Matrix.fromRows([[0.5, 1e-9]]))).toBe(0);
    expect(matrixScale(Matrix.zeros(2, 2))).toBe(0);
    expect(texMatrix(Matrix.fromRows([[-1e-9, 1]]))).not.toContain("-0.00");
    expect(() => checkTex(texMatrix(small))).not.toThrow();
  });
});

describe("texSized", () => {
  it("writes the matrix's live shape under the symbol, in a formula KaTeX accepts", () => {
    const formula = texSized("\\Delta", Matrix.zeros(3, 5));
    expect(formula).toBe("\\underset{3\\times 5}{\\Delta}");
    expect(() => checkTex(`${formula} = ${texSized("X", Matrix.zeros(2, 1))}`)).not.toThrow();
  });
});

describe("texShape and texNumber", () => {
  it("formats shapes and numbers, tiny and huge ones in scientific form", () => {
    expect(texShape(Matrix.zeros(3, 5))).toBe("3\\times 5");
    expect(texNumber(0.125, 2)).toBe("0.13");
    expect(texNumber(3.2e-9, 1)).toBe("3.2\\times 10^{-9}");
    expect(texNumber(-4.5e12, 1)).toBe("-4.5\\times 10^{12}");
    expect(() => checkTex(texNumber(-4.5e12, 1))).not.toThrow();
  });
});

describe("checkTex", () => {
  it("throws on a broken formula, naming it", () => {
    expect(() => checkTex("\\frac{1}{")).toThrow(/checkTex: KaTeX cannot typeset "\\\\frac\{1\}\{"/);
    expect(() => checkTex("\\notacommand x")).toThrow(/notacommand/);
    expect(() => checkTex("\\frac{\\partial E}{\\partial W_1} = X^\\top \\delta_1")).not.toThrow();
  });
});
