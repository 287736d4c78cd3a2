import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Activation, identity, relu, sigmoid, softmax, tanh } from "../src/nn/activations.js";
import { oneHot } from "../src/nn/datasets.js";
import { Dense } from "../src/nn/dense.js";
import { checkNetwork } from "../src/check/gradcheck.js";
import { type LossFn, mse, type Reduction, softmaxCrossEntropy } from "../src/nn/losses.js";
import { Matrix } from "../src/core/matrix.js";
import { Network } from "../src/nn/network.js";
import { Rng } from "../src/core/rng.js";
import { gradsRelDiff, randn } from "./helpers.js";

// n₀ = 3 inputs, 2 outputs, 1 to 4 layers; every hidden activation appears: tanh, sigmoid,
// ReLU (checkNetwork leaves out the rare entries whose perturbation crosses its kink) and softmax
const hidden: Record<number, { sizes: number[]; acts: Activation[] }> = {
  1: { sizes: [3, 2], acts: [] },
  2: { sizes: [3, 5, 2], acts: [tanh] },
  3: { sizes: [3, 5, 4, 2], acts: [sigmoid, tanh] },
  4: { sizes: [3, 6, 5, 4, 2], acts: [relu, softmax, tanh] },
};

// A random batch for a head: mse targets in (0, 1) for a sigmoid output, one-hot for logits
function batch(K: number, loss: LossFn, seed: number): { X: Matrix; Y: Matrix } {
  const rng = new Rng(seed);
  const X = Matrix.random(K, 3, rng);
  const Y = loss === mse ? Matrix.fill(K, 2, () => rng.uniform()) : oneHot(Array.from({ length: K }, () => rng.int(2)), 2);
  return { X, Y };
}

describe("gradient check of the batched backward pass", () => {
  const heads: [string, LossFn, Activation][] = [
    ["mse after sigmoid", mse, sigmoid],
    ["softmax cross-entropy on logits", softmaxCrossEntropy, identity],
  ];
  const cases = [1, 2, 3, 4].flatMap((depth) =>
    heads.flatMap(([head, loss, last]) =>
      (["sum", "mean"] as Reduction[]).map((reduction) => [depth, head, reduction, loss, last] as const),
    ),
  );
  it.each(cases)("%i layer(s), %s, %s, at batch sizes 1, 2, 5, 64", (depth, _head, reduction, loss, last) => {
    const { sizes, acts } = hidden[depth];
    [1, 2, 5, 64].forEach((K) => {
      const net = Network.init(sizes, [...acts, last], new Rng(depth * 100 + K));
      // non-zero biases, so that their part in the forward pass is exercised too
      net.layers.forEach((layer, l) => layer.b.data.set(randn(1, layer.b.cols, l).data));
      const { X, Y } = batch(K, loss, K);
      const reports = checkNetwork(net, X, Y, loss, reduction);
      expect(reports.map((r) => r.name)).toEqual(net.params().map((p) => p.name));
      reports.forEach((r) => expect(r.relError, `${r.name} at K = ${K}`).toBeLessThan(1e-7));
      reports.forEach((r) => expect(r.kinked, `${r.name} at K = ${K}`).toBeLessThanOrEqual(r.checked / 10));
    });
  });
});

describe("per-sample backward pass, seeded", () => {
  it("sums the per-sample gradients to the batched ones, for every hidden activation and both heads", () => {
    const { sizes, acts } = hidden[4];
    for (const [loss, last] of [[mse, sigmoid], [softmaxCrossEntropy, identity]] as const) {
      for (const reduction of ["sum", "mean"] as Reduction[]) {
        const net = Network.init(sizes, [...acts, last], new Rng(42));
        const { X, Y } = batch(17, loss, 42);
        const batched = net.lossAndGrads(X, Y, loss, reduction);
        const perSample = net.lossAndGradsPerSample(X, Y, loss, reduction);
        expect(perSample.loss).toBeCloseTo(batched.loss, 12);
        expect(gradsRelDiff(perSample.grads, batched.grads)).toBeLessThan(1e-12);
        // and the same seed gives the same numbers, bit for bit
        const again = Network.init(sizes, [...acts, last], new Rng(42)).lossAndGradsPerSample(X, Y, loss, reduction);
        expect(again.grads).toEqual(perSample.grads);
      }
    }
  });
});

