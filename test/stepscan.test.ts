import { describe, expect, it } from "vitest";
import { logLogSlope, quotientError, rollingMax, scanSteps } from "../src/check/stepscan.js";
import { difference } from "../src/check/gradcheck.js";
import { Matrix } from "../src/core/matrix.js";

const hs = Array.from({ length: 45 }, (_, i) => 10 ** (-1 - (11 * i) / 44)); // 1e-1 … 1e-12

describe("quotientError", () => {
  it("is |q − g|/|g|, an exact hit 1e-17 and a non-finite quotient 1", () => {
    expect(quotientError(1.5, 2)).toBe(0.25);
    expect(quotientError(-3, -2)).toBe(0.5);
    expect(quotientError(2, 2)).toBe(1e-17);
    expect(quotientError(NaN, 2)).toBe(1);
    expect(quotientError(Infinity, 2)).toBe(1);
  });

  it("refuses a derivative with no relative error", () => {
    expect(() => quotientError(1, 0)).toThrow(/quotientError: the exact derivative g must be finite and nonzero, got 0/);
    expect(() => quotientError(1, NaN)).toThrow(/got NaN/);
  });
});

describe("rollingMax", () => {
  it("takes the largest of each entry and its neighbours, cut off at the ends", () => {
    expect(rollingMax([1, 5, 2, 0, 3, 1], 1)).toEqual([5, 5, 5, 3, 3, 3]);
    expect(rollingMax([1, 5, 2, 0, 3, 1], 2)).toEqual([5, 5, 5, 5, 3, 3]);
    expect(rollingMax([4, 1], 0)).toEqual([4, 1]);
    expect(rollingMax([], 2)).toEqual([]);
  });

  it("refuses a radius that is not an integer ≥ 0", () => {
    expect(() => rollingMax([1], -1)).toThrow(/rollingMax: radius must be an integer ≥ 0, got -1/);
    expect(() => rollingMax([1], 1.5)).toThrow(/got 1.5/);
  });
});

describe("scanSteps", () => {
  it("finds the step that balances h² against 1/h", () => {
    // error h² + 1e-16/h exactly: smallest at h = (1e-16/2)^(1/3) ≈ 3.7e-6
    const scan = scanSteps(hs, (h) => 1 + h * h + 1e-16 / h, 1);
    expect(scan.hs).toEqual(hs);
    expect(scan.errors.length).toBe(hs.length);
    expect(Math.abs(Math.log10(scan.best / Math.cbrt(0.5e-16)))).toBeLessThan(0.5);
    expect(scan.bestError).toBe(Math.min(...scan.envelope));
    expect(scan.envelope).toEqual(rollingMax(scan.errors, 2));
  });

  it("is not fooled by one lucky step", () => {
    const steps = [1e-1, 1e-2, 1e-3, 1e-4, 1e-5, 1e-6, 1e-7];
    const errs = [1e-3, 1e-4, 1e-5, 1e-6, 1e-5, 1e-4, 1e-3];
    errs[1] = 1e-17; // the quotient at h = 1e-2 happens to be exact
    const at = new Map(steps.map((h, i) => [h, 1 + errs[i]]));
    const scan = scanSteps(steps, (h) => at.get(h) ?? NaN, 1);
    expect(Math.min(...scan.errors)).toBe(1e-17);
    expect(scan.best).toBe(1e-4);
    expect(scan.bestError).toBeCloseTo(1e-4, 15);
    expect(scanSteps(steps, (h) => at.get(h) ?? NaN, 1, 0).best).toBe(1e-2);
  });

  it("refuses no steps and steps that are not positive and finite", () => {
    expect(() => scanSteps([], (h) => h, 1)).toThrow(/scanSteps: expected at least one step h/);
    expect(() => scanSteps([1e-3, 0], (h) => h, 1)).toThrow(/scanSteps: step 1 must be positive and finite, got 0/);
    expect(() => scanSteps([Infinity], (h) => h, 1)).toThrow(/got Infinity/);
    expect(() => scanSteps([1e-3], (h) => h, 0)).toThrow(/quotientError/);
  });
});

describe("logLogSlope", () => {
  it("is the exponent of a power law", () => {
    const power = (p: number) => ({ hs, errors: hs.map((h) => 3 * h ** p) });
    expect(logLogSlope(power(2), () => true)).toBeCloseTo(2, 10);
    expect(logLogSlope(power(-1), () => true)).toBeCloseTo(-1, 10);
    expect(logLogSlope(power(1), (h) => h > 1e-6)).toBeCloseTo(1, 10);
  });

  it("measures the centred difference's h² on a cubic and the forward difference's h", () => {
    // E(w) = w³ at w = 1: the centred quotient is 3 + h² exactly, the forward one 3 + 3h + h²
    const w = Matrix.row([1]);
    const E = () => w.data[0] ** 3;
    const large = (h: number) => h >= 1e-3;
    const central = scanSteps(hs, (h) => difference(w, 0, h, E), 3);
    const forward = scanSteps(hs, (h) => difference(w, 0, h, E, { scheme: "forward" }), 3);
    expect(logLogSlope(central, large)).toBeCloseTo(2, 1);
    expect(logLogSlope(forward, large)).toBeCloseTo(1, 1);
  });

  it("refuses fewer than two distinct steps and errors a log cannot take", () => {
    const scan = { hs: [1e-2, 1e-3], errors: [1e-4, 0] };
    expect(() => logLogSlope(scan, (h) => h > 5e-3)).toThrow(/logLogSlope: expected at least two distinct steps to fit, got 1 step/);
    expect(() => logLogSlope({ hs: [1e-2, 1e-2], errors: [1, 2] }, () => true)).toThrow(/two distinct steps/);
    expect(() => logLogSlope(scan, () => true)).toThrow(/logLogSlope: step 1 has h = 0.001, error = 0; both must be positive/);
    expect(() => logLogSlope({ hs: [1], errors: [] }, () => true)).toThrow(/1 steps but 0 errors/);
  });
});
