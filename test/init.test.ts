// Initialisation (nn/init.ts): the symmetry that zeros and constant starts never break, found by
// symmetricUnits, and the variance of each random scheme against its formula.
import { describe, expect, it } from "vitest";
import { Matrix } from "../src/core/matrix.js";
import { Rng } from "../src/core/rng.js";
import { identity, sigmoid, tanh } from "../src/nn/activations.js";
import { xor } from "../src/nn/datasets.js";
import { Dense } from "../src/nn/dense.js";
import { type Init, constant, he, lecun, normal, xavier, zeros } from "../src/nn/init.js";
import { symmetricUnits } from "../src/check/symmetry.js";
import { ActivationLayer, type Layer, type LayerCache } from "../src/nn/layer.js";
import { mse } from "../src/nn/losses.js";
import { Network } from "../src/nn/network.js";
import { adam } from "../src/nn/optimizers.js";
import { train } from "../src/nn/train.js";

const all = (m: number) => [Array.from({ length: m }, (_, j) => j)];

describe("symmetricUnits", () => {
  it("zeros and constant(c) starts: every hidden layer is one group of all its units", () => {
    for (const init of [zeros, constant(0.5), constant(-2)]) {
      const net = Network.init([3, 4, 5, 2], [tanh, sigmoid, identity], new Rng(1), { init });
      expect(symmetricUnits(net, 1)).toEqual(all(4));
      expect(symmetricUnits(net, 2)).toEqual(all(5));
    }
  });

  it("lecun, xavier, he and normal(σ) starts: no two units alike", () => {
    for (const init of [lecun, xavier, he, normal(0.01)]) {
      const net = Network.init([3, 16, 8, 2], [tanh, tanh, identity], new Rng(2), { init });
      expect(symmetricUnits(net, 1)).toEqual([]);
      expect(symmetricUnits(net, 2)).toEqual([]);
    }
  });

  it("groups of two or more, each sorted, in order of first unit; every one of the three parts must agree", () => {
    // units 0 and 3 alike, 1 and 4 alike, 2 on its own
    const W1 = Matrix.fromRows([
      [1, 2, 3, 1, 2],
      [4, 5, 6, 4, 5],
    ]);
    const b1 = Matrix.row([0.1, 0.2, 0.3, 0.1, 0.2]);
    const W2 = Matrix.fromRows([[7], [8], [9], [7], [8]]);
    const net = () => new Network([new Dense(W1.clone(), b1.clone(), tanh), new Dense(W2.clone(), Matrix.zeros(1, 1), identity)]);
    expect(symmetricUnits(net(), 1)).toEqual([[0, 3], [1, 4]]);
    // change one number of unit 4 in each part in turn: only the pair 0, 3 is left
    for (const [name, k] of [["W1", 4], ["b1", 4], ["W2", 4]] as const) {
      const n = net();
      n.params().find((p) => p.name === name)!.value.data[k] += 1e-12;
      expect(symmetricUnits(n, 1)).toEqual([[0, 3]]);
    }
  });

  it("an activation layer between the two Dense layers is fine", () => {
    const net = new Network([
      new Dense(Matrix.fill(2, 3, () => 1), Matrix.zeros(1, 3), identity),
      new ActivationLayer(tanh),
      new Dense(Matrix.fill(3, 1, () => 1), Matrix.zeros(1, 1), identity),
    ]);
    expect(symmetricUnits(net, 1)).toEqual(all(3));
  });

  it("refuses l out of range, the last layer (it has no outgoing weights), a network without hidden layers, and other layers between", () => {
    const net = Network.init([2, 4, 3, 1], [tanh, tanh, identity], new Rng(3));
    for (const l of [0, 4, 1.5, NaN]) {
      expect(() => symmetricUnits(net, l)).toThrow(`symmetricUnits: l must be the number of a hidden Dense layer, 1..2 (W1..W2), got ${String(l)}`);
    }
    expect(() => symmetricUnits(net, 3)).toThrow(
      "symmetricUnits: W3 belongs to the last Dense layer, whose units are the network's outputs: it has no outgoing weights (no W4) to compare; ask for a hidden layer, 1..2",
    );
    expect(() => symmetricUnits(Network.init([2, 1], [identity], new Rng(3)), 1)).toThrow(
      "symmetricUnits: the network has one Dense layer, W1, whose units are its outputs: there is no hidden layer",
    );
    // a layer with a per-unit behaviour of its own (here: one that doubles its input)
    const doubler: Layer = {
      kind: "Doubler",
      params: () => [],
      forward: (X: Matrix): LayerCache => ({ X, A: X.scale(2) }),
      backward: (_cache: LayerCache, dA: Matrix) => ({ dX: dA.scale(2) }),
      clone: () => doubler,
    };
    const withDoubler = new Network([Dense.init(2, 3, tanh, new Rng(1)), doubler, Dense.init(3, 1, identity, new Rng(2))]);
    expect(() => symmetricUnits(withDoubler, 1)).toThrow("symmetricUnits: layer 2 (Doubler) sits between W1 and W2; only activation layers are handled there");
  });
});