// A random network and batch: depth 1–3, layer sizes 1–6, K 1–20, any activations and head.
const arbitraryCase = fc.record({
  sizes: fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 2, maxLength: 4 }),
  K: fc.integer({ min: 1, max: 20 }),
  acts: fc.array(fc.constantFrom(sigmoid, tanh, relu, identity, softmax), { minLength: 3, maxLength: 3 }),
  logits: fc.boolean(),
  reduction: fc.constantFrom<Reduction>("sum", "mean"),
  seed: fc.nat(1_000_000),
});

interface Case {
  sizes: number[];
  K: number;
  acts: Activation[];
  logits: boolean;
  seed: number;
}

function build(c: Case): { net: Network; X: Matrix; Y: Matrix; loss: LossFn } {
  const L = c.sizes.length - 1;
  const acts = c.acts.slice(0, L);
  if (c.logits) acts[L - 1] = identity;
  const rng = new Rng(c.seed);
  const net = Network.init(c.sizes, acts, rng);
  net.layers.forEach((layer) => layer.b.data.set(Matrix.random(1, layer.b.cols, rng).data));
  const m = c.sizes[L];
  const X = Matrix.random(c.K, c.sizes[0], rng);
  const Y = c.logits ? oneHot(Array.from({ length: c.K }, () => rng.int(m)), m) : Matrix.random(c.K, m, rng);
  return { net, X, Y, loss: c.logits ? softmaxCrossEntropy : mse };
}

describe("properties of the batched backward pass", () => {
  it("batched gradients equal the per-sample reference (sum of outer products) to 1e-12", () => {
    fc.assert(
      fc.property(arbitraryCase, (c) => {
        const { net, X, Y, loss } = build(c);
        const batched = net.lossAndGrads(X, Y, loss, c.reduction);
        const reference = net.lossAndGradsPerSample(X, Y, loss, c.reduction);
        expect(Math.abs(batched.loss - reference.loss)).toBeLessThanOrEqual(1e-12 * Math.abs(reference.loss));
        expect(gradsRelDiff(batched.grads, reference.grads)).toBeLessThan(1e-12);
      }),
    );
  });

  it("mean-reduction gradients equal sum-reduction gradients divided by K", () => {
    fc.assert(
      fc.property(arbitraryCase, (c) => {
        const { net, X, Y, loss } = build(c);
        const sum = net.lossAndGrads(X, Y, loss, "sum").grads;
        const mean = net.lossAndGrads(X, Y, loss, "mean").grads;
        const sumOverK = Object.fromEntries(Object.entries(sum).map(([name, g]) => [name, g.scale(1 / c.K)]));
        expect(gradsRelDiff(mean, sumOverK)).toBeLessThan(1e-12);
      }),
    );
  });

  it("the per-sample reference is really different code: a wrong gradient in one would show", () => {
    const { net, X, Y, loss } = build({ sizes: [2, 3, 2], K: 4, acts: [tanh, sigmoid, sigmoid], logits: false, seed: 5 });
    const batched = net.lossAndGrads(X, Y, loss, "sum");
    batched.grads.W1.data[0] *= 1 + 1e-9;
    expect(gradsRelDiff(batched.grads, net.lossAndGradsPerSample(X, Y, loss, "sum").grads)).toBeGreaterThan(1e-12);
  });
});

