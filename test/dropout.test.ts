import { describe, expect, it } from "vitest";
import { checkNetwork, gradCheck } from "../src/check/gradcheck.js";
import { Matrix } from "../src/core/matrix.js";
import { Rng } from "../src/core/rng.js";
import { type Activation, identity, sigmoid, tanh } from "../src/nn/activations.js";
import { oneHot } from "../src/nn/datasets.js";
import { Dense } from "../src/nn/dense.js";
import { Dropout } from "../src/nn/dropout.js";
import type { Layer } from "../src/nn/layer.js";
import { type LossFn, type Reduction, mse, softmaxCrossEntropy } from "../src/nn/losses.js";
import { Network } from "../src/nn/network.js";
import { expectShapeError, relDiff } from "./helpers.js";

// 3 inputs → Dense(tanh) 3→6 → Dropout(p) → Dense 6→2 (head)
function dropoutNetwork(seed: number, p: number, head: Activation) {
  const rng = new Rng(seed);
  const drop = new Dropout(p, new Rng(seed + 1));
  const net = new Network<Layer>([Dense.init(3, 6, tanh, rng), drop, Dense.init(6, 2, head, rng)]);
  net.params().forEach(({ value }) => value.data.set(Matrix.random(value.rows, value.cols, rng).data));
  return { net, drop, rng };
}

function batch(K: number, loss: LossFn, rng: Rng): { X: Matrix; Y: Matrix } {
  const X = Matrix.random(K, 3, rng);
  const Y = loss === mse ? Matrix.fill(K, 2, () => rng.uniform()) : oneHot(Array.from({ length: K }, () => rng.int(2)), 2);
  return { X, Y };
}

describe("Dropout forward: the mask", () => {
  it("mask entries are 0 or 1, and A is 0 where the mask is 0 and x/p where it is 1", () => {
    const p = 0.7;
    const X = Matrix.random(20, 10, new Rng(1));
    const { A, mask } = new Dropout(p, new Rng(2)).forward(X, "train");
    expect(mask).not.toBeNull();
    expect(mask!.shape).toBe("20×10");
    expect(mask!.data.every((v) => v === 0 || v === 1)).toBe(true);
    mask!.data.forEach((keep, k) => {
      if (keep === 0) expect(A.data[k] === 0).toBe(true); // 0 or −0 (a negative x times 0)
      else expect(A.data[k]).toBeCloseTo(X.data[k] / p, 14);
    });
  });

  it.each([0.2, 0.5, 0.8, 0.95])("p = %f keeps about p·K·m entries (within 5 standard deviations of the binomial)", (p) => {
    const [K, m] = [200, 50];
    const { mask } = new Dropout(p, new Rng(3)).forward(Matrix.ones(K, m), "train");
    const kept = mask!.total();
    const sd = Math.sqrt(K * m * p * (1 - p));
    expect(Math.abs(kept - p * K * m)).toBeLessThan(5 * sd);
  });

  it("the mask entry is [u < p] for the layer's rng's uniforms, row after row", () => {
    const p = 0.4;
    const { mask } = new Dropout(p, new Rng(5)).forward(Matrix.ones(3, 4), "train");
    const rng = new Rng(5);
    expect(mask!.data).toEqual(Float64Array.from({ length: 12 }, () => (rng.uniform() < p ? 1 : 0)));
  });

  it("E[A] = X: the mean of A over many masks is X (inverted scaling)", () => {
    const X = Matrix.row([1, -2, 3, 0.5]);
    const drop = new Dropout(0.6, new Rng(9));
    const n = 4000;
    let sum = Matrix.zeros(1, 4);
    for (let t = 0; t < n; t++) sum = sum.add(drop.forward(X, "train").A);
    // each entry of A is x/p with probability p: its standard deviation is |x|·√((1 − p)/p)
    const sd = X.map((x) => (Math.abs(x) * Math.sqrt(0.4 / 0.6)) / Math.sqrt(n));
    sum.scale(1 / n).data.forEach((mean, j) => expect(Math.abs(mean - X.data[j])).toBeLessThan(5 * sd.data[j]));
  });

  it("the same seed gives the same mask; another seed, another mask; each pass a fresh one", () => {
    const X = Matrix.ones(8, 8);
    const a = new Dropout(0.5, new Rng(42)).forward(X, "train").mask!;
    const b = new Dropout(0.5, new Rng(42)).forward(X, "train").mask!;
    const c = new Dropout(0.5, new Rng(43)).forward(X, "train").mask!;
    expect(b.data).toEqual(a.data);
    expect(c.data).not.toEqual(a.data);
    const drop = new Dropout(0.5, new Rng(42));
    const first = drop.forward(X, "train").mask!;
    const second = drop.forward(X, "train").mask!;
    expect(first.data).toEqual(a.data);
    expect(second.data).not.toEqual(first.data);
    expect(drop.mask).toBe(second); // the last mask drawn
  });

  it("p = 1 keeps everything: the identity in train mode too", () => {
    const X = Matrix.random(5, 4, new Rng(1));
    const c = new Dropout(1, new Rng(1)).forward(X, "train");
    expect(c.mask!.data.every((v) => v === 1)).toBe(true);
    expect(c.A.data).toEqual(X.data);
  });

  it("eval mode is the identity: A = X, no mask, no random numbers drawn, and dX = dA", () => {
    const X = Matrix.random(5, 4, new Rng(1));
    const drop = new Dropout(0.3, new Rng(2));
    const c = drop.forward(X, "eval");
    expect(c.mask).toBeNull();
    expect(c.A.data).toEqual(X.data);
    expect(drop.mask).toBeNull();
    const dA = Matrix.random(5, 4, new Rng(3));
    expect(drop.backward(c, dA).dX!.data).toEqual(dA.data);
    // a network's predictions do not see the dropout layer at all
    const { net } = dropoutNetwork(4, 0.5, sigmoid);
    const without = new Network<Layer>([net.layers[0], net.layers[2]]);
    const Xn = Matrix.random(7, 3, new Rng(5));
    expect(net.predict(Xn).data).toEqual(without.predict(Xn).data);
  });
});

