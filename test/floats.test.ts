import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { PIECE, SLAB, floats, floatsOf } from "../src/core/floats.js";
import { Matrix } from "../src/core/matrix.js";
import { Rng } from "../src/core/rng.js";

// The storage every Matrix gets: small arrays cut from shared buffers (src/core/floats.ts).
describe("floats", () => {
  it("gives n zeros, each array its own entries, however many arrays of whatever sizes are made", () => {
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 2 * PIECE }), { minLength: 1, maxLength: 200 }), (sizes) => {
      const arrays = sizes.map((n) => floats(n));
      arrays.forEach((a, i) => {
        expect(a.length).toBe(sizes[i]);
        expect(a.every((x) => x === 0)).toBe(true);
      });
      // writing every array leaves every other one as written: no two share an entry
      arrays.forEach((a, i) => a.fill(i + 1));
      arrays.forEach((a, i) => expect(a.every((x) => x === i + 1)).toBe(true));
    }));
  });

  it("cuts arrays of at most PIECE doubles from shared buffers of SLAB doubles, larger ones get their own", () => {
    const [small, next] = [floats(3), floats(3)];
    expect(small.buffer.byteLength).toBe(SLAB * 8);
    expect(next.buffer).toBe(small.buffer);
    expect(next.byteOffset).toBe(small.byteOffset + 3 * 8);
    expect(floats(PIECE).buffer.byteLength).toBe(SLAB * 8);
    const large = floats(PIECE + 1);
    expect([large.byteOffset, large.buffer.byteLength]).toEqual([0, (PIECE + 1) * 8]);
  });

  it("starts a new buffer when the current one cannot hold the next array, and never hands out a part twice", () => {
    const first = floats(1);
    const seen = [first];
    while (seen[seen.length - 1].buffer === first.buffer) seen.push(floats(PIECE));
    const last = seen[seen.length - 1];
    expect(last.byteOffset).toBe(0);
    // every array of the old buffer lies after the one before it, within the buffer
    const old = seen.slice(0, -1);
    old.slice(1).forEach((a, i) => expect(a.byteOffset).toBe(old[i].byteOffset + old[i].byteLength));
    expect(old[old.length - 1].byteOffset + old[old.length - 1].byteLength).toBeLessThanOrEqual(SLAB * 8);
  });

  it("refuses a negative length as new Float64Array does, with a RangeError", () => {
    expect(() => floats(-1)).toThrow(RangeError);
  });

  it("floatsOf copies its values, from a plain array or a typed one", () => {
    const source = Float64Array.of(1, -0, 2.5);
    const copy = floatsOf(source);
    source[0] = 9;
    expect(Array.from(copy)).toEqual([1, -0, 2.5]);
    expect(Object.is(copy[1], -0)).toBe(true);
    expect(Array.from(floatsOf([3, 4]))).toEqual([3, 4]);
  });

  it("a matrix's operations give arrays apart from their operands': changing a result changes nothing else", () => {
    const rng = new Rng(3);
    const A = Matrix.random(4, 5, rng);
    const before = Array.from(A.data);
    const results = [A.clone(), A.scale(2), A.add(A), A.T(), A.sum(0), A.sum(1), A.map((x) => x + 1)];
    results.forEach((R) => R.data.fill(7));
    expect(Array.from(A.data)).toEqual(before);
    expect(results.every((R) => R.data.every((x) => x === 7))).toBe(true);
  });
});
