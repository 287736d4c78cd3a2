import { describe, expect, it } from "vitest";
import { identity, relu, sigmoid, tanh } from "../src/nn/activations.js";
import {
  checkNetwork,
  difference,
  differenceResolution,
  gradCheck,
  kinkSides,
  lossShifted,
  numericalGradient,
  termRatio,
} from "../src/check/gradcheck.js";
import { mse } from "../src/nn/losses.js";
import { broadcastRows, matmul } from "../src/core/linalg.js";
import { Matrix } from "../src/core/matrix.js";
import { gradList, Network } from "../src/nn/network.js";
import { Rng } from "../src/core/rng.js";
import { randn } from "./helpers.js";

// E(P) = Σ p³ has gradient 3p²
const cubeLoss = (P: Matrix) => () => P.map((p) => p ** 3).total();

describe("gradCheck", () => {
  it("passes a correct gradient and reports per array", () => {
    const P = randn(3, 4, 1);
    const [r] = gradCheck([{ name: "P", value: P }], cubeLoss(P), [P.map((p) => 3 * p * p)]);
    expect(r).toMatchObject({ name: "P", checked: 12, shape: "3×4" });
    expect(r.relError).toBeLessThan(1e-8);
  });

  it("fails a wrong gradient, even one entry off by 1%", () => {
    const P = randn(3, 4, 1);
    const wrong = P.map((p, i, j) => 3 * p * p * (i === 2 && j === 1 ? 1.01 : 1));
    const [r] = gradCheck([{ name: "P", value: P }], cubeLoss(P), [wrong]);
    expect(r.relError).toBeGreaterThan(1e-6); // far above the 1e-7 pass mark
  });

  it("restores every parameter bit for bit", () => {
    const net = Network.init([3, 4, 2], [tanh, sigmoid], new Rng(2));
    const before = net.params().map((p) => Array.from(p.value.data));
    checkNetwork(net, randn(5, 3, 3), randn(5, 2, 4), mse, "sum");
    net.params().forEach((p, i) => expect(Array.from(p.value.data)).toEqual(before[i]));
  });

  it("checks a seeded sample of maxEntries entries of a large array, the same sample for the same seed", () => {
    const P = randn(30, 30, 5);
    const analytic = P.map((p) => 3 * p * p);
    const run = (seed: number) => gradCheck([{ name: "P", value: P }], cubeLoss(P), [analytic], { maxEntries: 50, seed });
    expect(run(1)[0].checked).toBe(50);
    expect(run(1)).toEqual(run(1));
    // a sampled check still catches an error everywhere
    const [r] = gradCheck([{ name: "P", value: P }], cubeLoss(P), [analytic.scale(1.001)], { maxEntries: 10 });
    expect(r.relError).toBeGreaterThan(1e-4);
  });

  it("rejects bad arguments clearly", () => {
    const P = randn(2, 2, 1);
    const params = [{ name: "P", value: P }];
    expect(() => gradCheck(params, cubeLoss(P), [])).toThrow("gradCheck: 1 parameter arrays but 0 analytic gradients");
    expect(() => gradCheck(params, cubeLoss(P), [P], { h: 0 })).toThrow("gradCheck: h must be a positive finite number, got 0");
    expect(() => gradCheck(params, cubeLoss(P), [P], { maxEntries: 0 })).toThrow(/maxEntries/);
    expect(() => gradCheck(params, () => NaN, [P])).toThrow("gradCheck: the value of lossAt() must be a finite number, got NaN");
  });
});

describe("numericalGradient", () => {
  it("equals the analytic gradient of a quadratic and leaves the parameter as it was", () => {
    const A = Matrix.fromRows([[1, -2], [0.5, 3]]);
    const before = Array.from(A.data);
    const g = numericalGradient(A, () => 0.5 * A.mul(A).total() + A.total());
    expect(g.allClose(A.addScalar(1), 1e-8, 1e-8)).toBe(true);
    expect(Array.from(A.data)).toEqual(before);
    expect(() => numericalGradient(A, () => 0, 0)).toThrow("numericalGradient: h must be a positive finite number, got 0");
  });
});