describe("Dropout backward", () => {
  it("dX = dA ⊙ M / p with the cache's mask; withDX = false gives null", () => {
    const p = 0.5;
    const drop = new Dropout(p, new Rng(1));
    const c = drop.forward(Matrix.random(4, 3, new Rng(2)), "train");
    drop.forward(Matrix.random(4, 3, new Rng(3)), "train"); // a later mask does not matter
    const dA = Matrix.random(4, 3, new Rng(4));
    const dX = drop.backward(c, dA).dX!;
    dX.data.forEach((d, k) => expect(d === (c.mask!.data[k] === 0 ? 0 : dA.data[k] * (1 / p))).toBe(true));
    expect(drop.backward(c, dA, false).dX).toBeNull();
    expectShapeError(() => drop.backward(c, Matrix.ones(4, 4)), "Dropout.backward", ["4×4", "4×3"]);
  });

  it("gradient check of the layer alone under a frozen mask; a slip that scales by 1/p without the mask fails", () => {
    const p = 0.6;
    const rng = new Rng(8);
    const X = Matrix.random(10, 5, rng);
    const Y = Matrix.random(10, 5, rng);
    const drop = new Dropout(p, new Rng(9));
    drop.freeze();
    const lossAt = () => mse(drop.forward(X, "train").A, Y, "sum").loss; // E = ½‖A − Y‖²
    const cache = drop.forward(X, "train");
    const dA = cache.A.sub(Y); // ∂E/∂A
    const [right] = gradCheck([{ name: "X", value: X }], lossAt, [drop.backward(cache, dA).dX!]);
    expect(right.relError).toBeLessThan(1e-7);
    // the slip, by hand: dX = dA / p, as if every entry had been kept
    const slip = dA.scale(1 / p);
    const [wrong] = gradCheck([{ name: "X", value: X }], lossAt, [slip]);
    expect(wrong.relError).toBeGreaterThan(0.1);
  });
});

