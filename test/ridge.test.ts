// ridge (nn/ridge.ts), the closed form that a linear model trained with l2(λ, N) must reach, and
// the path helpers (nn/path.ts) that compare runs with it: the gradient of the library's own
// objective vanishes at the closed form, full-batch descent converges to it, and the refusals.
import { describe, expect, it } from "vitest";
import { matmul } from "../src/core/linalg.js";
import { Matrix } from "../src/core/matrix.js";
import { Rng } from "../src/core/rng.js";
import { SingularMatrixError } from "../src/core/solve.js";
import { identity } from "../src/nn/activations.js";
import { mse } from "../src/nn/losses.js";
import { Network } from "../src/nn/network.js";
import { momentum, sgd } from "../src/nn/optimizers.js";
import { arraysDistance, arraysGap, pathMean, trainPath } from "../src/nn/path.js";
import { l2 } from "../src/nn/penalties.js";
import { ridge, withOnes } from "../src/nn/ridge.js";
import { DivergenceError, train } from "../src/nn/train.js";
import { expectShapeError } from "./helpers.js";

// N samples of y = x·w + 0.5 + noise, n = 3 inputs, m outputs
function problem(N: number, m = 1, seed = 1) {
  const rng = new Rng(seed);
  const X = Matrix.random(N, 3, rng);
  const w = Matrix.random(3, m, rng);
  const Y = matmul(X, w).map((v) => v + 0.5 + rng.normal(0, 0.3));
  const net = Network.init([3, m], [identity], rng);
  return { X, Y, net };
}

// a network with the given W and b
function at(net: Network, W: Matrix, b: Matrix): Network {
  const copy = net.clone();
  const [pW, pb] = copy.params();
  pW.value.data.set(W.data);
  pb.value.data.set(b.data);
  return copy;
}

describe("ridge: the closed form", () => {
  for (const [N, m] of [[40, 1], [7, 2], [200, 3]] as const) {
    for (const lambda of [0, 0.5, 20]) {
      for (const biases of [false, true]) {
        it(`N = ${N}, m = ${m}, λ = ${lambda}${biases ? ", biases too" : ""}: the gradient of mse + l2(λ, N) vanishes there`, () => {
          const { X, Y, net } = problem(N, m);
          const { W, b } = ridge(X, Y, lambda, { biases });
          expect(W.shape).toBe(`3×${m}`);
          expect(b.shape).toBe(`1×${m}`);
          const { grads } = at(net, W, b).lossAndGrads(X, Y, mse, "mean", { penalty: l2(lambda, N, { biases }) });
          for (const g of Object.values(grads)) expect(g.maxAbs()).toBeLessThan(1e-13);
        });
      }
    }
  }

  it("λ = 0 is least squares; a larger λ shrinks W towards 0 and leaves b the mean residual", () => {
    const { X, Y } = problem(50);
    const norms = [0, 1, 10, 100, 1e6].map((lambda) => Math.hypot(...ridge(X, Y, lambda).W.data));
    norms.slice(1).forEach((w, i) => expect(w).toBeLessThan(norms[i]));
    const huge = ridge(X, Y, 1e12);
    expect(huge.W.maxAbs()).toBeLessThan(1e-9);
    expect(huge.b.get(0, 0)).toBeCloseTo(Y.mean(), 9); // the unpenalized bias fits the mean
    expect(ridge(X, Y, 1e12, { biases: true }).b.maxAbs()).toBeLessThan(1e-9); // a penalized one goes to 0 too
  });

  it("without the bias in the penalty, shifting every target by c shifts b by c and leaves W alone; with it, not", () => {
    const { X, Y } = problem(30);
    const c = 5;
    const [plain, shifted] = [ridge(X, Y, 3), ridge(X, Y.addScalar(c), 3)];
    expect(shifted.W.maxAbsDiff(plain.W)).toBeLessThan(1e-12);
    expect(shifted.b.get(0, 0) - plain.b.get(0, 0)).toBeCloseTo(c, 12);
    const [pb, sb] = [ridge(X, Y, 3, { biases: true }), ridge(X, Y.addScalar(c), 3, { biases: true })];
    expect(sb.b.get(0, 0) - pb.b.get(0, 0)).toBeLessThan(c * 0.95);
    expect(sb.W.maxAbsDiff(pb.W)).toBeGreaterThan(1e-3);
  });

  it("full-batch gradient descent on mse + l2(λ, N) converges to it; plain SGD's mini-batches hover around it", () => {
    const { X, Y, net } = problem(40);
    const target = ridge(X, Y, 2);
    const full = net.clone();
    train(full, X, Y, { epochs: 800, batchSize: 40, eta: 0.3, loss: mse, reduction: "mean", penalty: l2(2, 40), seed: 1 });
    expect(arraysGap(full.params().map((p) => p.value), [target.W, target.b])).toBeLessThan(1e-12);
    const mini = net.clone();
    const { path } = trainPath(mini, X, Y, { epochs: 200, batchSize: 5, eta: 0.02, loss: mse, reduction: "mean", penalty: l2(2, 40), seed: 1 });
    const last = arraysGap(path[path.length - 1], [target.W, target.b]);
    const averaged = arraysGap(pathMean(path), [target.W, target.b]);
    expect(last).toBeGreaterThan(1e-4); // noise
    expect(last).toBeLessThan(0.05);
    expect(averaged).toBeLessThan(last); // averaging the iterates cancels most of it
  });

  it("withOnes appends a column of ones", () => {
    expect(withOnes(Matrix.fromRows([[1, 2], [3, 4]])).toRows()).toEqual([[1, 2, 1], [3, 4, 1]]);
  });

  it("refuses mismatched rows, a negative or non-finite λ, and a singular least-squares problem", () => {
    const { X, Y } = problem(10);
    expectShapeError(() => ridge(X, Matrix.zeros(9, 1), 1), "ridge", ["10×3", "9×1"]);
    expect(() => ridge(X, Y, -1)).toThrow("ridge: lambda (λ) must be at least 0, got -1");
    expect(() => ridge(X, Y, NaN)).toThrow("ridge: lambda (λ) must be a finite number, got NaN");
    const few = problem(3); // 3 samples, 4 unknowns
    expect(() => ridge(few.X, few.Y, 0)).toThrow(SingularMatrixError);
    expect(ridge(few.X, few.Y, 0.1).W.shape).toBe("3×1"); // any λ > 0 makes it solvable
  });
});

