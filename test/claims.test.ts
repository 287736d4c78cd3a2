import { describe, expect, it } from "vitest";
import { ClaimError, checksMarkdown, claim, claimAbove, claimBelow, claimThrows } from "../src/check/claims.js";
import { escapeMarkdown } from "../src/view/markdown.js";
import { ShapeError } from "../src/core/errors.js";
import { markdownTable } from "../src/view/markdown.js";

describe("claims", () => {
  it("return what was stated and measured when they hold, and throw naming both when not", () => {
    expect(claim("one is one", 1 === 1, "1")).toEqual({ statement: "one is one", measured: "1" });
    expect(claimBelow("small", 3e-11, 1e-7).measured).toBe("3.00e-11 < 1.00e-7");
    expect(claimBelow("equal", 0, 1e-12).measured).toBe("0 (exact) < 1.00e-12");
    expect(() => claimBelow("small", 0.1008, 0.1)).toThrow(new ClaimError("small", "0.101 < 0.100"));
    expect(() => claimAbove("large", Number.NaN, 0.1)).toThrow(/measured: NaN > 0.10/);
    const c = claimThrows("refused", () => { throw new ShapeError("add", ["3×5", "3×1"]); }, ShapeError, /^add/);
    expect(c.error).toBeInstanceOf(ShapeError);
    expect(c.measured).toMatch(/^ShapeError: add: 3×5 vs 3×1/);
    expect(() => claimThrows("refused", () => 1, ShapeError)).toThrow(/nothing was thrown/);
  });
});

describe("checksMarkdown", () => {
  it("renders a cell's checks as one block, a line each, measured values muted", () => {
    const s = checksMarkdown([claimBelow("finite differences agree with $\\Delta\\mathbf 1$", 3e-11, 1e-7), claim("Z_row = Z_col", true)]);
    expect(s).toBe(
      "✓ finite differences agree with $\\Delta\\mathbf 1$ <small>— 3.00e-11 \\< 1.00e-7</small><br>\n✓ Z\\_row = Z\\_col",
    );
    expect(() => checksMarkdown([])).toThrow(/at least one check/);
  });

  it("escapes Markdown outside math and code spans only", () => {
    expect(escapeMarkdown("a*b $x_1*y$ [c]")).toBe("a\\*b $x_1*y$ \\[c\\]");
    expect(escapeMarkdown("the `d_W*` call, a_b")).toBe("the `d_W*` call, a\\_b");
    expect(escapeMarkdown("one ` alone")).toBe("one \\` alone");
  });
});

describe("markdownTable", () => {
  it("writes a header, a rule and a row each, escaping outside math", () => {
    expect(markdownTable(["slip", "error"], [["x_1 * 2", "$\\sigma'$"], ["ok", 0.5]])).toBe(
      "| slip | error |\n| --- | --- |\n| x\\_1 \\* 2 | $\\sigma'$ |\n| ok | 0.5 |",
    );
    expect(() => markdownTable(["a"], [["1", "2"]])).toThrow("markdownTable: row 0 has 2 cells, expected 1 like the headers");
  });
});
