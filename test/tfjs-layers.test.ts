// Batch norm and dropout checked against TensorFlow.js's autodiff (CPU backend), as test/tfjs.test.ts
// does for Dense layers: the same computation written with tf ops, its gradients from tf.grads or
// tf.variableGrads. tfjs computes in float32, so every input is made float32-representable and
// agreement is expected to about 1e-5 relative for the loss and 1e-4 for the gradients.
import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { Matrix } from "../src/core/matrix.js";
import { Rng } from "../src/core/rng.js";
import { identity, sigmoid, tanh } from "../src/nn/activations.js";
import { BatchNorm } from "../src/nn/batchnorm.js";
import { oneHot } from "../src/nn/datasets.js";
import { Dense } from "../src/nn/dense.js";
import { Dropout, type DropoutCache } from "../src/nn/dropout.js";
import { ActivationLayer, type Layer } from "../src/nn/layer.js";
import { mse, softmaxCrossEntropy } from "../src/nn/losses.js";
import { Network } from "../src/nn/network.js";
import { relDiff } from "./helpers.js";
import { fromTensor, toFloat32, toTensor, useTfjsCpu } from "./tfjs-helpers.js";

useTfjsCpu();

const randomFloat32 = (r: number, c: number, rng: Rng, scale = 1, shift = 0) =>
  toFloat32(Matrix.random(r, c, rng, scale).addScalar(shift));

const EPS = 1e-5;

// Batch norm in tf ops, the formula of src/nn/batchnorm.ts (tf broadcasts the 1×m rows itself):
// train mode with the batch's mean and biased variance, eval mode with the given statistics.
type Stats = { mean: tf.Tensor; variance: tf.Tensor };
function tfBatchNorm(X: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor, stats?: Stats): tf.Tensor {
  const mu = stats ? stats.mean : tf.mean(X, 0, true);
  const variance = stats ? stats.variance : tf.mean(tf.square(tf.sub(X, mu)), 0, true);
  const Xhat = tf.div(tf.sub(X, mu), tf.sqrt(tf.add(variance, EPS)));
  return tf.add(tf.mul(Xhat, gamma), beta);
}

const halfSquaredError = (A: tf.Tensor, Y: tf.Tensor): tf.Scalar => tf.mul(0.5, tf.sum(tf.square(tf.sub(A, Y))));

function expectLossClose(ours: number, theirs: number): void {
  expect(Math.abs(ours - theirs) / Math.abs(ours)).toBeLessThan(1e-5);
}

function expectGradClose(name: string, ours: Matrix, theirs: Matrix): void {
  expect(ours.shape, name).toBe(theirs.shape);
  expect(relDiff(ours, theirs), name).toBeLessThan(1e-4);
}

