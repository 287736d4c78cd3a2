// bceWithLogits and the L2 penalty against TensorFlow.js's autodiff (CPU backend), as in
// tfjs.test.ts: tfjs computes in float32, so every input is made float32-representable and the
// agreement expected is about 1e-5 relative for a loss and 1e-4 for a gradient.
import * as tf from "@tensorflow/tfjs-core";
import { describe, expect, it } from "vitest";
import { Matrix } from "../src/core/matrix.js";
import { Rng } from "../src/core/rng.js";
import { identity, sigmoid, tanh } from "../src/nn/activations.js";
import { bceWithLogits, mse } from "../src/nn/losses.js";
import { Network } from "../src/nn/network.js";
import { l2 } from "../src/nn/penalties.js";
import { relDiff } from "./helpers.js";
import { fromTensor, toFloat32, toTensor, useTfjsCpu } from "./tfjs-helpers.js";

useTfjsCpu();

const relErr = (ours: number, theirs: number): number => Math.abs(ours - theirs) / Math.abs(ours);

describe("bceWithLogits agrees with tf.losses.sigmoidCrossEntropy", () => {
  // logits with some far out in the sigmoid's tails, hard and soft targets
  function batch(K: number, m: number, seed: number) {
    const rng = new Rng(seed);
    const z = toFloat32(Matrix.fill(K, m, (k) => rng.normal(0, 1) * (k % 4 === 3 ? 20 : 2)));
    const y = toFloat32(Matrix.fill(K, m, (k) => (k % 2 === 0 ? rng.int(2) : rng.uniform())));
    return { z, y };
  }

  it("loss and gradient, summed over a 16×3 batch (tfjs's SUM)", () => {
    const { z, y } = batch(16, 3, 1);
    const ours = bceWithLogits(z, y, "sum");
    const [Zt, Yt] = [toTensor(z), toTensor(y)];
    const loss = (logits: tf.Tensor): tf.Scalar => tf.losses.sigmoidCrossEntropy(Yt, logits, undefined, 0, tf.Reduction.SUM);
    const { value, grad } = tf.valueAndGrad(loss)(Zt);
    expect(relErr(ours.loss, value.dataSync()[0])).toBeLessThan(1e-5);
    expect(relDiff(ours.dZ, fromTensor(grad))).toBeLessThan(1e-5);
    tf.dispose([Zt, Yt, value, grad]);
  });

  it("mean over K = 10 samples of one output (tfjs's MEAN divides by every entry, here the same)", () => {
    const { z, y } = batch(10, 1, 2);
    const ours = bceWithLogits(z, y, "mean");
    const [Zt, Yt] = [toTensor(z), toTensor(y)];
    const { value, grad } = tf.valueAndGrad((logits: tf.Tensor): tf.Scalar =>
      tf.losses.sigmoidCrossEntropy(Yt, logits, undefined, 0, tf.Reduction.MEAN),
    )(Zt);
    expect(relErr(ours.loss, value.dataSync()[0])).toBeLessThan(1e-5);
    expect(relDiff(ours.dZ, fromTensor(grad))).toBeLessThan(1e-5);
    tf.dispose([Zt, Yt, value, grad]);
  });

  it("at |z| = 40 and 800, and written with tf ops as max(z, 0) − z·y + log(1 + e^−|z|)", () => {
    const z = Matrix.row([40, -40, 800, -800, 40, -800]);
    const y = Matrix.row([0, 1, 1, 0, 1, 1]);
    const ours = bceWithLogits(z, y, "sum");
    const [Zt, Yt] = [toTensor(z), toTensor(y)];
    const byOps = (logits: tf.Tensor): tf.Scalar =>
      tf.sum(tf.add(tf.sub(tf.relu(logits), tf.mul(logits, Yt)), tf.log1p(tf.exp(tf.neg(tf.abs(logits))))));
    for (const loss of [byOps, (logits: tf.Tensor): tf.Scalar => tf.losses.sigmoidCrossEntropy(Yt, logits, undefined, 0, tf.Reduction.SUM)]) {
      const { value, grad } = tf.valueAndGrad(loss)(Zt);
      expect(relErr(ours.loss, value.dataSync()[0])).toBeLessThan(1e-6); // 40 + 40 + 800 + 800 + tiny
      const theirs = fromTensor(grad);
      ours.dZ.data.forEach((g, k) => expect(Math.abs(g - theirs.data[k])).toBeLessThan(1e-6));
      tf.dispose([value, grad]);
    }
    expect(Array.from(ours.dZ.data)).toEqual([1, -1, 0, 0, 0, -1]);
    tf.dispose([Zt, Yt]);
  });
});

