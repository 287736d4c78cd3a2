import { describe, expect, it } from "vitest";
import { formatPair } from "../src/core/format.js";

describe("formatPair", () => {
  it("keeps the requested decimals when they already tell the numbers apart", () => {
    expect(formatPair(0.37, 0.0026, 2)).toEqual(["0.37", "2.60e-3"]);
    expect(formatPair(3.1e-11, 1e-7)).toEqual(["3.10e-11", "1.00e-7"]);
  });
  it("adds decimals until the two differ", () => {
    expect(formatPair(0.1008, 0.1)).toEqual(["0.101", "0.100"]);
    expect(formatPair(0.3737191817566709, 0.3737191643505095, 4)).toEqual(["0.37371918", "0.37371916"]);
  });
  it("prints equal numbers equal, at the requested decimals", () => {
    expect(formatPair(0.25, 0.25, 3)).toEqual(["0.250", "0.250"]);
  });
  it("separates neighbouring doubles", () => {
    const [a, b] = formatPair(0.1, 0.1 + Number.EPSILON / 8);
    expect(a).not.toBe(b);
  });
});