describe("Network", () => {
  const net = Network.init([2, 3, 1], [tanh, sigmoid], new Rng(3));

  it("names its parameters W1, b1, W2, b2 and hands out the live matrices", () => {
    const params = net.params();
    expect(params.map((p) => `${p.name} ${p.value.shape}`)).toEqual(["W1 2×3", "b1 1×3", "W2 3×1", "b2 1×1"]);
    expect(params[0].value).toBe(net.layers[0].W);
  });

  it("forward keeps one cache per layer; predict gives K×n_L", () => {
    const X = randn(5, 2, 1);
    const { caches, out } = net.forward(X);
    expect(caches.map((c) => c.A.shape)).toEqual(["5×3", "5×1"]);
    expect(caches[0].X).toBe(X);
    expect(out).toBe(caches[1].A);
    expect(net.predict(X).data).toEqual(out.data);
  });

  it("sgdStep is W ← W − η dW in place; clone is independent", () => {
    const a = net.clone();
    const X = randn(4, 2, 2);
    const Y = randn(4, 1, 3);
    const { grads } = a.lossAndGrads(X, Y, mse, "mean");
    const W1 = a.layers[0].W.clone();
    a.sgdStep(grads, 0.5);
    expect(a.layers[0].W.data).toEqual(W1.sub(grads.W1.scale(0.5)).data);
    expect(net.layers[0].W.data).toEqual(W1.data);
    expect(a.evaluate(X, Y, mse, "mean")).toBeLessThan(net.evaluate(X, Y, mse, "mean"));
    expect(() => a.sgdStep(grads, NaN)).toThrow("sgdStep: the learning rate eta (η) must be a positive finite number, got NaN");
    expect(() => a.sgdStep({ W1: grads.W1, b1: grads.b1 }, 0.1)).toThrow(
      "sgdStep: expected gradients for 4 parameter arrays (W1, b1, W2, b2), got 2 (W1, b1)",
    );
    expect(() => a.sgdStep({ W1: grads.W1, b1: grads.b1, W3: grads.W2, b2: grads.b2 }, 0.1)).toThrow(
      "sgdStep: no gradient for W2; got W1, b1, W3, b2",
    );
    const huge = { ...grads, W1: grads.W1.map(() => 10), W2: grads.W2.map(() => 10) };
    expect(() => a.sgdStep(huge, 1e308)).toThrow("sgdStep: W1 would become non-finite; is eta = 1e+308 too large?");
  });

  it("refuses a logits loss after a non-identity last layer (softmax would be applied twice)", () => {
    const bad = Network.init([2, 3], [softmax], new Rng(1));
    expect(() => bad.lossAndGrads(randn(2, 2, 1), oneHot([0, 1], 3), softmaxCrossEntropy, "sum")).toThrow(
      "lossAndGrads: softmaxCrossEntropy takes logits, so the last activation must be identity, got softmax",
    );
  });

  it("init checks sizes against activations", () => {
    expect(() => Network.init([2, 3, 1], [tanh], new Rng(1))).toThrow("Network.init: expected at least 2 sizes and one activation per layer, got 3 sizes and 1 activations");
    expect(() => new Network([])).toThrow("Network: expected at least one layer");
  });

  it("Dense.init draws W with sd 1/√n and zero b", () => {
    const layer = Dense.init(400, 50, tanh, new Rng(4));
    const sd = Math.sqrt(layer.W.map((w) => w * w).mean());
    expect(Math.abs(sd * Math.sqrt(400) - 1)).toBeLessThan(0.03);
    expect(layer.b.maxAbs()).toBe(0);
  });
});

describe("params() names the parameters once for a list of layers", () => {
  it("gives the same live matrices at every call, frozen, in a new list each time", () => {
    const net = Network.init([2, 3, 1], [tanh, identity], new Rng(4));
    const [a, b] = [net.params(), net.params()];
    expect(a).not.toBe(b);
    expect(a.map((p) => p.name)).toEqual(["W1", "b1", "W2", "b2"]);
    a.forEach((p, i) => expect(p.value).toBe(b[i].value));
    expect(a[0].value).toBe((net.layers[0] as Dense).W);
    expect(Object.isFrozen(a[0])).toBe(true);
    a.pop(); // a caller's list is its own
    expect(net.params()).toHaveLength(4);
  });

  it("names them again when a layer is replaced", () => {
    const net = Network.init([2, 3, 1], [tanh, identity], new Rng(4));
    net.params();
    const swapped = Dense.init(3, 1, identity, new Rng(5));
    net.layers[1] = swapped;
    expect(net.params()[2].value).toBe(swapped.W);
  });
});
