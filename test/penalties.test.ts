// The L2 penalty (nn/penalties.ts): its value and gradient by hand, the loss + penalty through a
// gradient check at several batch sizes, what that check says of a penalty gradient with the
// wrong sign, and the per-sample path with a penalty.
import { describe, expect, it } from "vitest";
import { Matrix } from "../src/core/matrix.js";
import { Rng } from "../src/core/rng.js";
import { checkNetwork } from "../src/check/gradcheck.js";
import { identity, sigmoid, tanh } from "../src/nn/activations.js";
import type { Param } from "../src/nn/layer.js";
import { type LossFn, mse, softmaxCrossEntropy } from "../src/nn/losses.js";
import { oneHot } from "../src/nn/datasets.js";
import { Network } from "../src/nn/network.js";
import { type Penalty, l2 } from "../src/nn/penalties.js";
import { relDiff } from "./helpers.js";

const W: Param = { name: "W1", value: Matrix.fromRows([[1, 2], [3, 4]]), kind: "weight" };
const b: Param = { name: "b1", value: Matrix.row([5, 6]), kind: "bias" };
const V: Param = { name: "W2", value: Matrix.column([-1, 2]), kind: "weight" };
const params = [W, b, V];

describe("l2: value and gradient by hand", () => {
  it("(λ/2N)·Σ‖W‖² over the weights, gradient (λ/N)·W, nothing for a bias", () => {
    const pen = l2(0.6, 3);
    // λ/2N = 0.1; the weights' squares sum to 1 + 4 + 9 + 16 + 1 + 4 = 35
    expect(pen.value(params)).toBeCloseTo(3.5, 14);
    expect(pen.grad(W)?.toRows()).toEqual([[1, 2], [3, 4]].map((row) => row.map((w) => w * (0.6 / 3))));
    expect(pen.grad(V)?.toRows()).toEqual([[-1 * (0.6 / 3)], [2 * (0.6 / 3)]]);
    expect(pen.grad(b)).toBeNull();
    expect(pen.name).toBe("L2 (λ = 0.6, N = 3)");
  });

  it("with biases: true, the biases too", () => {
    const pen = l2(0.6, 3, { biases: true });
    expect(pen.value(params)).toBeCloseTo(0.1 * (35 + 25 + 36), 14);
    expect(pen.grad(b)?.toRows()).toEqual([[5 * (0.6 / 3), 6 * (0.6 / 3)]]);
    expect(pen.name).toBe("L2 (λ = 0.6, N = 3, biases too)");
  });

  it("λ = 0 adds nothing; the gradient is a new matrix, the weights untouched", () => {
    const pen = l2(0, 5);
    expect(pen.value(params)).toBe(0);
    expect(pen.grad(W)?.maxAbs()).toBe(0);
    const g = l2(1, 1).grad(W) as Matrix;
    expect(g).not.toBe(W.value);
    expect(W.value.toRows()).toEqual([[1, 2], [3, 4]]);
  });

  it("refuses a negative or non-finite λ and an N that is not a positive integer", () => {
    expect(() => l2(-0.1, 10)).toThrow("l2: lambda (λ) must be at least 0, got -0.1");
    expect(() => l2(NaN, 10)).toThrow("l2: lambda (λ) must be a finite number, got NaN");
    expect(() => l2(0.1, 0)).toThrow("l2: N (the number of training samples) must be a positive integer, got 0");
    expect(() => l2(0.1, 2.5)).toThrow("l2: N (the number of training samples) must be a positive integer, got 2.5");
  });

  it("through a network: lossAndGrads with the penalty is the loss and gradients without it plus the penalty's", () => {
    const rng = new Rng(1);
    const net = Network.init([3, 4, 2], [tanh, identity], rng);
    const X = Matrix.random(6, 3, rng);
    const Y = Matrix.random(6, 2, rng);
    const pen = l2(0.7, 20);
    const plain = net.lossAndGrads(X, Y, mse, "mean");
    const withPen = net.lossAndGrads(X, Y, mse, "mean", { penalty: pen });
    expect(withPen.loss).toBe(plain.loss + pen.value(net.params()));
    for (const p of net.params()) {
      const extra = pen.grad(p);
      expect(withPen.grads[p.name].data).toEqual((extra ? plain.grads[p.name].add(extra) : plain.grads[p.name]).data);
    }
    expect(net.evaluate(X, Y, mse, "mean", { penalty: pen })).toBe(withPen.loss);
  });
});

