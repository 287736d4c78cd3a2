import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import "@tensorflow/tfjs-backend-cpu";
import { beforeAll, describe, expect, it } from "vitest";
import { checkNetwork, gradCheck } from "../src/check/gradcheck.js";
import { Matrix } from "../src/core/matrix.js";
import { Rng } from "../src/core/rng.js";
import { identity, tanh } from "../src/nn/activations.js";
import { oneHot } from "../src/nn/datasets.js";
import { Dense } from "../src/nn/dense.js";
import { ActivationLayer, type Layer } from "../src/nn/layer.js";
import { LayerNorm } from "../src/nn/layernorm.js";
import { mse, softmaxCrossEntropy } from "../src/nn/losses.js";
import { Network } from "../src/nn/network.js";
import { expectShapeError, gradsRelDiff, relDiff } from "./helpers.js";

beforeAll(async () => {
  tf.env().set("IS_TEST", true);
  await tf.setBackend("cpu");
});

// γ and β away from 1 and 0, so that their gradients are not special
function layerNorm(m: number, rng: Rng, eps?: number): LayerNorm {
  return LayerNorm.from(Matrix.fill(1, m, () => 1 + 0.5 * rng.normal()), Matrix.random(1, m, rng, 0.3), { eps });
}

describe("LayerNorm forward", () => {
  it("normalises each row over its features, by hand", () => {
    const ln = LayerNorm.from(Matrix.row([2, -1, 0.5]), Matrix.row([0, 1, 3]), { eps: 1e-5 });
    const X = Matrix.fromRows([
      [1, 2, 6],
      [10, 20, 60],
    ]);
    const c = ln.forward(X);
    expect(c.mu.toRows()).toEqual([[3], [30]]);
    expect(c.variance.allClose(Matrix.column([14 / 3, 1400 / 3]), 1e-15)).toBe(true);
    const s = [Math.sqrt(14 / 3 + 1e-5), Math.sqrt(1400 / 3 + 1e-5)];
    const xhat = Matrix.fill(2, 3, (i, j) => (X.get(i, j) - c.mu.get(i, 0)) / s[i]);
    expect(c.Xhat.allClose(xhat, 1e-14)).toBe(true);
    expect(c.A.allClose(xhat.map((x, _i, j) => [2, -1, 0.5][j] * x + [0, 1, 3][j]), 1e-14)).toBe(true);
    // each row of X̂ has mean 0 and variance σ²/(σ² + ε) ≈ 1; the columns do not
    expect(c.Xhat.sum(1).maxAbs()).toBeLessThan(1e-14);
    expect(c.Xhat.mul(c.Xhat).sum(1).scale(1 / 3).allClose(Matrix.column([1, 1]), 1e-5)).toBe(true);
    expect(c.Xhat.sum(0).maxAbs()).toBeGreaterThan(0.1);
  });

  it("a sample's output does not depend on its batch, and train and eval are the same", () => {
    const rng = new Rng(3);
    const ln = layerNorm(4, rng);
    const X = Matrix.random(6, 4, rng, 3);
    const all = ln.forward(X).A;
    for (let k = 0; k < 6; k++) expect(ln.forward(X.getRow(k)).A.data).toEqual(all.getRow(k).data);
    expect(ln.forSample()).toBe(ln);
  });

  it("m = 1: every row is its own mean, so X̂ = 0, A = β, and dX = 0 exactly", () => {
    const ln = LayerNorm.from(Matrix.row([3]), Matrix.row([-0.25]));
    const X = Matrix.column([5, -2, 1e6]);
    const c = ln.forward(X);
    expect(c.Xhat.data.every((v) => v === 0)).toBe(true);
    expect(c.A.data.every((v) => v === -0.25)).toBe(true);
    const g = ln.backward(c, Matrix.column([1, 2, 3]));
    expect(g.dX!.data.every((v) => v === 0)).toBe(true);
    expect(g.dgamma.data[0]).toBe(0);
    expect(g.dbeta.data[0]).toBe(6);
  });
});

describe("LayerNorm backward: gradient checks", () => {
  it.each([1, 2, 5, 64])("the layer alone, E = ½‖A − Y‖², K = %i: dX, dgamma, dbeta", (K) => {
    const rng = new Rng(K);
    const ln = layerNorm(3, rng, 1e-3);
    const X = Matrix.fill(K, 3, (_, j) => 2 * j + (j + 1) * rng.normal());
    const Y = Matrix.random(K, 3, rng);
    const lossAt = () => mse(ln.forward(X).A, Y, "sum").loss;
    const cache = ln.forward(X);
    const g = ln.backward(cache, mse(cache.A, Y, "sum").dYhat);
    const reports = gradCheck([{ name: "X", value: X }, ...ln.params()], lossAt, [g.dX!, g.dgamma, g.dbeta]);
    for (const r of reports) expect(r.relError, r.name).toBeLessThan(1e-7);
    expect(g.dX!.sum(1).maxAbs()).toBeLessThan(1e-12 * Math.max(1, g.dX!.maxAbs())); // rows of dX sum to 0
  });

  const net = (seed: number) => {
    const rng = new Rng(seed);
    const layers: Layer[] = [Dense.init(2, 4, identity, rng), layerNorm(4, rng), new ActivationLayer(tanh), Dense.init(4, 3, identity, rng)];
    return { net: new Network(layers), rng };
  };

  it.each([1, 2, 5, 64])("inside a network, K = %i: every parameter to 1e-7, and the per-sample path agrees", (K) => {
    const { net: n, rng } = net(10 + K);
    expect(n.params().map((p) => p.name)).toEqual(["W1", "b1", "gamma1", "beta1", "W2", "b2"]);
    const X = Matrix.random(K, 2, rng, 2).addScalar(3);
    const Y = oneHot(Array.from({ length: K }, () => rng.int(3)), 3);
    for (const r of checkNetwork(n, X, Y, softmaxCrossEntropy, "mean")) expect(r.relError, r.name).toBeLessThan(1e-7);
    // no sample depends on another: the batched gradient is the sum of per-sample ones
    const batched = n.lossAndGrads(X, Y, softmaxCrossEntropy, "mean").grads;
    const perSample = n.lossAndGradsPerSample(X, Y, softmaxCrossEntropy, "mean").grads;
    expect(gradsRelDiff(batched, perSample)).toBeLessThan(1e-12);
  });
});

