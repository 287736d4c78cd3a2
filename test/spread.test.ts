import { describe, expect, it } from "vitest";
import { Matrix } from "../src/core/matrix.js";
import { Rng } from "../src/core/rng.js";
import { spreadOf } from "../src/core/spread.js";

describe("spreadOf", () => {
  it("mean, pooled standard deviation and relative spread, by hand", () => {
    const a = Matrix.row([1, 2]);
    const b = Matrix.row([3, 6]);
    const { mean, sd, relative } = spreadOf([a, b]);
    expect(mean.toRows()).toEqual([[2, 4]]);
    // deviations (−1, −2) and (1, 2): Σ‖·‖² = 10, n − 1 = 1, two entries
    expect(sd).toBeCloseTo(Math.sqrt(5), 15);
    expect(relative).toBeCloseTo(Math.sqrt(10) / Math.sqrt(20), 15);
  });

  it("draws of normal(0, σ²) entries have sd ≈ σ", () => {
    const rng = new Rng(1);
    const draws = Array.from({ length: 2000 }, () => Matrix.random(2, 3, rng, 0.5));
    expect(Math.abs(spreadOf(draws).sd - 0.5)).toBeLessThan(0.01);
  });

  it("equal draws have no spread; a zero mean with spread is an infinite relative spread", () => {
    const x = Matrix.row([1, -1]);
    expect(spreadOf([x, x, x])).toMatchObject({ sd: 0, relative: 0 });
    expect(spreadOf([x, x.scale(-1)]).relative).toBe(Infinity);
    expect(spreadOf([Matrix.zeros(1, 2), Matrix.zeros(1, 2)]).relative).toBe(0);
  });

  it("refuses fewer than two samples and mixed shapes", () => {
    expect(() => spreadOf([Matrix.ones(1, 1)])).toThrow("spreadOf: expected at least 2 samples, got 1");
    expect(() => spreadOf([Matrix.ones(1, 2), Matrix.ones(2, 1)])).toThrow("spreadOf: sample 1 is 2×1, sample 0 is 1×2");
  });
});
