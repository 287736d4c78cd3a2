import { describe, expect, it } from "vitest";
import { type Activation, activate, identity, relu, sigmoid, sigmoidScalar, softmax, tanh } from "../src/nn/activations.js";
import { Dense } from "../src/nn/dense.js";
import { ActivationLayer } from "../src/nn/layer.js";
import { gradCheck } from "../src/check/gradcheck.js";
import { Matrix } from "../src/core/matrix.js";
import { Rng } from "../src/core/rng.js";
import { randn } from "./helpers.js";

// The gradient check of an activation: E(Z) = ⟨f(Z), G⟩ for a fixed random G, whose gradient
// with respect to Z is backward(Z, f(Z), G).
function checkActivation(act: Activation, Z: Matrix, seed: number): number {
  const G = randn(Z.rows, Z.cols, seed);
  const analytic = act.backward(Z, act.f(Z), G);
  const [report] = gradCheck([{ name: "Z", value: Z }], () => act.f(Z).mul(G).total(), [analytic]);
  expect(report.checked).toBe(Z.rows * Z.cols);
  return report.relError;
}

// |z| ≥ 0.1: every entry is at least 0.1 away from ReLU's kink at 0, far more than the step h
function awayFromZero(r: number, c: number, seed: number): Matrix {
  const rng = new Rng(seed);
  return Matrix.fill(r, c, () => (rng.uniform() < 0.5 ? -1 : 1) * (0.1 + Math.abs(rng.normal())));
}

describe("gradient check of every activation's backward pass", () => {
  const shapes: [number, number][] = [
    [1, 1],
    [1, 4],
    [5, 3],
    [16, 6],
  ];
  it.each([sigmoid, tanh, identity, softmax])("$name", (act) => {
    shapes.forEach(([K, m], i) => expect(checkActivation(act, randn(K, m, i).scale(2), 100 + i)).toBeLessThan(1e-7));
  });

  it("relu, away from its kink", () => {
    shapes.forEach(([K, m], i) => expect(checkActivation(relu, awayFromZero(K, m, i), 100 + i)).toBeLessThan(1e-7));
  });

  it("detects a wrong derivative (the check can fail)", () => {
    const wrong: Activation = { ...sigmoid, backward: (_z, a, dA) => dA.mul(a) };
    expect(checkActivation(wrong, randn(4, 3, 1), 2)).toBeGreaterThan(0.1);
  });
});

describe("elementwise derivatives", () => {
  it.each([sigmoid, tanh, relu, identity])("$name: dfdz(z) = dfda(f(z)) and backward = dA ⊙ f′", (act) => {
    const Z = awayFromZero(6, 4, 3);
    const dA = randn(6, 4, 4);
    const fz = act.dfdz(Z);
    const fa = act.dfda(act.f(Z));
    if (fz === null || fa === null) throw new Error(`${act.name} should have elementwise derivatives`);
    expect(fz.allClose(fa, 1e-12, 1e-15)).toBe(true);
    expect(act.backward(Z, act.f(Z), dA).allClose(dA.mul(fz), 1e-12, 1e-15)).toBe(true);
  });

  it("softmax has no elementwise derivative", () => {
    const Z = randn(2, 3, 1);
    expect(softmax.dfdz(Z)).toBeNull();
    expect(softmax.dfda(softmax.f(Z))).toBeNull();
  });
});

describe("values", () => {
  it("sigmoid, tanh, relu, identity at known points", () => {
    const Z = Matrix.row([-2, 0, 3]);
    expect(sigmoid.f(Z).get(0, 1)).toBe(0.5);
    expect(sigmoid.f(Z).get(0, 2)).toBeCloseTo(1 / (1 + Math.exp(-3)), 15);
    expect(tanh.f(Z).get(0, 0)).toBe(Math.tanh(-2));
    expect(relu.f(Z).toRows()).toEqual([[0, 0, 3]]);
    expect(identity.f(Z).toRows()).toEqual(Z.toRows());
  });

  it("sigmoid does not overflow at ±1000", () => {
    expect(sigmoidScalar(-1000)).toBe(0);
    expect(sigmoidScalar(1000)).toBe(1);
    expect(sigmoid.f(Matrix.row([-1000, 1000])).toRows()).toEqual([[0, 1]]);
  });

  it("softmax: each row is a distribution, invariant to shifting the row, stable for huge logits", () => {
    const Z = randn(4, 5, 6);
    const P = softmax.f(Z);
    expect(P.sum(1).allClose(Matrix.ones(4, 1), 1e-15, 1e-15)).toBe(true);
    expect(softmax.f(Z.addScalar(700)).allClose(P, 1e-12, 1e-15)).toBe(true);
    expect(softmax.f(Matrix.row([1000, 1000, -1000])).toRows()).toEqual([[0.5, 0.5, 0]]);
  });
});

describe("an activation that writes into its input", () => {
  // f returns z itself after changing it in place: the cached Z and A would be one array
  const inPlace: Activation = {
    ...tanh,
    name: "tanhInPlace",
    f: (z) => {
      z.data.forEach((v, k) => (z.data[k] = Math.tanh(v)));
      return z;
    },
  };

  it("is refused by the layer that would cache it, naming the activation", () => {
    const layer = new Dense(randn(3, 2, 1), Matrix.zeros(1, 2), inPlace);
    expect(() => layer.forward(randn(4, 3, 2))).toThrow(/^tanhInPlace: f returned its input's own array/);
    expect(() => new ActivationLayer(inPlace).forward(randn(4, 2, 3))).toThrow(/^tanhInPlace: f returned/);
    expect(() => activate(tanh, randn(2, 2, 4))).not.toThrow();
  });
});
