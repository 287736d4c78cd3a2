import { assertPositiveInt } from "../core/errors.js";
import { Matrix } from "../core/matrix.js";
import type { Rng } from "../core/rng.js";

// Small classification data sets, one sample per row; the random ones are reproducible from the Rng.

export interface Dataset {
  X: Matrix; // K×2 points
  Y: Matrix; // K×classes one-hot targets
  labels: number[]; // K class indices
}

// The four XOR points → X 4×2, Y 4×1 (1 when exactly one input is 1): not linearly separable.
export function xor(): { X: Matrix; Y: Matrix } {
  return {
    X: Matrix.fromRows([[0, 0], [0, 1], [1, 0], [1, 1]]),
    Y: Matrix.column([0, 1, 1, 0]),
  };
}

// labels (K), classes → K×classes with a single 1 per row
export function oneHot(labels: readonly number[], classes: number): Matrix {
  assertPositiveInt("oneHot", "classes", classes);
  labels.forEach((c, k) => {
    if (!Number.isInteger(c) || c < 0 || c >= classes) {
      throw new Error(`oneHot: label ${k} is ${String(c)}, expected an integer in [0, ${classes})`);
    }
  });
  return Matrix.fill(labels.length, classes, (k, j) => (labels[k] === j ? 1 : 0));
}

// nPerClass normal(·, 0.5²) points around each of `classes` centres spaced on a circle of
// radius 2 → X (nPerClass·classes)×2, class by class.
export function blobs(nPerClass: number, classes: number, rng: Rng): Dataset {
  assertPositiveInt("blobs", "nPerClass", nPerClass);
  assertPositiveInt("blobs", "classes", classes);
  const labels = classIndices(nPerClass, classes);
  const X = Matrix.fill(labels.length, 2, (k, j) => {
    const angle = (2 * Math.PI * labels[k]) / classes;
    return 2 * (j === 0 ? Math.cos(angle) : Math.sin(angle)) + rng.normal(0, 0.5);
  });
  return { X, Y: oneHot(labels, classes), labels };
}

// Interleaved spiral arms, one per class (as in CS231n): sample i of arm c sits at radius
// r = (i+1)/n and angle 4c + 4r plus normal(0, 0.2²) noise → X (nPerClass·classes)×2. No point
// sits at the origin, so no two classes share a point, even with one point per class.
export function spirals(nPerClass: number, rng: Rng, classes = 3): Dataset {
  assertPositiveInt("spirals", "nPerClass", nPerClass);
  assertPositiveInt("spirals", "classes", classes);
  const labels = classIndices(nPerClass, classes);
  const rows = labels.map((c, k) => {
    const r = ((k % nPerClass) + 1) / nPerClass;
    const t = 4 * c + 4 * r + rng.normal(0, 0.2);
    return [r * Math.sin(t), r * Math.cos(t)];
  });
  return { X: Matrix.fromRows(rows), Y: oneHot(labels, classes), labels };
}

// [0, …, 0, 1, …, 1, …]: nPerClass of each class in turn
function classIndices(nPerClass: number, classes: number): number[] {
  return Array.from({ length: nPerClass * classes }, (_, k) => Math.floor(k / nPerClass));
}
