// Binary cross-entropy (nn/losses.ts): bceWithLogits on logits and binaryCrossEntropy on
// probabilities. Gradient checks at several batch sizes, the logit form where the sigmoid
// saturates, the refusals, and why the library clamps nothing.
import { describe, expect, it } from "vitest";
import { Matrix } from "../src/core/matrix.js";
import { Rng } from "../src/core/rng.js";
import { checkNetwork, numericalGradient } from "../src/check/gradcheck.js";
import { identity, sigmoid, sigmoidScalar, tanh } from "../src/nn/activations.js";
import { xor } from "../src/nn/datasets.js";
import { Dense } from "../src/nn/dense.js";
import { type Reduction, binaryCrossEntropy, bceWithLogits } from "../src/nn/losses.js";
import { Network } from "../src/nn/network.js";
import { train } from "../src/nn/train.js";
import { expectShapeError, relDiff } from "./helpers.js";

// K×m logits (normal, sd 2), probabilities in [0.05, 0.95], and targets: 0/1 or soft in [0, 1]
function batch(K: number, m: number, seed: number) {
  const rng = new Rng(seed);
  const z = Matrix.random(K, m, rng, 2);
  const p = Matrix.fill(K, m, () => 0.05 + 0.9 * rng.uniform());
  const hard = Matrix.fill(K, m, () => rng.int(2));
  const soft = Matrix.fill(K, m, () => rng.uniform());
  return { z, p, hard, soft };
}

const sizes = [1, 2, 5, 64];
const reductions: Reduction[] = ["sum", "mean"];

describe("gradients against numericalGradient", () => {
  for (const K of sizes) {
    for (const reduction of reductions) {
      it(`K = ${K}, ${reduction}: bceWithLogits's dZ = σ(z) − y and binaryCrossEntropy's dYhat, hard and soft targets`, () => {
        const { z, p, hard, soft } = batch(K, 3, K);
        for (const y of [hard, soft]) {
          const { dZ } = bceWithLogits(z, y, reduction);
          expect(relDiff(dZ, numericalGradient(z, () => bceWithLogits(z, y, reduction).loss))).toBeLessThan(1e-8);
          const { dYhat } = binaryCrossEntropy(p, y, reduction);
          expect(relDiff(dYhat, numericalGradient(p, () => binaryCrossEntropy(p, y, reduction).loss))).toBeLessThan(1e-7);
        }
      });
    }
  }

  it("the two losses agree: binaryCrossEntropy at p = σ(z) is bceWithLogits, and its gradient times σ′(z) is σ(z) − y", () => {
    const { z, soft: y } = batch(16, 2, 3);
    const p = sigmoid.f(z);
    for (const reduction of reductions) {
      const onP = binaryCrossEntropy(p, y, reduction);
      const onZ = bceWithLogits(z, y, reduction);
      expect(Math.abs(onP.loss - onZ.loss) / onZ.loss).toBeLessThan(1e-13);
      expect(relDiff(onP.dYhat.mul(p.map((a) => a * (1 - a))), onZ.dZ)).toBeLessThan(1e-12);
    }
  });

  it("mean is sum over K, the number of rows", () => {
    const { z, hard: y } = batch(5, 3, 11);
    const [sum, mean] = [bceWithLogits(z, y, "sum"), bceWithLogits(z, y, "mean")];
    expect(mean.loss).toBeCloseTo(sum.loss / 5, 14);
    expect(relDiff(mean.dZ, sum.dZ.scale(1 / 5))).toBeLessThan(1e-15);
  });

  it("through a network: identity output + bceWithLogits passes checkNetwork, and equals sigmoid output + binaryCrossEntropy", () => {
    const rng = new Rng(4);
    const logits = Network.init([3, 5, 2], [tanh, identity], rng);
    const X = Matrix.random(10, 3, rng);
    const Y = Matrix.fill(10, 2, () => rng.int(2));
    for (const reduction of reductions) {
      const reports = checkNetwork(logits, X, Y, bceWithLogits, reduction);
      expect(Math.max(...reports.map((r) => r.relError))).toBeLessThan(1e-7);
    }
    const [hidden, last] = logits.layers;
    const probs = new Network([hidden, new Dense(last.W, last.b, sigmoid)]); // the same arrays, a sigmoid on top
    const a = logits.lossAndGrads(X, Y, bceWithLogits, "mean");
    const b = probs.lossAndGrads(X, Y, binaryCrossEntropy, "mean");
    expect(Math.abs(a.loss - b.loss) / a.loss).toBeLessThan(1e-13);
    for (const name of Object.keys(a.grads)) expect(relDiff(a.grads[name], b.grads[name])).toBeLessThan(1e-12);
  });
});

