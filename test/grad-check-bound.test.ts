import { describe, expect, it } from "vitest";
import { EPS, centredDifferenceError, gradCheckBound } from "../src/check/compare.js";

describe("gradCheckBound", () => {
  it("is the centred difference's error relative to the gradient's scale, never below the floor", () => {
    expect(gradCheckBound(1e-5, 1e3, 0.5)).toBe(centredDifferenceError(1e-5, 1e3) / 0.5);
    expect(gradCheckBound(1e-5, 1e3, 0.5)).toBeCloseTo((100 * (1e-10 + (EPS * 1e3) / 1e-5)) / 0.5, 20);
    expect(gradCheckBound(1e-5, 1e-6, 10)).toBe(1e-7);
    expect(gradCheckBound(1e-5, 1e-6, 10, 1e-9)).toBe(centredDifferenceError(1e-5, 1e-6) / 10);
  });
});
