// Shared test helpers: random matrices from a seed, relative differences, shape-error assertions.
import { expect } from "vitest";
import { Matrix } from "../src/core/matrix.js";
import type { Grads } from "../src/nn/optimizers.js";
import { Rng } from "../src/core/rng.js";
import { ShapeError } from "../src/core/errors.js";

// r×c with normal(0, 1) entries, reproducible from seed
export function randn(r: number, c: number, seed: number): Matrix {
  return Matrix.random(r, c, new Rng(seed));
}

// max |A − B| relative to the larger of the two arrays' largest entries
export function relDiff(A: Matrix, B: Matrix): number {
  return A.maxAbsDiff(B) / Math.max(A.maxAbs(), B.maxAbs(), 1e-300);
}

// the worst relDiff over every gradient; both must name the same arrays
export function gradsRelDiff(a: Grads, b: Grads): number {
  expect(Object.keys(a)).toEqual(Object.keys(b));
  return Math.max(...Object.keys(a).map((name) => relDiff(a[name], b[name])));
}

// fn must throw a ShapeError for op whose message names op and every one of shapes
export function expectShapeError(fn: () => unknown, op: string, shapes: string[]): ShapeError {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(ShapeError);
  const err = thrown as ShapeError;
  expect(err.name).toBe("ShapeError");
  expect(err.op).toBe(op);
  expect(err.shapes).toEqual(shapes);
  expect(err.message.startsWith(`${op}: ${shapes.join(" vs ")}`)).toBe(true);
  return err;
}