describe("Dropout in a network: gradient checks need a frozen mask", () => {
  const heads: [string, LossFn, Activation][] = [
    ["mse after sigmoid", mse, sigmoid],
    ["softmax cross-entropy on logits", softmaxCrossEntropy, identity],
  ];
  const cases = heads.flatMap(([name, loss, head]) =>
    (["sum", "mean"] as Reduction[]).flatMap((reduction) => [1, 5, 32].map((K) => [name, reduction, K, loss, head] as const)),
  );
  it.each(cases)("checkNetwork (which freezes the mask) passes: %s, %s, K = %i", (_n, reduction, K, loss, head) => {
    const { net, drop, rng } = dropoutNetwork(10 + K, 0.5, head);
    const { X, Y } = batch(K, loss, rng);
    for (const r of checkNetwork(net, X, Y, loss, reduction)) expect(r.relError, r.name).toBeLessThan(1e-7);
    expect(drop.frozen).toBe(false); // thawed again afterwards
  });

  it("a plain gradCheck with a fresh mask at every evaluation fails", () => {
    const { net, rng } = dropoutNetwork(3, 0.5, sigmoid);
    const { X, Y } = batch(16, mse, rng);
    const { grads } = net.lossAndGrads(X, Y, mse, "mean");
    const reports = gradCheck(net.params(), () => net.evaluate(X, Y, mse, "mean"), grads);
    expect(Math.max(...reports.map((r) => r.relError))).toBeGreaterThan(0.1);
    // the same gradients, checked under the mask they were computed with, pass
    const { net: again, rng: rng2 } = dropoutNetwork(3, 0.5, sigmoid);
    const b = batch(16, mse, rng2);
    for (const r of checkNetwork(again, b.X, b.Y, mse, "mean")) expect(r.relError).toBeLessThan(1e-7);
  });

  it("checkNetwork leaves a layer that was frozen before it frozen, with its mask", () => {
    const { net, drop, rng } = dropoutNetwork(6, 0.7, sigmoid);
    const { X, Y } = batch(8, mse, rng);
    drop.freeze();
    net.forward(X);
    const mask = drop.mask;
    for (const r of checkNetwork(net, X, Y, mse, "mean")) expect(r.relError).toBeLessThan(1e-7);
    expect(drop.frozen).toBe(true);
    expect(drop.mask).toBe(mask);
  });

  it("the per-sample path equals the batched one under a frozen mask", () => {
    const { net, drop, rng } = dropoutNetwork(12, 0.6, identity);
    const { X, Y } = batch(9, softmaxCrossEntropy, rng);
    net.forward(X); // draws the mask
    drop.freeze();
    const batched = net.lossAndGrads(X, Y, softmaxCrossEntropy, "mean");
    const perSample = net.lossAndGradsPerSample(X, Y, softmaxCrossEntropy, "mean");
    expect(Math.abs(batched.loss - perSample.loss)).toBeLessThan(1e-14 * batched.loss);
    for (const name of Object.keys(batched.grads)) {
      expect(relDiff(perSample.grads[name], batched.grads[name]), name).toBeLessThan(1e-13);
    }
    // and the mask mattered: without the dropout layer the gradients differ
    const full = new Network<Layer>([net.layers[0], net.layers[2]]).lossAndGrads(X, Y, softmaxCrossEntropy, "mean");
    expect(relDiff(full.grads.W1, batched.grads.W1)).toBeGreaterThan(1e-3);
  });

  it("without a frozen mask the per-sample path is refused, saying why", () => {
    const { net, rng } = dropoutNetwork(12, 0.6, sigmoid);
    const { X, Y } = batch(4, mse, rng);
    net.forward(X);
    expect(() => net.lossAndGradsPerSample(X, Y, mse, "mean")).toThrow(
      "Dropout.forSample: the layer draws a fresh mask on every forward pass, so a sample has no mask of its own; " +
        "freeze() it first (after a forward pass on the batch)",
    );
  });
});

