// The fast kernels (src/fast/kernels.ts) against the teaching code they stand in for: the same
// numbers to the last bit, on inputs chosen to expose a shortcut (zeros of both signs, large and
// small entries), and the same errors.
import { describe, expect, it } from "vitest";
import { NonFiniteError } from "../src/core/errors.js";
import { broadcastRows, matmul } from "../src/core/linalg.js";
import { Matrix } from "../src/core/matrix.js";
import { Rng } from "../src/core/rng.js";
import { fastKernels, logSoftmaxFast, softmaxCrossEntropyFast } from "../src/fast/kernels.js";
import { identity, logSoftmax, relu, sigmoid, softmax, tanh } from "../src/nn/activations.js";
import { oneHot } from "../src/nn/datasets.js";
import { Dense } from "../src/nn/dense.js";
import { ActivationLayer } from "../src/nn/layer.js";
import { mse, softmaxCrossEntropy } from "../src/nn/losses.js";
import { referenceKernels } from "../src/nn/kernels.js";
import { Network } from "../src/nn/network.js";
import { gradsRelDiff, randn } from "./helpers.js";

// a and b hold the same numbers, bit for bit (Object.is tells +0 from −0)
function expectIdentical(a: Matrix, b: Matrix, what = ""): void {
  expect(a.shape, what).toBe(b.shape);
  expect(a.data.every((x, k) => Object.is(x, b.data[k])), what).toBe(true);
}

const rng = new Rng(17);
// entries of every sign and size, with zeros of both signs, which is where a shortcut would show
const awkward = (r: number, c: number): Matrix =>
  Matrix.fill(r, c, () => [0, -0, 1, -1, rng.normal(0, 1), rng.normal(0, 30)][rng.int(6)]);

describe("a network's kernels", () => {
  const sizes = [9, 6, 3];
  const fastNet = Network.init(sizes, [tanh, identity], new Rng(11));
  const referenceNet = new Network(fastNet.clone().layers, { fast: false });
  const X = Matrix.random(7, 9, new Rng(12));
  const Y = oneHot([0, 1, 2, 2, 1, 0, 1], 3);

  it("are the fast ones by default, and kept by clone", () => {
    expect(fastNet.kernels).toBe(fastKernels);
    expect(referenceNet.kernels).toBe(referenceKernels);
    expect(referenceNet.clone().kernels).toBe(referenceKernels);
    expect(Network.init(sizes, [tanh, identity], rng, { fast: false }).kernels).toBe(referenceKernels);
  });

  it("change no number: loss, gradients and predictions are the same bit for bit", () => {
    for (const reduction of ["sum", "mean"] as const) {
      const fast = fastNet.lossAndGrads(X, Y, softmaxCrossEntropy, reduction);
      const reference = referenceNet.lossAndGrads(X, Y, softmaxCrossEntropy, reduction);
      expect(fast.loss).toBe(reference.loss);
      expect(gradsRelDiff(fast.grads, reference.grads)).toBe(0);
    }
    expect(fastNet.predict(X).data).toEqual(referenceNet.predict(X).data);
  });

  it("the per-sample path is the reference whatever the kernels", () => {
    const a = fastNet.lossAndGradsPerSample(X, Y, softmaxCrossEntropy, "sum");
    const b = referenceNet.lossAndGradsPerSample(X, Y, softmaxCrossEntropy, "sum");
    expect(a.loss).toBe(b.loss);
    expect(gradsRelDiff(a.grads, b.grads)).toBe(0);
  });

  it("layers without a fast twin run their own code on either path", () => {
    const layers = () => [Dense.init(9, 5, identity, new Rng(3)), new ActivationLayer(relu), Dense.init(5, 3, sigmoid, new Rng(4))];
    const fast = new Network(layers()).lossAndGrads(X, Y, mse, "mean");
    const reference = new Network(layers(), { fast: false }).lossAndGrads(X, Y, mse, "mean");
    expect(fast.loss).toBe(reference.loss);
    expect(gradsRelDiff(fast.grads, reference.grads)).toBe(0);
  });
});

