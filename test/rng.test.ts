import { describe, expect, it } from "vitest";
import { Rng } from "../src/core/rng.js";

const draws = (rng: Rng, n: number, f: (r: Rng) => number): number[] => Array.from({ length: n }, () => f(rng));
const mean = (xs: number[]): number => xs.reduce((s, x) => s + x, 0) / xs.length;
const sd = (xs: number[]): number => {
  const mu = mean(xs);
  return Math.sqrt(mean(xs.map((x) => (x - mu) ** 2)));
};

describe("Rng", () => {
  it("the same seed gives the same numbers, for every kind of draw", () => {
    const run = (seed: number): number[] => {
      const rng = new Rng(seed);
      return [...draws(rng, 50, (r) => r.uniform()), ...draws(rng, 50, (r) => r.normal(1, 2)), ...draws(rng, 50, (r) => r.int(7)), ...rng.permutation(20)];
    };
    expect(run(42)).toEqual(run(42));
    expect(run(42)).not.toEqual(run(43));
  });

  it("different seeds, even neighbouring small ones, start with unrelated numbers", () => {
    const firsts = [0, 1, 2, 3, 4, 5, 6, 7].map((s) => new Rng(s).uniform());
    expect(new Set(firsts).size).toBe(8);
    expect(Math.max(...firsts) - Math.min(...firsts)).toBeGreaterThan(0.3);
  });

  it("uniform is in [0, 1) with mean ≈ 1/2 and variance ≈ 1/12 over 1e5 draws, using all 53 bits", () => {
    const u = draws(new Rng(7), 100_000, (r) => r.uniform());
    expect(u.every((x) => x >= 0 && x < 1)).toBe(true);
    // the standard error of the mean is 0.29/√1e5 ≈ 0.0009
    expect(Math.abs(mean(u) - 0.5)).toBeLessThan(0.005);
    expect(Math.abs(sd(u) ** 2 - 1 / 12)).toBeLessThan(0.002);
    // a single 32-bit draw would leave the low 21 of the 53 bits zero
    expect(u.some((x) => (x * 2 ** 53) % 2 ** 21 !== 0)).toBe(true);
  });

  it("normal has mean ≈ 0 and sd ≈ 1, and respects mean and sd arguments", () => {
    const z = draws(new Rng(8), 100_000, (r) => r.normal());
    expect(Math.abs(mean(z))).toBeLessThan(0.015);
    expect(Math.abs(sd(z) - 1)).toBeLessThan(0.015);
    // about 95.45% within two standard deviations
    expect(Math.abs(z.filter((x) => Math.abs(x) < 2).length / z.length - 0.9545)).toBeLessThan(0.005);
    const y = draws(new Rng(9), 20_000, (r) => r.normal(5, 0.1));
    expect(Math.abs(mean(y) - 5)).toBeLessThan(0.005);
    expect(Math.abs(sd(y) - 0.1)).toBeLessThan(0.005);
  });

  it("int(n) covers 0 … n−1 evenly", () => {
    const counts = new Array<number>(5).fill(0);
    draws(new Rng(10), 50_000, (r) => r.int(5)).forEach((k) => counts[k]++);
    counts.forEach((c) => expect(Math.abs(c - 10_000)).toBeLessThan(500));
  });

  it("shuffle returns a rearranged copy; permutation(n) holds each of 0 … n−1 once", () => {
    const a = ["a", "b", "c", "d", "e", "f", "g", "h"];
    const s = new Rng(11).shuffle(a);
    expect(a).toEqual(["a", "b", "c", "d", "e", "f", "g", "h"]);
    expect([...s].sort()).toEqual(a);
    expect(s).not.toEqual(a);
    const p = new Rng(12).permutation(100);
    expect([...p].sort((x, y) => x - y)).toEqual([...Array(100).keys()]);
  });

  it("rejects bad seeds and bad n", () => {
    expect(() => new Rng(-1)).toThrow("Rng: seed must be an integer in [0, 2^32), got -1");
    expect(() => new Rng(0.5)).toThrow(/seed/);
    expect(() => new Rng(2 ** 32)).toThrow(/seed/);
    expect(() => new Rng(1).int(0)).toThrow("Rng.int: n must be a positive integer, got 0");
    expect(() => new Rng(1).permutation(2.5)).toThrow(/Rng.permutation: n/);
  });
});