describe("Dropout freeze, forSample, clone, refusals", () => {
  it("freeze keeps the last mask; frozen before any pass, the next pass draws one and keeps it; unfreeze draws again", () => {
    const X = Matrix.ones(6, 6);
    const drop = new Dropout(0.5, new Rng(1));
    expect(drop.frozen).toBe(false);
    drop.freeze();
    expect(drop.frozen).toBe(true);
    expect(drop.mask).toBeNull();
    const first = drop.forward(X, "train").mask!;
    expect(drop.forward(X, "train").mask).toBe(first);
    expect(drop.forward(X.scale(2), "train").A.data).toEqual(X.scale(2).mul(first).scale(2).data);
    drop.unfreeze();
    expect(drop.frozen).toBe(false);
    const fresh = drop.forward(X, "train").mask!;
    expect(fresh.data).not.toEqual(first.data);
    drop.freeze();
    expect(drop.forward(X, "train").mask).toBe(fresh); // the last one drawn
  });

  it("a frozen mask of another shape than X is a ShapeError naming both shapes", () => {
    const drop = new Dropout(0.5, new Rng(1));
    drop.forward(Matrix.ones(5, 4), "train");
    drop.freeze();
    const err = expectShapeError(() => drop.forward(Matrix.ones(3, 4), "train"), "Dropout.forward", ["3×4", "5×4"]);
    expect(err.message).toContain("a frozen mask holds for batches of its own shape");
    expect(drop.forward(Matrix.ones(3, 4), "eval").A.shape).toBe("3×4"); // eval mode has no mask
  });

  it("forSample(k) is frozen to row k of the frozen mask, on the same rng; refused unfrozen, maskless or out of range", () => {
    const rng = new Rng(1);
    const drop = new Dropout(0.5, rng);
    expect(() => drop.forSample(0)).toThrow("Dropout.forSample: the layer draws a fresh mask on every forward pass");
    drop.freeze();
    expect(() => drop.forSample(0)).toThrow(
      "Dropout.forSample: the layer is frozen but has drawn no mask yet; run a forward pass on the batch first",
    );
    const X = Matrix.random(4, 6, new Rng(2));
    const { A, mask } = drop.forward(X, "train");
    for (let k = 0; k < 4; k++) {
      const single = drop.forSample(k);
      expect(single.frozen).toBe(true);
      expect(single.rng).toBe(rng);
      expect(single.mask!.data).toEqual(mask!.getRow(k).data);
      expect(single.forward(X.getRow(k), "train").A.data).toEqual(A.getRow(k).data);
    }
    expect(() => drop.forSample(4)).toThrow("Dropout.forSample: sample 4 is not a row of the frozen 4×6 mask");
    expect(() => drop.forSample(-1)).toThrow(RangeError);
  });

  it("clone copies the mask and the frozen state and shares the rng", () => {
    const rng = new Rng(3);
    const drop = new Dropout(0.5, rng);
    const X = Matrix.ones(4, 4);
    drop.forward(X, "train");
    drop.freeze();
    const copy = drop.clone();
    expect(copy.p).toBe(0.5);
    expect(copy.rng).toBe(rng); // one stream of numbers for both
    expect(copy.frozen).toBe(true);
    expect(copy.mask).not.toBe(drop.mask);
    expect(copy.mask!.data).toEqual(drop.mask!.data);
    copy.unfreeze();
    copy.forward(X, "train");
    expect(drop.frozen).toBe(true);
    expect(drop.forward(X, "train").mask!.data).not.toEqual(copy.mask!.data);
    // before any pass the clone has no mask either
    expect(new Dropout(0.5, rng).clone().mask).toBeNull();
    // a cloned network holds a cloned dropout
    const { net } = dropoutNetwork(1, 0.5, sigmoid);
    expect(net.clone().layers[1]).not.toBe(net.layers[1]);
  });

  it("refuses p outside (0, 1]", () => {
    for (const p of [0, -0.5, 1.01, NaN, Infinity]) {
      expect(() => new Dropout(p, new Rng(1))).toThrow(
        `Dropout: p is the probability of keeping an entry and must be in (0, 1], got ${String(p)}`,
      );
    }
  });

  it("has no parameters and no fixed width: the network around it names W1, b1, W2, b2", () => {
    const drop = new Dropout(0.5, new Rng(1));
    expect(drop.kind).toBe("Dropout");
    expect(drop.params()).toEqual([]);
    const layer: Layer = drop;
    expect(layer.inputs).toBeUndefined();
    expect(layer.outputs).toBeUndefined();
    const { net } = dropoutNetwork(1, 0.5, sigmoid);
    expect(net.params().map((p) => p.name)).toEqual(["W1", "b1", "W2", "b2"]);
  });
});
