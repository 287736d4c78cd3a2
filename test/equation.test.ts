import { describe, expect, it } from "vitest";
import { LINE_EM, layout, math, num, roughEm, sized, val } from "../src/view/equation.js";
import { Matrix } from "../src/core/matrix.js";
import { Rng } from "../src/core/rng.js";
import { checkTex } from "../src/view/tex.js";

const rng = new Rng(3);

describe("math`…`", () => {
  it("writes symbols with their live shapes, matrices with their entries, integers as they are", () => {
    const D = Matrix.fromRows([[1, 2], [3, 4], [5, 6]]);
    expect(math`${["\\Delta", D]} = ${D} \cdot ${3}`).toBe(
      "\\underset{3\\times 2}{\\Delta} = \\underset{3\\times 2}{\\begin{bmatrix} 1.00 & 2.00 \\\\ 3.00 & 4.00 \\\\ 5.00 & 6.00 \\end{bmatrix}} \\cdot 3",
    );
    expect(math`x = ${0.123456}`).toBe("x = 0.12");
    expect(math`x = ${num(0.123456, 4)} = ${sized("A", D)} ${val(D, 0)}`).toContain("0.1235");
    expect(math`x = ${val(D, 0)}`).toContain("1 & 2");
  });

  it("keeps a short chain on one line and side-by-side formulas side by side", () => {
    const s = math`a = b = c \qquad d = e`;
    expect(s).toBe("a = b = c \\qquad d = e");
  });

  it("breaks a chain too wide for a line at its relation signs, aligned", () => {
    const W = Matrix.random(3, 6, rng);
    const s = math`${["G", W]} = ${W} = ${W} = ${W}`;
    expect(s.startsWith("\\begin{aligned}")).toBe(true);
    expect(s.split("\\\\ &=").length).toBeGreaterThanOrEqual(3); // at least two continuation lines
    expect(() => checkTex(s)).not.toThrow();
  });

  it("aligns each line of a broken chain at one point only", () => {
    const W = Matrix.random(3, 2, rng);
    const s = math`${["G", W]} = a\,b = ${W} = ${W} = ${W} = ${W} = ${W} = ${W}`;
    expect(s.startsWith("\\begin{aligned}")).toBe(true);
    // without the matrices (their & and \\ are theirs), each line holds exactly one &
    const outline = s.replace(/\\begin\{bmatrix\}.*?\\end\{bmatrix\}/g, "M");
    const lines = outline.replace(/\\(begin|end)\{aligned\}/g, "").split("\\\\");
    expect(lines.length).toBeGreaterThanOrEqual(2);
    for (const line of lines) expect(line.split("&").length).toBe(2);
  });

  it("aligns each broken line once, even when it holds several steps", () => {
    const W = Matrix.random(3, 6, rng);
    const s = math`${["G", W]} = a = b = ${W} = ${W} = ${W}`;
    expect(s.startsWith("\\begin{aligned}")).toBe(true);
    for (const line of s.split("\\\\")) expect(line.split("&=").length).toBeLessThanOrEqual(2);
    expect(s).toContain("= b"); // a short step stays on the line it follows
    expect(() => checkTex(s)).not.toThrow();
  });

  it("puts side-by-side formulas on lines of their own when together they are too wide", () => {
    const W = Matrix.random(3, 6, rng);
    const s = math`A = ${W} \qquad B = ${W}`;
    expect(s.startsWith("\\begin{gathered}")).toBe(true);
    expect(s).toContain("\\\\[6pt]");
    expect(() => checkTex(s)).not.toThrow();
  });

  it("never breaks inside braces or environments, also across interpolated values", () => {
    const W = Matrix.random(3, 6, rng);
    const s = math`\begin{array}{c} a = ${W} = ${W} = ${W} \end{array}`;
    expect(s).not.toContain("aligned");
    const f = math`\frac{${W}}{2} = ${W} = ${W}`;
    expect(f).toContain("\\frac{");
    expect(() => checkTex(f)).not.toThrow();
  });

  it("estimates widths that grow with the columns shown and stop growing once they are elided", () => {
    const narrow = val(Matrix.random(2, 2, rng)).em;
    const wide = val(Matrix.random(2, 6, rng)).em;
    const elided = val(Matrix.random(2, 600, rng)).em;
    expect(wide).toBeGreaterThan(narrow);
    expect(elided).toBeLessThanOrEqual(wide + 3);
    expect(roughEm("\\qquad")).toBe(2);
    expect(roughEm("\\Delta^{\\top}")).toBeCloseTo(1.1);
  });

  it("fits every line of a long chain within the line width, at any batch size", () => {
    for (const K of [1, 5, 40, 500]) {
      const D = Matrix.random(K, 3, rng);
      const A = Matrix.random(K, 4, rng);
      const s = layout(["", " = ", "", " = ", " = \\sum_{k=1}^{", "} \\delta_k a_k^\\top"], [["\\delta^\\top a", D.T()], ["\\Delta^\\top", D.T()], ["A", A], val(D.T(), 3), K]);
      expect(() => checkTex(s)).not.toThrow();
      expect(val(D.T(), 3).em).toBeLessThan(LINE_EM);
    }
  });

  it("refuses TeX that KaTeX cannot typeset, naming it", () => {
    expect(() => math`\frac{1}{`).toThrow(/checkTex: KaTeX cannot typeset/);
  });
});