describe("kinks", () => {
  // One ReLU unit whose pre-activation for sample 0 sits 1e-7 above its kink: a perturbation of
  // h = 1e-5 of the bias crosses it.
  function nearKink() {
    const net = Network.init([2, 3, 1], [relu, identity], new Rng(4));
    const X = Matrix.fromRows([[0.5, -1], [1, 2], [-0.3, 0.8]]);
    const Y = Matrix.fromRows([[1], [0], [2]]);
    const z0 = net.forward(X).caches[0].Z.get(0, 0);
    net.layers[0].b.set(0, 0, net.layers[0].b.get(0, 0) - z0 + 1e-7);
    return { net, X, Y };
  }

  it("a correct ReLU gradient fails a plain check when an entry straddles the kink", () => {
    const { net, X, Y } = nearKink();
    const { grads } = net.lossAndGrads(X, Y, mse, "sum");
    const plain = gradCheck(net.params(), () => net.evaluate(X, Y, mse, "sum"), gradList(grads));
    expect(Math.max(...plain.map((r) => r.relError))).toBeGreaterThan(1e-4);
  });

  it("checkNetwork reports the crossing as a kink, not as an error", () => {
    const { net, X, Y } = nearKink();
    const reports = checkNetwork(net, X, Y, mse, "sum");
    expect(reports.reduce((n, r) => n + r.kinked, 0)).toBeGreaterThan(0);
    reports.forEach((r) => expect(r.relError, r.name).toBeLessThan(1e-7));
    // far from the kink nothing is left out
    const far = checkNetwork(Network.init([2, 3, 1], [relu, identity], new Rng(4)), X, Y, mse, "sum");
    expect(far.reduce((n, r) => n + r.kinked, 0)).toBe(0);
  });

  it("smooth networks have no kink side to report", () => {
    const net = Network.init([2, 3, 1], [tanh, identity], new Rng(4));
    expect(kinkSides(net, Matrix.fromRows([[1, 2]]))).toBe("");
  });
});

describe("difference", () => {
  // E(p) = Σ p³: ∂E/∂p_k = 3p_k², E'' = 6p_k, E''' = 6
  const P = Matrix.fromRows([[0.7, -1.3]]);
  const E = cubeLoss(P);
  const exact = 3 * 0.7 ** 2;

  it("central: error h² E'''/6 = h², forward: about h E''/2 = 2.1 h", () => {
    for (const h of [1e-2, 1e-3]) {
      expect(Math.abs(difference(P, 0, h, E) - exact)).toBeCloseTo(h * h, 8);
      expect(Math.abs(difference(P, 0, h, E, { scheme: "forward" }) - exact) / h).toBeCloseTo(2.1, 1);
    }
    expect(Array.from(P.data)).toEqual([0.7, -1.3]);
  });

  it("float32 rounding makes a small h useless and leaves a large one fine", () => {
    const f64 = Math.abs(difference(P, 0, 1e-6, E) - exact);
    const f32 = Math.abs(difference(P, 0, 1e-6, E, { float32: true }) - exact);
    expect(f64).toBeLessThan(1e-8);
    expect(f32).toBeGreaterThan(Math.max(1e-5, 1000 * f64));
    expect(Math.abs(difference(P, 0, 1e-2, E, { float32: true }) - exact)).toBeLessThan(1e-3);
  });

  it("lossShifted restores the entry; bad arguments are named", () => {
    expect(lossShifted(P, 1, 0.3, E)).toBeCloseTo(0.7 ** 3 + (-1) ** 3, 12);
    expect(Array.from(P.data)).toEqual([0.7, -1.3]);
    expect(() => difference(P, 2, 1e-3, E)).toThrow("difference: entry 2 is outside 1×2");
    expect(() => difference(P, 0, -1, E)).toThrow("difference: h must be a positive finite number, got -1");
  });
});

// The relative error as gradCheck has always computed it, from numericalGradient's differences:
// max |a − n| / max(1e-8, max (|a| + |n|)).
function oldRelError(a: Matrix, n: Matrix): number {
  const mag = Math.max(...Array.from(a.data, (v, i) => Math.abs(v) + Math.abs(n.data[i])));
  return a.maxAbsDiff(n) / Math.max(1e-8, mag);
}