describe("LayerNorm agrees with TensorFlow.js autodiff", () => {
  it("A, E = ½‖A − Y‖², dX, dgamma, dbeta via tf.grads (float32, so 1e-4 relative)", () => {
    const rng = new Rng(2025);
    const [K, m, eps] = [6, 5, 1e-5];
    const f32 = (M: Matrix) => M.map(Math.fround);
    const X = f32(Matrix.random(K, m, rng, 2).addScalar(1));
    const Y = f32(Matrix.random(K, m, rng));
    const ln = LayerNorm.from(f32(Matrix.random(1, m, rng, 0.5).addScalar(1)), f32(Matrix.random(1, m, rng, 0.3)), { eps });
    const cache = ln.forward(X);
    const ours = mse(cache.A, Y, "sum");
    const g = ln.backward(cache, ours.dYhat);
    const t = (M: Matrix) => tf.tensor2d(Float32Array.from(M.data), [M.rows, M.cols]);
    const back = (x: tf.Tensor) => new Matrix(x.shape[0] ?? 1, x.shape[1] ?? 1, Float64Array.from(x.dataSync()));
    const [Xt, Yt, gt, bt] = [X, Y, ln.gamma, ln.beta].map(t);
    const tfLayerNorm = (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => {
      const mu = tf.mean(x, 1, true);
      const variance = tf.mean(tf.square(tf.sub(x, mu)), 1, true);
      return tf.add(tf.mul(tf.div(tf.sub(x, mu), tf.sqrt(tf.add(variance, eps))), gamma), beta);
    };
    const loss = (x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) =>
      tf.mul(0.5, tf.sum(tf.square(tf.sub(tfLayerNorm(x, gamma, beta), Yt)))) as tf.Scalar;
    const [dX, dgamma, dbeta] = tf.grads(loss)([Xt, gt, bt]);
    expect(relDiff(cache.A, back(tfLayerNorm(Xt, gt, bt)))).toBeLessThan(1e-5);
    expect(Math.abs(ours.loss - loss(Xt, gt, bt).dataSync()[0]) / ours.loss).toBeLessThan(1e-5);
    expect(relDiff(g.dX!, back(dX))).toBeLessThan(1e-4);
    expect(relDiff(g.dgamma, back(dgamma))).toBeLessThan(1e-4);
    expect(relDiff(g.dbeta, back(dbeta))).toBeLessThan(1e-4);
  });
});

describe("LayerNorm: refusals, shapes, clone", () => {
  it("refuses a bad width or eps, and names the shapes it refuses", () => {
    expect(() => new LayerNorm(0)).toThrow("LayerNorm: m (the number of features) must be a positive integer, got 0");
    for (const eps of [0, -1, NaN, Infinity]) expect(() => new LayerNorm(2, { eps })).toThrow("LayerNorm: eps must be a finite number > 0");
    expectShapeError(() => LayerNorm.from(Matrix.ones(1, 2), Matrix.zeros(1, 3)), "LayerNorm.from", ["1×2", "1×3"]);
    const ln = new LayerNorm(3);
    expectShapeError(() => ln.forward(Matrix.ones(2, 4)), "LayerNorm.forward", ["2×4", "1×3"]);
    const c = ln.forward(Matrix.random(2, 3, new Rng(1)));
    expectShapeError(() => ln.backward(c, Matrix.ones(3, 3)), "LayerNorm.backward", ["3×3", "2×3"]);
    expect(ln.backward(c, Matrix.ones(2, 3), false).dX).toBeNull();
    expect([ln.kind, ln.inputs, ln.outputs, ln.eps]).toEqual(["LayerNorm", 3, 3, 1e-5]);
  });

  it("clone copies gamma and beta; the copies are independent", () => {
    const ln = LayerNorm.from(Matrix.row([2, 3]), Matrix.row([1, -1]), { eps: 1e-3 });
    const copy = ln.clone();
    expect(copy.eps).toBe(1e-3);
    copy.gamma.set(0, 0, 7);
    expect(ln.gamma.get(0, 0)).toBe(2);
    expect(copy.beta.data).toEqual(ln.beta.data);
  });
});