describe("bceWithLogits where the sigmoid saturates", () => {
  for (const size of [40, 800]) {
    it(`|z| = ${size}: finite; a wrong answer costs |z| with gradient ±1, a right one costs e^−|z| with gradient ≈ 0`, () => {
      const z = Matrix.row([size, -size, size, -size]);
      const y = Matrix.row([0, 1, 1, 0]); // wrong, wrong, right, right
      const { loss, dZ } = bceWithLogits(z, y, "sum");
      expect(Number.isFinite(loss)).toBe(true);
      expect(dZ.data[0]).toBe(1); // σ(z) − y = 1 − 0
      expect(dZ.data[1]).toBe(-1); // 0 − 1
      expect(Math.abs(dZ.data[2])).toBeLessThan(1e-17);
      expect(Math.abs(dZ.data[3])).toBeLessThan(1e-17);
      expect(dZ.data[3]).toBeCloseTo(sigmoidScalar(-size), 30);
      expect(loss).toBeCloseTo(2 * size, 12); // the two right answers add e^−|z|, below the last digit of 2|z|
      const right = bceWithLogits(Matrix.row([size, -size]), Matrix.row([1, 0]), "sum");
      expect(right.loss).toBeCloseTo(2 * Math.exp(-size), 30);
      if (size === 40) expect(right.loss / (2 * Math.exp(-40))).toBeCloseTo(1, 14);
    });
  }

  it("the textbook form −[y log σ(z) + (1 − y) log(1 − σ(z))] is already infinite at z = 40", () => {
    const naive = (z: number, y: number) => -(y * Math.log(sigmoidScalar(z)) + (1 - y) * Math.log(1 - sigmoidScalar(z)));
    expect(sigmoidScalar(40)).toBe(1);
    expect(naive(40, 0)).toBe(Infinity);
    expect(bceWithLogits(Matrix.row([40]), Matrix.row([0]), "sum").loss).toBe(40);
  });
});

describe("refusals", () => {
  it("binaryCrossEntropy refuses an exact 0 or 1 in p, naming the entry and pointing to bceWithLogits", () => {
    const y = Matrix.fromRows([[1, 0], [0, 1]]);
    expect(() => binaryCrossEntropy(Matrix.fromRows([[0.5, 0.2], [1, 0.3]]), y, "mean")).toThrow(
      "binaryCrossEntropy: entry (1,0) of p is exactly 1, where log (1 − p) is −∞ and the gradient divides by zero; pass the logits to bceWithLogits instead",
    );
    expect(() => binaryCrossEntropy(Matrix.fromRows([[0.5, 0], [0.5, 0.3]]), y, "sum")).toThrow(
      "binaryCrossEntropy: entry (0,1) of p is exactly 0, where log p is −∞",
    );
    // a saturated sigmoid rounds to them: σ(40) = 1 and σ(−800) = 0 in double precision
    const p = sigmoid.f(Matrix.row([-800, 40]));
    expect(Array.from(p.data)).toEqual([0, 1]);
    expect(() => binaryCrossEntropy(p, Matrix.row([1, 0]), "sum")).toThrow(/entry \(0,0\) of p is exactly 0.*bceWithLogits/);
  });

  it("p outside (0, 1) and targets outside [0, 1] are refused, by entry", () => {
    expect(() => binaryCrossEntropy(Matrix.row([0.5, 1.2]), Matrix.row([0, 1]), "sum")).toThrow(
      "binaryCrossEntropy: entry (0,1) of p is 1.2, expected a number in (0, 1)",
    );
    for (const bad of [1.5, -0.25]) {
      expect(() => bceWithLogits(Matrix.fromRows([[0], [1]]), Matrix.fromRows([[1], [bad]]), "sum")).toThrow(
        `bceWithLogits: entry (1,0) of y is ${bad}, expected a number in [0, 1]`,
      );
      expect(() => binaryCrossEntropy(Matrix.row([0.3, 0.4]), Matrix.row([bad, 0]), "mean")).toThrow(
        `binaryCrossEntropy: entry (0,0) of y is ${bad}, expected a number in [0, 1]`,
      );
    }
    // the targets' ends themselves are fine
    expect(Number.isFinite(bceWithLogits(Matrix.row([2, -2]), Matrix.row([0, 1]), "sum").loss)).toBe(true);
  });

  it("shapes must match and the reduction must be known", () => {
    expectShapeError(() => bceWithLogits(Matrix.zeros(2, 1), Matrix.zeros(2, 2), "sum"), "bceWithLogits", ["2×1", "2×2"]);
    expectShapeError(() => binaryCrossEntropy(Matrix.fill(3, 1, () => 0.5), Matrix.zeros(1, 3), "sum"), "binaryCrossEntropy", ["3×1", "1×3"]);
    expect(() => bceWithLogits(Matrix.zeros(1, 1), Matrix.zeros(1, 1), "avg" as Reduction)).toThrow(
      'bceWithLogits: reduction must be "sum" or "mean", got "avg"',
    );
  });

  it("a network with a sigmoid output is refused with bceWithLogits, which takes logits", () => {
    const { X, Y } = xor();
    const net = Network.init([2, 3, 1], [tanh, sigmoid], new Rng(1));
    const message = "bceWithLogits takes logits, so the last activation must be identity, got sigmoid";
    expect(() => net.lossAndGrads(X, Y, bceWithLogits, "mean")).toThrow(`lossAndGrads: ${message}`);
    expect(() => net.evaluate(X, Y, bceWithLogits, "mean")).toThrow(`evaluate: ${message}`);
    expect(() => net.lossAndGradsPerSample(X, Y, bceWithLogits, "mean")).toThrow(`lossAndGradsPerSample: ${message}`);
    expect(() => train(net, X, Y, { epochs: 1, batchSize: 4, eta: 0.1, loss: bceWithLogits, reduction: "mean", seed: 0 })).toThrow(message);
  });
});