describe("a network's loss + L2 penalty gradients agree with tf.variableGrads", () => {
  // 4 → 6 → m with float32 weights and biases (biases away from 0), and a batch of 8
  function setup(m: number, seed: number) {
    const rng = new Rng(seed);
    const net = Network.init([4, 6, m], [sigmoid, identity], rng);
    net.params().forEach(({ value }) => value.data.set(toFloat32(Matrix.random(value.rows, value.cols, rng)).data));
    const X = toFloat32(Matrix.random(8, 4, rng));
    return { net, X, rng };
  }

  // the same two layers in tfjs: Z2 = σ(X·W1 + b1)·W2 + b2 (tfjs broadcasts the bias rows)
  const tfLogits = (X: tf.Tensor2D, [W1, b1, W2, b2]: tf.Variable[]): tf.Tensor =>
    tf.add(tf.matMul(tf.sigmoid(tf.add(tf.matMul(X, W1), b1)), W2), b2);

  // (λ/2N)·Σ‖p‖² over the given arrays, in tf ops
  const tfL2 = (lambda: number, N: number, arrays: tf.Tensor[]): tf.Scalar =>
    tf.mul(lambda / (2 * N), tf.addN(arrays.map((p) => tf.sum(tf.square(p))))) as tf.Scalar;

  function compare(net: Network, ours: { loss: number; grads: Record<string, Matrix> }, value: tf.Scalar, grads: tf.NamedTensorMap, prefix: string): void {
    expect(relErr(ours.loss, value.dataSync()[0])).toBeLessThan(1e-5);
    for (const p of net.params()) {
      const theirs = fromTensor(grads[`${prefix}-${p.name}`]);
      expect(theirs.shape).toBe(ours.grads[p.name].shape);
      expect(relDiff(ours.grads[p.name], theirs)).toBeLessThan(1e-4);
    }
  }

  for (const biases of [false, true]) {
    it(`bceWithLogits, mean over K, + l2(λ = 2, N = 8${biases ? ", biases too" : ""})`, () => {
      const { net, X, rng } = setup(1, 11);
      const Y = Matrix.fill(8, 1, () => rng.int(2));
      const penalty = l2(2, 8, { biases });
      const ours = net.lossAndGrads(X, Y, bceWithLogits, "mean", { penalty });
      const prefix = `tfjs-losses-bce-${biases}`;
      const vars = net.params().map((p) => tf.variable(toTensor(p.value), true, `${prefix}-${p.name}`));
      const [Xt, Yt] = [toTensor(X), toTensor(Y)];
      const { value, grads } = tf.variableGrads(() =>
        tf.add(
          tf.losses.sigmoidCrossEntropy(Yt, tfLogits(Xt, vars), undefined, 0, tf.Reduction.MEAN),
          tfL2(2, 8, biases ? vars : [vars[0], vars[2]]),
        ) as tf.Scalar,
      );
      compare(net, ours, value, grads, prefix);
      // the penalty matters here: without it the gradients are far from tfjs's
      const bare = net.lossAndGrads(X, Y, bceWithLogits, "mean");
      expect(relDiff(bare.grads.W1, fromTensor(grads[`${prefix}-W1`]))).toBeGreaterThan(1e-2);
      tf.dispose([...vars, Xt, Yt, value, ...Object.values(grads)]);
    });
  }

  it("mse (½ convention) summed over K, three outputs, + l2(λ = 0.5, N = 20, biases too), and a tanh network", () => {
    for (const hidden of [sigmoid, tanh]) {
      const rng = new Rng(5);
      const net = Network.init([4, 6, 3], [hidden, identity], rng);
      net.params().forEach(({ value }) => value.data.set(toFloat32(Matrix.random(value.rows, value.cols, rng)).data));
      const X = toFloat32(Matrix.random(8, 4, rng));
      const Y = toFloat32(Matrix.random(8, 3, rng));
      const penalty = l2(0.5, 20, { biases: true });
      const ours = net.lossAndGrads(X, Y, mse, "sum", { penalty });
      const prefix = `tfjs-losses-mse-${hidden.name}`;
      const vars = net.params().map((p) => tf.variable(toTensor(p.value), true, `${prefix}-${p.name}`));
      const [Xt, Yt] = [toTensor(X), toTensor(Y)];
      const act = hidden === sigmoid ? tf.sigmoid : tf.tanh;
      const out = (): tf.Tensor => tf.add(tf.matMul(act(tf.add(tf.matMul(Xt, vars[0]), vars[1])), vars[2]), vars[3]);
      const { value, grads } = tf.variableGrads(() =>
        tf.add(tf.mul(0.5, tf.sum(tf.square(tf.sub(out(), Yt)))), tfL2(0.5, 20, vars)) as tf.Scalar,
      );
      compare(net, ours, value, grads, prefix);
      tf.dispose([...vars, Xt, Yt, value, ...Object.values(grads)]);
    }
  });
});