// A 3 → 4 → 2 network (tanh hidden layer, no kinks) and K samples.
function problem(K: number, loss: LossFn, seed = 5) {
  const rng = new Rng(seed);
  const net = Network.init([3, 4, 2], [tanh, identity], rng);
  // biases away from 0, so that their penalty term matters
  net.params().forEach((p) => p.kind === "bias" && p.value.data.set(Matrix.random(1, p.value.cols, rng, 0.5).data));
  const X = Matrix.random(K, 3, rng);
  const Y = loss === softmaxCrossEntropy ? oneHot(Array.from({ length: K }, (_, k) => k % 2), 2) : Matrix.random(K, 2, rng);
  return { net, X, Y };
}

const worst = (reports: { relError: number }[]): number => Math.max(...reports.map((r) => r.relError));

describe("loss + penalty through the gradient check", () => {
  for (const K of [1, 2, 5, 64]) {
    for (const biases of [false, true]) {
      it(`K = ${K}, ${biases ? "biases included" : "weights only"}: every array's relative error < 1e-7, sum and mean`, () => {
        for (const [loss, reduction] of [[mse, "mean"], [softmaxCrossEntropy, "sum"]] as const) {
          const { net, X, Y } = problem(K, loss);
          const penalty = l2(1, 10, { biases });
          const reports = checkNetwork(net, X, Y, loss, reduction, { penalty });
          expect(reports.map((r) => r.name)).toEqual(["W1", "b1", "W2", "b2"]);
          expect(worst(reports)).toBeLessThan(1e-7);
        }
      });
    }
  }

  it("a sigmoid network too, with a large λ", () => {
    const rng = new Rng(9);
    const net = Network.init([2, 5, 3, 1], [sigmoid, tanh, identity], rng);
    const X = Matrix.random(8, 2, rng);
    const Y = Matrix.random(8, 1, rng);
    expect(worst(checkNetwork(net, X, Y, mse, "sum", { penalty: l2(50, 8, { biases: true }) }))).toBeLessThan(1e-7);
  });
});

describe("a penalty gradient with the wrong sign", () => {
  // l2's value with its gradient negated: −(λ/N)·W where (λ/N)·W belongs
  const wrongSign = (lambda: number, N: number): Penalty => {
    const right = l2(lambda, N);
    return { name: `${right.name}, gradient negated`, value: right.value, grad: (p) => right.grad(p)?.scale(-1) ?? null };
  };
  const score = (lambda: number): number => {
    const { net, X, Y } = problem(16, mse);
    return worst(checkNetwork(net, X, Y, mse, "mean", { penalty: wrongSign(lambda, 16) }));
  };

  it("fails the check clearly at λ = 1", () => {
    const s = score(1);
    expect(s).toBeGreaterThan(0.1);
    expect(s).toBeLessThanOrEqual(1);
  });

  it("scores in proportion to λ at smaller λ: the error is 2(λ/N)·W against the loss's own gradient", () => {
    // the ranges hold the measured scores with room either side; at small λ the wrong term is a
    // small part of the gradient, and a check with a looser threshold than 1e-7 would pass it
    const [tiny, small] = [score(1e-4), score(1e-2)];
    expect(tiny).toBeGreaterThan(1e-6);
    expect(tiny).toBeLessThan(1e-4);
    expect(small).toBeGreaterThan(1e-4);
    expect(small).toBeLessThan(1e-2);
    expect(small / tiny).toBeGreaterThan(50); // about 100: proportional to λ
    expect(small / tiny).toBeLessThan(150);
  });

  it("while the right sign passes at all three", () => {
    const { net, X, Y } = problem(16, mse);
    for (const lambda of [1e-4, 1e-2, 1]) {
      expect(worst(checkNetwork(net, X, Y, mse, "mean", { penalty: l2(lambda, 16) }))).toBeLessThan(1e-7);
    }
  });
});

describe("the per-sample path with a penalty", () => {
  for (const reduction of ["sum", "mean"] as const) {
    for (const biases of [false, true]) {
      it(`lossAndGradsPerSample equals lossAndGrads, ${reduction}, ${biases ? "biases included" : "weights only"}`, () => {
        const { net, X, Y } = problem(12, mse);
        const penalty = l2(0.8, 12, { biases });
        const batched = net.lossAndGrads(X, Y, mse, reduction, { penalty });
        const perSample = net.lossAndGradsPerSample(X, Y, mse, reduction, { penalty });
        expect(Math.abs(perSample.loss - batched.loss) / batched.loss).toBeLessThan(1e-14);
        expect(Object.keys(perSample.grads)).toEqual(Object.keys(batched.grads));
        for (const name of Object.keys(batched.grads)) expect(relDiff(perSample.grads[name], batched.grads[name])).toBeLessThan(1e-13);
      });
    }
  }
});