describe("resolution: a gradient that is exactly zero", () => {
  // Batch norm's centring: Z = X·W + 1·b (K×m), C = Z − 1·mean(Z), E = mse(tanh(C), T). Every
  // b_j shifts a whole column of Z and its mean alike, so ∂E/∂b = 0 exactly; the finite
  // difference is left with the rounding of E.
  const K = 6;
  const X = randn(K, 3, 3);
  const W = randn(3, 4, 103);
  const b = randn(1, 4, 203);
  const T = randn(K, 4, 303);
  const lossAt = () => {
    const Z = matmul(X, W).add(broadcastRows(b, K));
    const C = Z.sub(broadcastRows(Z.sum(0).scale(1 / K), K));
    return mse(C.map(Math.tanh), T, "mean").loss;
  };
  const zero = Matrix.zeros(1, 4);

  it("reads as right: relError 0, marked below the resolution", () => {
    const noise = numericalGradient(b, lossAt);
    expect(noise.maxAbs()).toBeGreaterThan(0); // rounding level, not 0: the case that failed
    expect(oldRelError(zero, noise)).toBeGreaterThan(1e-3); // the old score, 2.2e-3
    const [r] = gradCheck([{ name: "b", value: b }], lossAt, [zero]);
    expect(r).toMatchObject({ relError: 0, belowResolution: true, absError: noise.maxAbs() });
    expect(r.resolution).toBeGreaterThan(noise.maxAbs());
    expect(r.resolution / differenceResolution(lossAt(), 1e-5)).toBeCloseTo(1, 12); // E± ≈ E: ∂E/∂b = 0
  });

  it("still fails a small wrong gradient where the right one is zero", () => {
    const [r] = gradCheck([{ name: "b", value: b }], lossAt, [zero.map((_, i, j) => (j === 2 ? 1e-6 : 0))]);
    expect(r.belowResolution).toBe(false);
    expect(r.relError).toBeGreaterThan(0.5);
  });

  it("leaves the relError of every other check as the old formula gives it, bit for bit", () => {
    const P = randn(3, 4, 1);
    const right = P.map((p) => 3 * p * p);
    const wrong = right.map((g, i, j) => g * (i === 2 && j === 1 ? 1.01 : 1));
    const n = numericalGradient(P, cubeLoss(P));
    for (const a of [right, wrong]) {
      const [r] = gradCheck([{ name: "P", value: P }], cubeLoss(P), [a]);
      expect(r.relError).toBe(oldRelError(a, n));
      expect(r.absError).toBe(a.maxAbsDiff(n));
      expect(r.belowResolution).toBe(false);
    }
  });

  it("differenceResolution is 64 ε |E| / h, and refuses a bad h", () => {
    expect(differenceResolution(2, 1e-5)).toBe((64 * 2 ** -52 * 2) / 1e-5);
    expect(differenceResolution(-2, 1e-5)).toBe(differenceResolution(2, 1e-5));
    expect(differenceResolution(2)).toBe(differenceResolution(2, 1e-5));
    expect(() => differenceResolution(1, 0)).toThrow("differenceResolution: h must be a positive finite number, got 0");
    expect(() => differenceResolution(NaN, 1e-5)).toThrow(/differenceResolution: E/);
  });
});

describe("termRatio: a small wrong term", () => {
  // A tiny network with an L2 penalty written out: E = mse (mean) + (λ/2N) Σ_W ‖W‖², whose
  // gradient adds +λW/N to every weight gradient; the slip writes −λW/N.
  const lambda = 1e-4;
  const N = 4;
  const net = Network.init([3, 4, 2], [tanh, identity], new Rng(4));
  const X = randn(N, 3, 14);
  const Y = randn(N, 2, 24);
  const params = net.params();
  const weights = params.filter((p) => p.kind === "weight");
  const penalty = () => (lambda / (2 * N)) * weights.reduce((s, p) => s + p.value.mul(p.value).total(), 0);
  const lossAt = () => net.evaluate(X, Y, mse, "mean") + penalty();
  const { grads } = net.lossAndGrads(X, Y, mse, "mean");
  const withTerm = (sign: 1 | -1) =>
    params.map((p) => (p.kind === "weight" ? grads[p.name].add(p.value.scale((sign * lambda) / N)) : grads[p.name]));
  const right = gradCheck(params, lossAt, withTerm(1));
  const wrong = gradCheck(params, lossAt, withTerm(-1));

  it("a sign slip in the penalty scores in the look-closer band, and termRatio ≈ 2 names it", () => {
    params.forEach((p, i) => {
      if (p.kind !== "weight") return;
      const term = (lambda * p.value.maxAbs()) / N; // the size of the term, λ max|W| / N
      expect(wrong[i].relError, p.name).toBeGreaterThan(1e-5);
      expect(wrong[i].relError, p.name).toBeLessThan(1e-3);
      expect(termRatio(wrong[i], term), p.name).toBeGreaterThan(1);
      expect(termRatio(wrong[i], term), p.name).toBeLessThan(3);
      expect(right[i].relError, p.name).toBeLessThan(1e-7);
      expect(termRatio(right[i], term), p.name).toBeLessThan(1e-3);
    });
  });

  it("termRatio is absError / scale and refuses a scale that is not positive", () => {
    expect(termRatio(wrong[0], 1e-3)).toBe(wrong[0].absError / 1e-3);
    expect(() => termRatio(wrong[0], 0)).toThrow("termRatio: scale must be a positive finite number, got 0");
  });
});