describe("why there is no ε clamp", () => {
  // The clamp this library leaves out: p = σ(z) clamped to [ε, 1 − ε] before the logs, and its
  // gradient by the chain rule, through the clamp's derivative (1 inside, 0 where it clamps).
  const eps = 1e-7;
  const clamp = (p: number) => Math.min(Math.max(p, eps), 1 - eps);
  const clampedLoss = (z: number, y: number) => {
    const p = clamp(sigmoidScalar(z));
    return -(y * Math.log(p) + (1 - y) * Math.log(1 - p));
  };
  const clampedGradient = (z: number, y: number) => {
    const s = sigmoidScalar(z);
    const p = clamp(s);
    const inside = s > eps && s < 1 - eps ? 1 : 0;
    return ((p - y) / (p * (1 - p))) * inside * s * (1 - s); // dE/dp · dp/ds · ds/dz
  };

  it("at a saturated wrong sample the clamped gradient is exactly 0, and so is its numerical gradient; bceWithLogits's is ±1", () => {
    for (const [z, y] of [[-40, 1], [40, 0], [-800, 1]]) {
      expect(Math.abs(clampedGradient(z, y))).toBe(0);
      const zm = Matrix.row([z]);
      const numeric = numericalGradient(zm, () => clampedLoss(zm.data[0], y));
      expect(Math.abs(numeric.data[0])).toBe(0); // the loss is flat there: a gradient check passes
      expect(clampedLoss(z, y)).toBeCloseTo(-Math.log(eps), 6); // and the loss is capped at 16.1
      const { dZ, loss } = bceWithLogits(zm, Matrix.row([y]), "sum");
      expect(Math.abs(dZ.data[0])).toBeCloseTo(1, 12);
      expect(loss).toBeCloseTo(Math.abs(z), 10);
    }
  });

  it("the sample that is most wrong is the one the clamp stops learning from; bceWithLogits moves it", () => {
    // one weight w, one input x = 1, target 1, starting badly wrong at z = −40
    for (const [name, grad] of [["clamp", (z: number) => clampedGradient(z, 1)], ["bceWithLogits", (z: number) => bceWithLogits(Matrix.row([z]), Matrix.row([1]), "sum").dZ.data[0]]] as const) {
      let w = -40;
      for (let s = 0; s < 100; s++) w -= 1 * grad(w);
      if (name === "clamp") expect(w).toBe(-40);
      else expect(w).toBeGreaterThan(0);
    }
  });
});