describe("BatchNorm agrees with TensorFlow.js autodiff", () => {
  it("the layer alone, train mode: A, E = ½‖A − Y‖², dX, dgamma, dbeta via tf.grads", () => {
    const rng = new Rng(2024);
    const [K, m] = [8, 4];
    const X = randomFloat32(K, m, rng, 2, 1);
    const Y = randomFloat32(K, m, rng);
    const bn = BatchNorm.from(randomFloat32(1, m, rng, 0.5, 1), randomFloat32(1, m, rng, 0.3), { eps: EPS });
    const cache = bn.forward(X, "train");
    const ours = mse(cache.A, Y, "sum");
    const g = bn.backward(cache, ours.dYhat, true);

    const [Xt, Yt, gt, bt] = [X, Y, bn.gamma, bn.beta].map(toTensor);
    const loss = (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => halfSquaredError(tfBatchNorm(x, gamma, beta), Yt);
    const A = tfBatchNorm(Xt, gt, bt);
    const value = loss(Xt, gt, bt);
    const [dX, dgamma, dbeta] = tf.grads(loss)([Xt, gt, bt]);
    expect(relDiff(cache.A, fromTensor(A))).toBeLessThan(1e-5);
    expectLossClose(ours.loss, value.dataSync()[0]);
    expectGradClose("dX", g.dX!, fromTensor(dX));
    expectGradClose("dgamma", g.dgamma, fromTensor(dgamma));
    expectGradClose("dbeta", g.dbeta, fromTensor(dbeta));
    tf.dispose([Xt, Yt, gt, bt, A, value, dX, dgamma, dbeta]);
  });

  it("the layer alone, eval mode: the running statistics as constants", () => {
    const rng = new Rng(7);
    const [K, m] = [6, 3];
    const bn = BatchNorm.from(randomFloat32(1, m, rng, 0.5, 1), randomFloat32(1, m, rng, 0.3), { eps: EPS, momentum: 0.5 });
    bn.updateRunningStats(bn.forward(Matrix.random(10, m, rng, 3), "train"));
    bn.runningMean.data.set(toFloat32(bn.runningMean).data);
    bn.runningVar.data.set(toFloat32(bn.runningVar).data);
    const X = randomFloat32(K, m, rng, 2);
    const Y = randomFloat32(K, m, rng);
    const cache = bn.forward(X, "eval");
    const ours = mse(cache.A, Y, "sum");
    const g = bn.backward(cache, ours.dYhat, true);

    const [Xt, Yt, gt, bt, mean, variance] = [X, Y, bn.gamma, bn.beta, bn.runningMean, bn.runningVar].map(toTensor);
    const loss = (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) =>
      halfSquaredError(tfBatchNorm(x, gamma, beta, { mean, variance }), Yt);
    const value = loss(Xt, gt, bt);
    const [dX, dgamma, dbeta] = tf.grads(loss)([Xt, gt, bt]);
    expectLossClose(ours.loss, value.dataSync()[0]);
    expectGradClose("dX", g.dX!, fromTensor(dX));
    expectGradClose("dgamma", g.dgamma, fromTensor(dgamma));
    expectGradClose("dbeta", g.dbeta, fromTensor(dbeta));
    tf.dispose([Xt, Yt, gt, bt, mean, variance, value, dX, dgamma, dbeta]);
  });

  // Dense(identity) 3→5 → BatchNorm(5) → tanh → Dense(identity) 5→3, softmax cross-entropy on the
  // logits, summed over K = 16
  it("in a network: W1, b1, gamma1, beta1, W2, b2 via tf.variableGrads", () => {
    const rng = new Rng(11);
    const K = 16;
    const net = new Network<Layer>([
      Dense.init(3, 5, identity, rng),
      BatchNorm.from(randomFloat32(1, 5, rng, 0.5, 1), randomFloat32(1, 5, rng, 0.3), { eps: EPS }),
      new ActivationLayer(tanh),
      Dense.init(5, 3, identity, rng),
    ]);
    net.params().forEach(({ value }) => value.data.set(randomFloat32(value.rows, value.cols, rng).data));
    const X = randomFloat32(K, 3, rng);
    const Y = oneHot(Array.from({ length: K }, () => rng.int(3)), 3);
    const ours = net.lossAndGrads(X, Y, softmaxCrossEntropy, "sum");

    const names = net.params().map((p) => p.name);
    expect(names).toEqual(["W1", "b1", "gamma1", "beta1", "W2", "b2"]);
    const vars = net.params().map((p) => tf.variable(toTensor(p.value), true, `tfjs-layers-${p.name}`));
    const [W1, b1, gamma1, beta1, W2, b2] = vars;
    const [Xt, Yt] = [toTensor(X), toTensor(Y)];
    const { value, grads } = tf.variableGrads(() => {
      const Z1 = tf.add(tf.matMul(Xt, W1), b1);
      const Z2 = tf.add(tf.matMul(tf.tanh(tfBatchNorm(Z1, gamma1, beta1)), W2), b2);
      return tf.neg(tf.sum(tf.mul(Yt, tf.logSoftmax(Z2)))) as tf.Scalar;
    });
    expectLossClose(ours.loss, value.dataSync()[0]);
    const theirs = Object.fromEntries(names.map((n) => [n, fromTensor(grads[`tfjs-layers-${n}`])]));
    for (const n of names.filter((n) => n !== "b1")) expectGradClose(n, ours.grads[n], theirs[n]);
    // b1 before a batch norm has gradient exactly 0: both are 0 to their precision, ours to double
    // precision and tf's to float32's, relative to the size of the other gradients of that layer
    const size = ours.grads.W1.maxAbs();
    expect(ours.grads.b1.maxAbs()).toBeLessThan(1e-14 * size);
    expect(theirs.b1.maxAbs()).toBeLessThan(1e-5 * size);
    tf.dispose([...vars, Xt, Yt, value, ...Object.values(grads)]);
  });

  it("in a network with an mse head (sigmoid output, mean over K), via tf.grads", () => {
    const rng = new Rng(12);
    const K = 10;
    const net = new Network<Layer>([
      Dense.init(4, 3, identity, rng),
      BatchNorm.from(randomFloat32(1, 3, rng, 0.5, 1), randomFloat32(1, 3, rng, 0.3), { eps: EPS }),
      new ActivationLayer(sigmoid),
      Dense.init(3, 2, sigmoid, rng),
    ]);
    net.params().forEach(({ value }) => value.data.set(randomFloat32(value.rows, value.cols, rng).data));
    const X = randomFloat32(K, 4, rng);
    const Y = toFloat32(Matrix.fill(K, 2, () => rng.uniform()));
    const ours = net.lossAndGrads(X, Y, mse, "mean");

    const params = net.params().map((p) => toTensor(p.value));
    const [Xt, Yt] = [toTensor(X), toTensor(Y)];
    const loss = (W1: tf.Tensor, b1: tf.Tensor, gamma1: tf.Tensor, beta1: tf.Tensor, W2: tf.Tensor, b2: tf.Tensor) => {
      const H = tf.sigmoid(tfBatchNorm(tf.add(tf.matMul(Xt, W1), b1), gamma1, beta1));
      return tf.div(halfSquaredError(tf.sigmoid(tf.add(tf.matMul(H, W2), b2)), Yt), K) as tf.Scalar;
    };
    const value = loss(...(params as [tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor, tf.Tensor]));
    const grads = tf.grads((...ps: tf.Tensor[]) => loss(ps[0], ps[1], ps[2], ps[3], ps[4], ps[5]))(params);
    expectLossClose(ours.loss, value.dataSync()[0]);
    net.params().forEach(({ name }, i) => {
      if (name !== "b1") expectGradClose(name, ours.grads[name], fromTensor(grads[i]));
      else expect(fromTensor(grads[i]).maxAbs()).toBeLessThan(1e-5 * ours.grads.W1.maxAbs()); // 0, see above
    });
    tf.dispose([...params, Xt, Yt, value, ...grads]);
  });
});

describe("Dropout agrees with TensorFlow.js autodiff under a fixed mask", () => {
  // Dense(sigmoid) 4→6 → Dropout(p = 0.6) → Dense(sigmoid) 6→3, mse (½, mean over K = 12); the
  // library's mask is passed to tf as a constant tensor
  it("W1, b1, W2, b2 via tf.grads, with the mask of the library's forward pass", () => {
    const rng = new Rng(5);
    const [K, p] = [12, 0.6];
    const drop = new Dropout(p, new Rng(6));
    const net = new Network<Layer>([Dense.init(4, 6, sigmoid, rng), drop, Dense.init(6, 3, sigmoid, rng)]);
    net.params().forEach(({ value }) => value.data.set(randomFloat32(value.rows, value.cols, rng).data));
    const X = randomFloat32(K, 4, rng);
    const Y = toFloat32(Matrix.fill(K, 3, () => rng.uniform()));
    const ours = net.lossAndGrads(X, Y, mse, "mean");
    const mask = (ours.caches[1] as DropoutCache).mask!;
    expect(mask.total()).toBeGreaterThan(0);
    expect(mask.total()).toBeLessThan(K * 6); // some entries dropped: the mask matters

    const params = net.params().map((q) => toTensor(q.value));
    const [Xt, Yt, Mt] = [toTensor(X), toTensor(Y), toTensor(mask)];
    const loss = (...[W1, b1, W2, b2]: tf.Tensor[]): tf.Scalar => {
      const A1 = tf.div(tf.mul(tf.sigmoid(tf.add(tf.matMul(Xt, W1), b1)), Mt), p); // X ⊙ M / p
      return tf.div(halfSquaredError(tf.sigmoid(tf.add(tf.matMul(A1, W2), b2)), Yt), K) as tf.Scalar;
    };
    const value = loss(...params);
    const grads = tf.grads(loss)(params);
    expectLossClose(ours.loss, value.dataSync()[0]);
    net.params().forEach(({ name }, i) => expectGradClose(name, ours.grads[name], fromTensor(grads[i])));
    tf.dispose([...params, Xt, Yt, Mt, value, ...grads]);
  });

  it("the layer alone: A and dX against tf's, and a different mask would not agree", () => {
    const rng = new Rng(8);
    const p = 0.5;
    const X = randomFloat32(7, 5, rng);
    const Y = randomFloat32(7, 5, rng);
    const drop = new Dropout(p, new Rng(9));
    const cache = drop.forward(X, "train");
    const dX = drop.backward(cache, cache.A.sub(Y)).dX!;
    const [Xt, Yt, Mt] = [toTensor(X), toTensor(Y), toTensor(cache.mask!)];
    const loss = (x: tf.Tensor) => halfSquaredError(tf.div(tf.mul(x, Mt), p), Yt);
    const [tfdX] = tf.grads(loss)([Xt]);
    expectGradClose("dX", dX, fromTensor(tfdX));
    const other = new Dropout(p, new Rng(10)).forward(X, "train");
    const otherdX = drop.backward(other, other.A.sub(Y)).dX!;
    expect(relDiff(otherdX, fromTensor(tfdX))).toBeGreaterThan(1e-2);
    tf.dispose([Xt, Yt, Mt, tfdX]);
  });
});