describe("trainPath, arraysGap, pathMean", () => {
  it("records a copy of every array after every step, and ends where train() ends", () => {
    const { X, Y, net } = problem(10);
    const opts = { epochs: 3, batchSize: 4, loss: mse, reduction: "mean" as const, seed: 2 };
    const [a, b] = [net.clone(), net.clone()];
    const steps: number[] = [];
    const { path, history } = trainPath(a, X, Y, { ...opts, optimizer: momentum({ eta: 0.05, mu: 0.9 }), onStep: (s) => steps.push(s) });
    const plain = train(b, X, Y, { ...opts, optimizer: momentum({ eta: 0.05, mu: 0.9 }) });
    expect(path).toHaveLength(3 * 3); // ⌈10/4⌉ = 3 steps per epoch
    expect(steps).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(history).toEqual(plain);
    expect(arraysGap(path[path.length - 1], b.params().map((p) => p.value))).toBe(0);
    expect(path[0][0]).not.toBe(a.params()[0].value); // copies, not the live arrays
    expect(arraysGap(path[0], path[1])).toBeGreaterThan(0);
    expect(path[0].map((m) => m.shape)).toEqual(["3×1", "1×1"]);
  });

  it("a run that diverges returns its DivergenceError and the path up to the last step taken", () => {
    const { X, Y, net } = problem(12);
    const opts = { epochs: 50, batchSize: 12, loss: mse, reduction: "mean" as const, seed: 1 };
    const run = trainPath(net.clone(), X, Y, { ...opts, eta: 5 }); // far too large for this loss
    expect(run.diverged).toBeInstanceOf(DivergenceError);
    expect(run.history).toBeUndefined();
    expect(run.path.length).toBe((run.diverged as DivergenceError).step - 1);
    expect(run.path.length).toBeGreaterThan(0);
    const ok = trainPath(net.clone(), X, Y, { ...opts, eta: 0.1 });
    expect(ok.diverged).toBeUndefined();
    expect(ok.history?.lossPerEpoch).toHaveLength(50);
  });

  it("plain SGD through trainPath gives the same path as through an optimizer", () => {
    const { X, Y, net } = problem(12);
    const opts = { epochs: 2, batchSize: 5, loss: mse, reduction: "mean" as const, seed: 3 };
    const p = trainPath(net.clone(), X, Y, { ...opts, eta: 0.1 }).path;
    const q = trainPath(net.clone(), X, Y, { ...opts, optimizer: sgd({ eta: 0.1 }) }).path;
    expect(Math.max(...p.map((point, s) => arraysGap(point, q[s])))).toBe(0);
  });

  it("arraysGap: the largest entry difference; refuses other lengths and shapes", () => {
    const a = [Matrix.row([1, 2]), Matrix.row([3])];
    const b = [Matrix.row([1, 2.5]), Matrix.row([1])];
    expect(arraysGap(a, b)).toBe(2);
    expect(arraysGap([], [])).toBe(0);
    expect(() => arraysGap(a, [b[0]])).toThrow("arraysGap: 2 arrays against 1");
    expectShapeError(() => arraysGap(a, [Matrix.column([1, 2]), b[1]]), "arraysGap", ["1×2", "2×1"]);
  });

  it("arraysDistance: the Euclidean distance over all entries of all arrays; arraysGap's refusals", () => {
    const a = [Matrix.row([1, 2]), Matrix.row([3])];
    const b = [Matrix.row([4, 2]), Matrix.row([7])];
    expect(arraysDistance(a, b)).toBe(5); // √(3² + 0² + 4²)
    expect(arraysDistance(a, a)).toBe(0);
    expect(() => arraysDistance(a, [b[0]])).toThrow("arraysGap: 2 arrays against 1");
    expectShapeError(() => arraysDistance(a, [Matrix.column([1, 2]), b[1]]), "arraysGap", ["1×2", "2×1"]);
  });

  it("pathMean: the mean of the points from a step on, half-way by default; refuses an empty path and a bad step", () => {
    const path = [1, 2, 3, 4].map((v) => [Matrix.row([v, 2 * v])]);
    expect(pathMean(path)[0].toRows()).toEqual([[3.5, 7]]);
    expect(pathMean(path, 0)[0].toRows()).toEqual([[2.5, 5]]);
    expect(pathMean(path, 3)[0].toRows()).toEqual([[4, 8]]);
    expect(() => pathMean([])).toThrow("pathMean: the path is empty");
    expect(() => pathMean(path, 4)).toThrow("pathMean: from must be a step index in [0, 4), got 4");
    expect(() => pathMean(path, 1.5)).toThrow(RangeError);
  });
});