describe("symmetric units stay symmetric under training", () => {
  const { X, Y } = xor();
  const opts = { epochs: 2000, batchSize: 1, eta: 0.5, loss: mse, reduction: "mean" as const, seed: 3 };

  it("xor from a constant start, plain SGD: all 4 hidden units stay exactly equal, and the loss plateaus above what one unit can do", () => {
    const net = Network.init([2, 4, 1], [tanh, sigmoid], new Rng(1), { init: constant(0.5) });
    const start = net.params().map((p) => p.value.clone());
    const { lossPerEpoch } = train(net, X, Y, opts);
    expect(symmetricUnits(net, 1)).toEqual(all(4));
    const W1 = net.params()[0].value;
    for (let j = 1; j < 4; j++) expect(Array.from(W1.getCol(j).data)).toEqual(Array.from(W1.getCol(0).data));
    expect(W1.maxAbsDiff(start[0])).toBeGreaterThan(0.1); // the weights did move, together
    // Four equal units are one unit, f(w·x + c) with f monotone; since the XOR points satisfy
    // x₀₁ + x₁₀ = x₀₀ + x₁₁, some 0-target point is not below some 1-target point, and those two
    // alone cost at least ½ in summed squares: E_mean ≥ ½ · ½ / 4 = 1/16.
    const late = lossPerEpoch.slice(1000);
    late.forEach((E) => expect(E).toBeGreaterThan(1 / 16));
    expect(late[0] - late[late.length - 1]).toBeLessThan(0.02);
    // the same run from a random start solves it
    const random = Network.init([2, 4, 1], [tanh, sigmoid], new Rng(1), { init: lecun });
    expect(train(random, X, Y, opts).lossPerEpoch[1999]).toBeLessThan(0.01);
  });

  it("a partly symmetric start keeps exactly its groups, under Adam too", () => {
    const W1 = Matrix.fromRows([
      [0.5, -0.3, 0.5, 0.2],
      [0.1, 0.4, 0.1, -0.6],
    ]);
    const W2 = Matrix.fromRows([[0.7], [-0.2], [0.7], [0.3]]);
    const net = new Network([new Dense(W1, Matrix.zeros(1, 4), tanh), new Dense(W2, Matrix.zeros(1, 1), sigmoid)]);
    expect(symmetricUnits(net, 1)).toEqual([[0, 2]]);
    train(net, X, Y, { epochs: 200, batchSize: 1, optimizer: adam({ eta: 0.05 }), loss: mse, reduction: "mean", seed: 3 });
    expect(symmetricUnits(net, 1)).toEqual([[0, 2]]);
    expect(W1.get(0, 0)).not.toBe(0.5); // trained, the pair together
    expect(W1.get(0, 0)).toBe(W1.get(0, 2));
  });
});

describe("the schemes' variance against their formulas", () => {
  // 200×300 = 60,000 entries: the sample variance of normal entries has a relative standard
  // deviation of √(2/60000) ≈ 0.006, so 3% is five of them; the mean is within 5σ/√60000.
  const [n, m] = [200, 300];
  const cases: [Init, number][] = [
    [lecun, 1 / n],
    [xavier, 2 / (n + m)],
    [he, 2 / n],
    [normal(0.05), 0.05 ** 2],
  ];
  for (const [init, variance] of cases) {
    it(`${init.name}: Var w = ${variance.toPrecision(3)}, mean 0`, () => {
      const W = init(n, m, new Rng(42));
      expect(W.shape).toBe(`${n}×${m}`);
      const mean = W.mean();
      const sampleVar = W.map((w) => (w - mean) ** 2).total() / (W.data.length - 1);
      expect(Math.abs(sampleVar / variance - 1)).toBeLessThan(0.03);
      expect(Math.abs(mean)).toBeLessThan((5 * Math.sqrt(variance)) / Math.sqrt(W.data.length));
    });
  }

  it("zeros and constant(c): variance 0, every entry the number", () => {
    expect(zeros(3, 4, new Rng(0)).maxAbs()).toBe(0);
    const C = constant(0.25)(3, 4, new Rng(0));
    expect(C.data.every((w) => w === 0.25)).toBe(true);
  });

  it("a seed replays a scheme; xavier and lecun differ when n ≠ m and agree in scale when n = m", () => {
    expect(xavier(5, 7, new Rng(1)).data).toEqual(xavier(5, 7, new Rng(1)).data);
    expect(xavier(6, 6, new Rng(1)).allClose(lecun(6, 6, new Rng(1)), 1e-15, 0)).toBe(true); // 2/(n + n) = 1/n
    expect(xavier(6, 9, new Rng(1)).allClose(lecun(6, 9, new Rng(1)), 0.01, 0)).toBe(false);
  });
});

describe("names and argument checks", () => {
  it("each scheme is named", () => {
    expect([zeros, constant(0.5), normal(0.01), lecun, xavier, he].map((init) => init.name)).toEqual([
      "zeros",
      "constant(0.5)",
      "normal(0.01)",
      "lecun",
      "xavier",
      "he",
    ]);
  });

  it("refuses bad sizes and parameters", () => {
    expect(() => lecun(0, 3, new Rng(0))).toThrow("init lecun: n must be a positive integer, got 0");
    expect(() => he(3, 2.5, new Rng(0))).toThrow("init he: m must be a positive integer, got 2.5");
    expect(() => constant(Infinity)).toThrow("constant: c must be a finite number, got Infinity");
    expect(() => normal(0)).toThrow("normal: sigma must be positive, got 0");
  });
});
