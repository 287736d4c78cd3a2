import { describe, expect, it } from "vitest";
import { blobs, oneHot, spirals, xor } from "../src/nn/datasets.js";
import { Rng } from "../src/core/rng.js";

describe("datasets", () => {
  it("xor: the four points and their XOR", () => {
    const { X, Y } = xor();
    expect(X.toRows()).toEqual([[0, 0], [0, 1], [1, 0], [1, 1]]);
    expect(Y.toRows()).toEqual([[0], [1], [1], [0]]);
  });

  it("oneHot puts a single 1 per row and rejects labels out of range", () => {
    expect(oneHot([2, 0], 3).toRows()).toEqual([[0, 0, 1], [1, 0, 0]]);
    expect(() => oneHot([0, 3], 3)).toThrow("oneHot: label 1 is 3, expected an integer in [0, 3)");
  });

  it.each([
    ["blobs", (rng: Rng) => blobs(20, 4, rng), 4],
    ["spirals", (rng: Rng) => spirals(20, rng), 3],
  ] as const)("%s: shapes, one-hot targets matching the labels, reproducible from the seed", (_name, make, classes) => {
    const d = make(new Rng(1));
    expect(d.X.shape).toBe(`${20 * classes}×2`);
    expect(d.Y.shape).toBe(`${20 * classes}×${classes}`);
    expect(d.labels.length).toBe(20 * classes);
    expect(d.Y.toRows().map((row) => row.indexOf(1))).toEqual(d.labels);
    expect(new Set(d.labels).size).toBe(classes);
    expect(make(new Rng(1)).X.data).toEqual(d.X.data);
    expect(make(new Rng(2)).X.data).not.toEqual(d.X.data);
  });

  it("spirals: radii from 1/n to 1, so one point per class gives distinct points", () => {
    const one = spirals(1, new Rng(1), 3);
    const radii = one.X.toRows().map(([x, y]) => Math.hypot(x, y));
    radii.forEach((r) => expect(r).toBeCloseTo(1, 12));
    expect(new Set(one.X.toRows().map((p) => p.join())).size).toBe(3);
    const arm = spirals(4, new Rng(1), 2).X.toRows().slice(0, 4).map(([x, y]) => Math.hypot(x, y));
    arm.forEach((r, i) => expect(r).toBeCloseTo((i + 1) / 4, 12));
  });

  it("blobs: each class sits around its own centre", () => {
    const { X, labels } = blobs(200, 3, new Rng(5));
    [0, 1, 2].forEach((c) => {
      const rows = X.toRows().filter((_, k) => labels[k] === c);
      const cx = rows.reduce((s, r) => s + r[0], 0) / rows.length;
      const cy = rows.reduce((s, r) => s + r[1], 0) / rows.length;
      const angle = (2 * Math.PI * c) / 3;
      expect(Math.hypot(cx - 2 * Math.cos(angle), cy - 2 * Math.sin(angle))).toBeLessThan(0.15);
    });
  });

  it("rejects bad sizes", () => {
    expect(() => blobs(0, 2, new Rng(1))).toThrow("blobs: nPerClass must be a positive integer, got 0");
    expect(() => spirals(10, new Rng(1), 0)).toThrow("spirals: classes must be a positive integer, got 0");
  });
});
