// An independent check of the backward pass against TensorFlow.js's autodiff (CPU backend).
// tfjs computes in float32, so all inputs are made float32-representable and agreement is
// expected to about 1e-4 relative, not to double precision.
import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { identity, sigmoid } from "../src/nn/activations.js";
import { oneHot } from "../src/nn/datasets.js";
import { mse, softmaxCrossEntropy } from "../src/nn/losses.js";
import { Matrix } from "../src/core/matrix.js";
import { Network } from "../src/nn/network.js";
import type { Grads } from "../src/nn/optimizers.js";
import { Rng } from "../src/core/rng.js";
import { relDiff } from "./helpers.js";
import { fromTensor, toFloat32, toTensor, useTfjsCpu } from "./tfjs-helpers.js";

useTfjsCpu();


// A 4 → 6 → 3 network (sigmoid hidden layer) with float32 weights and biases, and a batch of 8.
function setup(last: typeof sigmoid, logits: boolean) {
  const rng = new Rng(2024);
  const net = Network.init([4, 6, 3], [sigmoid, last], rng);
  net.params().forEach(({ value }) => value.data.set(toFloat32(Matrix.random(value.rows, value.cols, rng)).data));
  const X = toFloat32(Matrix.random(8, 4, rng));
  const Y = logits ? oneHot([0, 1, 2, 0, 1, 2, 2, 1], 3) : toFloat32(Matrix.fill(8, 3, () => rng.uniform()));
  return { net, X, Y };
}

// the same network in tfjs: W1, b1, W2, b2 → output (tfjs broadcasts the bias row itself)
function tfForward(X: tf.Tensor2D, [W1, b1, W2, b2]: tf.Tensor[], logits: boolean): tf.Tensor {
  const A1 = tf.sigmoid(tf.add(tf.matMul(X, W1), b1));
  const Z2 = tf.add(tf.matMul(A1, W2), b2);
  return logits ? Z2 : tf.sigmoid(Z2);
}

function expectClose(ours: { loss: number; grads: Grads }, tfLoss: number, tfGrads: Matrix[]): void {
  expect(Math.abs(ours.loss - tfLoss) / Math.abs(ours.loss)).toBeLessThan(1e-5);
  const mine = [ours.grads.W1, ours.grads.b1, ours.grads.W2, ours.grads.b2];
  mine.forEach((g, i) => {
    expect(g.shape).toBe(tfGrads[i].shape);
    expect(relDiff(g, tfGrads[i])).toBeLessThan(1e-4);
  });
}

describe("backward pass agrees with TensorFlow.js autodiff", () => {
  it("2-layer sigmoid network, mean squared error (½ convention, mean over K), via tf.grads", () => {
    const { net, X, Y } = setup(sigmoid, false);
    const ours = net.lossAndGrads(X, Y, mse, "mean");
    const [Xt, Yt] = [toTensor(X), toTensor(Y)];
    const params = net.params().map((p) => toTensor(p.value));
    const loss = (...ps: tf.Tensor[]): tf.Tensor =>
      tf.div(tf.mul(0.5, tf.sum(tf.square(tf.sub(tfForward(Xt, ps, false), Yt)))), X.rows);
    const value = loss(...params);
    const grads = tf.grads(loss)(params);
    expectClose(ours, value.dataSync()[0], grads.map(fromTensor));
    tf.dispose([Xt, Yt, ...params, value, ...grads]);
  });

  it("2-layer network with a softmax cross-entropy head on logits, summed over K, via tf.variableGrads", () => {
    const { net, X, Y } = setup(identity, true);
    const ours = net.lossAndGrads(X, Y, softmaxCrossEntropy, "sum");
    const vars = net.params().map((p) => tf.variable(toTensor(p.value), true, `tfjs-test-${p.name}`));
    const [Xt, Yt] = [toTensor(X), toTensor(Y)];
    const { value, grads } = tf.variableGrads(() =>
      tf.neg(tf.sum(tf.mul(Yt, tf.logSoftmax(tfForward(Xt, vars, true))))) as tf.Scalar,
    );
    const names = net.params().map((p) => `tfjs-test-${p.name}`);
    expectClose(ours, value.dataSync()[0], names.map((n) => fromTensor(grads[n])));
    tf.dispose([...vars, Xt, Yt, value, ...Object.values(grads)]);
  });

  it("and the comparison can fail: a sign error in one gradient is caught", () => {
    const { net, X, Y } = setup(identity, true);
    const ours = net.lossAndGrads(X, Y, softmaxCrossEntropy, "sum");
    const flipped = ours.grads.b2.scale(-1);
    expect(relDiff(flipped, ours.grads.b2)).toBeGreaterThan(1e-4);
  });
});