describe("the fast kernels agree bit for bit with the teaching code", () => {
  it("Dense forward: Z = X·W + broadcastRows(b, K), A = act(Z)", () => {
    for (const [K, n, m] of [[1, 1, 1], [5, 9, 7], [33, 20, 12]]) {
      const [X, W, b] = [awkward(K, n), awkward(n, m), awkward(1, m)];
      const layer = new Dense(W, b, tanh);
      const fast = fastKernels.forward(layer, X, "train") as ReturnType<Dense["forward"]>;
      expectIdentical(fast.Z, matmul(X, W).add(broadcastRows(b, K)));
      expectIdentical(fast.Z, layer.forward(X).Z);
      expectIdentical(fast.A, layer.forward(X).A);
    }
  });

  it("Dense backward, with and without dX, for every elementwise activation and softmax", () => {
    for (const act of [sigmoid, tanh, relu, identity, softmax]) {
      const layer = new Dense(awkward(6, 4), awkward(1, 4), act);
      const cache = layer.forward(awkward(5, 6));
      const dA = awkward(5, 4);
      for (const withDX of [true, false]) {
        const fast = fastKernels.backward(layer, cache, dA, withDX);
        const clear = layer.backward(cache, dA, withDX);
        expectIdentical(fast.dW as Matrix, clear.dW, `${act.name} dW`);
        expectIdentical(fast.db as Matrix, clear.db, `${act.name} db`);
        if (withDX) expectIdentical(fast.dX as Matrix, clear.dX as Matrix, `${act.name} dX`);
        else expect(fast.dX).toBeNull();
      }
    }
  });

  it("logSoftmax", () => {
    const z = awkward(7, 4);
    expectIdentical(logSoftmaxFast(z), logSoftmax(z));
    const rows = z.toRows();
    const max = rows.map((row) => Math.max(...row));
    const logSum = rows.map((row, i) => Math.log(row.reduce((s, x) => s + Math.exp(x - max[i]), 0)));
    expectIdentical(logSoftmax(z), z.map((x, i) => x - max[i] - logSum[i]));
  });

  it("softmaxCrossEntropy: the loss and ∂E/∂Z, and the same refusals", () => {
    const z = awkward(9, 5);
    const y = oneHot([0, 4, 2, 2, 1, 3, 0, 4, 1], 5);
    for (const reduction of ["sum", "mean"] as const) {
      const fast = softmaxCrossEntropyFast(z, y, reduction);
      const clear = softmaxCrossEntropy(z, y, reduction);
      expect(Object.is(fast.loss, clear.loss)).toBe(true);
      expectIdentical("dZ" in fast ? fast.dZ : z, clear.dZ);
    }
    expect(() => softmaxCrossEntropyFast(z, y.scale(2), "sum")).toThrow(/row 0 of y is not a probability distribution/);
    expect(() => softmaxCrossEntropyFast(z, y.getRow(0), "sum")).toThrow(/^softmaxCrossEntropy: 9×5 vs 1×5/);
  });

  it("sgdStep: W − η·dW in place, and a failure in a later parameter leaves every one unchanged", () => {
    for (const fast of [true, false]) {
      const net = Network.init([4, 3, 2], [sigmoid, identity], new Rng(3), { fast });
      const X = randn(5, 4, 4);
      const { grads } = net.lossAndGrads(X, oneHot([0, 1, 1, 0, 1], 2), softmaxCrossEntropy, "mean");
      const before = net.params().map((p) => p.value.clone());
      net.sgdStep(grads, 0.3);
      net.params().forEach((p, i) => expectIdentical(p.value, before[i].sub(grads[p.name].scale(0.3)), p.name));
      const after = net.params().map((p) => p.value.clone());
      const huge = { ...grads, W2: grads.W2.map(() => 1e300) };
      expect(() => net.sgdStep(huge, 1e10)).toThrow(NonFiniteError);
      expect(() => net.sgdStep(huge, 1e10)).toThrow("sgdStep: W2 would become non-finite; is eta = 10000000000 too large?");
      net.params().forEach((p, i) => expectIdentical(p.value, after[i], p.name));
    }
  });
});
