import { describe, expect, it } from "vitest";
import { identity, relu, sigmoid, tanh } from "../src/nn/activations.js";
import { checkNetwork, difference, gradCheck, kinkSides, lossShifted, numericalGradient } from "../src/check/gradcheck.js";
import { mse } from "../src/nn/losses.js";
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
