// The optimizers with state (nn/optimizers.ts): each rule's first steps against its formula worked
// by hand on a tiny quadratic, Nesterov's two forms against each other, decoupled weight decay
// against the L2 penalty, state kept per parameter array, and the optimizers inside train().
import { describe, expect, it } from "vitest";
import { NonFiniteError } from "../src/core/errors.js";
import { Matrix } from "../src/core/matrix.js";
import { Rng } from "../src/core/rng.js";
import { identity, tanh } from "../src/nn/activations.js";
import { blobs, xor } from "../src/nn/datasets.js";
import type { Param } from "../src/nn/layer.js";
import { bceWithLogits, mse, softmaxCrossEntropy } from "../src/nn/losses.js";
import { Network } from "../src/nn/network.js";
import { type Grads, type Optimizer, adam, momentum, nesterov, sgd } from "../src/nn/optimizers.js";
import { l2 } from "../src/nn/penalties.js";
import { train, trainTraced } from "../src/nn/train.js";
import { relDiff } from "./helpers.js";

// E(w) = ½ Σ_i a_i (w_i − c_i)² on one 1×2 weight array W, so ∂E/∂w_i = a_i (w_i − c_i).
const a = [2, 0.5];
const c = [0.5, 1];
const gradOf = (w: readonly number[]): number[] => w.map((wi, i) => a[i] * (wi - c[i]));

function quadratic(w0: readonly number[], kind: Param["kind"] = "weight") {
  const param: Param = { name: "W", value: Matrix.row([...w0]), kind };
  const calls: number[][] = []; // where gradient() was asked for
  const gradient = (): Grads => {
    calls.push(Array.from(param.value.data));
    return { W: Matrix.row(gradOf(Array.from(param.value.data))) };
  };
  const run = (opt: Optimizer, steps: number): number[][] => {
    const path: number[][] = [];
    for (let s = 0; s < steps; s++) {
      opt.step([param], gradient);
      path.push(Array.from(param.value.data));
    }
    return path;
  };
  return { param, gradient, calls, run };
}

const w0 = [1, -2];
const eta = 0.1;
const mu = 0.9;

// |x − y| ≤ tol·max(|x|, |y|), entry by entry
function expectRelClose(xs: readonly number[], ys: readonly number[], tol: number): void {
  expect(xs.length).toBe(ys.length);
  xs.forEach((x, i) => expect(Math.abs(x - ys[i])).toBeLessThanOrEqual(tol * Math.max(Math.abs(x), Math.abs(ys[i]))));
}

// a small network and data set, and copies of it
function smallNet(seed = 7) {
  const rng = new Rng(seed);
  const data = blobs(10, 3, rng);
  const net = Network.init([2, 5, 3], [tanh, identity], rng);
  return { net, X: data.X, Y: data.Y };
}

const paramsRelDiff = (p: Network, q: Network): number =>
  Math.max(...p.params().map((x, i) => relDiff(x.value, q.params()[i].value)));

describe("first steps against the formulas, by hand", () => {
  it("sgd: w ← w − η·g, exactly", () => {
    const { run } = quadratic(w0);
    let w = [...w0];
    const expected = [1, 2, 3].map(() => (w = w.map((wi, i) => wi - gradOf(w)[i] * eta)));
    expect(run(sgd({ eta }), 3)).toEqual(expected);
  });

  it("sgd with weight decay: w ← w − η·g − (η·λ_wd)·w, exactly", () => {
    const wd = 0.3;
    const { run } = quadratic(w0);
    let w = [...w0];
    const expected = [1, 2, 3].map(() => (w = w.map((wi, i) => wi - gradOf(w)[i] * eta - wi * (eta * wd))));
    expect(run(sgd({ eta, weightDecay: wd }), 3)).toEqual(expected);
  });

  it("weight decay leaves a bias (kind \"bias\") alone", () => {
    const plain = quadratic(w0, "bias").run(sgd({ eta }), 3);
    expect(quadratic(w0, "bias").run(sgd({ eta, weightDecay: 0.3 }), 3)).toEqual(plain);
    expect(quadratic(w0, "bias").run(adam({ eta, weightDecay: 0.3 }), 3)).toEqual(quadratic(w0, "bias").run(adam({ eta }), 3));
  });

  it("momentum: v ← μv − ηg, w ← w + v, exactly; μ = 0 is sgd", () => {
    const { run } = quadratic(w0);
    let [w, v] = [[...w0], [0, 0]];
    const expected = [1, 2, 3].map(() => {
      const g = gradOf(w);
      v = v.map((vi, i) => vi * mu - g[i] * eta);
      return (w = w.map((wi, i) => wi + v[i]));
    });
    expect(run(momentum({ eta, mu }), 3)).toEqual(expected);
    expect(quadratic(w0).run(momentum({ eta, mu: 0 }), 5)).toEqual(quadratic(w0).run(sgd({ eta }), 5));
  });

  it("momentum with weight decay: w ← w + v − (η·λ_wd)·w, the velocity without the decay", () => {
    const wd = 0.3;
    const { run } = quadratic(w0);
    let [w, v] = [[...w0], [0, 0]];
    const expected = [1, 2, 3].map(() => {
      const g = gradOf(w);
      v = v.map((vi, i) => vi * mu - g[i] * eta);
      return (w = w.map((wi, i) => wi + v[i] - wi * (eta * wd)));
    });
    expect(run(momentum({ eta, mu, weightDecay: wd }), 3)).toEqual(expected);
  });

  it("nesterov, look-ahead form: g = ∇E(w + μv), v ← μv − ηg, w ← w + v, one gradient() per step, at w + μv", () => {
    const { run, calls } = quadratic(w0);
    let [w, v] = [[...w0], [0, 0]];
    const at: number[][] = [];
    const expected = [1, 2, 3].map(() => {
      const ahead = w.map((wi, i) => wi + v[i] * mu);
      at.push(ahead);
      const g = gradOf(ahead);
      v = v.map((vi, i) => vi * mu - g[i] * eta);
      return (w = w.map((wi, i) => wi + v[i]));
    });
    expect(run(nesterov({ eta, mu }), 3)).toEqual(expected);
    expect(calls).toEqual(at);
  });

  it("nesterov, reparameterised form: g = ∇E(w), v ← μv − ηg, w ← w + μv − ηg, gradient() at the stored w", () => {
    const { run, calls } = quadratic(w0);
    let [w, v] = [[...w0], [0, 0]];
    const at: number[][] = [];
    const expected = [1, 2, 3].map(() => {
      at.push(w);
      const step = gradOf(w).map((gi) => gi * eta);
      v = v.map((vi, i) => vi * mu - step[i]);
      return (w = w.map((wi, i) => wi + v[i] * mu - step[i]));
    });
    expect(run(nesterov({ eta, mu, form: "reparameterised" }), 3)).toEqual(expected);
    expect(calls).toEqual(at);
    // Bengio et al.'s eq. 7 as printed, w + μ²v_old − (1 + μ)ηg, to rounding
    let [w2, v2] = [[...w0], [0, 0]];
    const printed = [1, 2, 3].map(() => {
      const g = gradOf(w2);
      w2 = w2.map((wi, i) => wi + mu * mu * v2[i] - (1 + mu) * eta * g[i]);
      v2 = v2.map((vi, i) => mu * vi - eta * g[i]);
      return w2;
    });
    expected.forEach((e, s) => expectRelClose(e, printed[s], 1e-15));
  });

  it("adam: Algorithm 1 of Kingma and Ba with bias correction, exactly in the code's order, to 1e-15 as printed", () => {
    const [b1, b2, eps] = [0.8, 0.99, 1e-8];
    const { run } = quadratic(w0);
    let [w, m, v] = [[...w0], [0, 0], [0, 0]];
    const sameOrder = [1, 2, 3].map((t) => {
      const g = gradOf(w);
      m = m.map((mi, i) => mi * b1 + g[i] * (1 - b1));
      v = v.map((vi, i) => vi * b2 + g[i] * g[i] * (1 - b2));
      const mHat = m.map((mi) => mi * (1 / (1 - b1 ** t)));
      const vHat = v.map((vi) => vi * (1 / (1 - b2 ** t)));
      return (w = w.map((wi, i) => wi - (mHat[i] / (Math.sqrt(vHat[i]) + eps)) * eta));
    });
    const got = run(adam({ eta, beta1: b1, beta2: b2, eps }), 3);
    expect(got).toEqual(sameOrder);
    // the algorithm as printed: m̂ = m / (1 − β₁ᵗ), θ ← θ − α·m̂ / (√v̂ + ε)
    let [x, mm, vv] = [[...w0], [0, 0], [0, 0]];
    const printed = [1, 2, 3].map((t) => {
      const g = gradOf(x);
      mm = mm.map((mi, i) => b1 * mi + (1 - b1) * g[i]);
      vv = vv.map((vi, i) => b2 * vi + (1 - b2) * g[i] ** 2);
      return (x = x.map((xi, i) => xi - (eta * (mm[i] / (1 - b1 ** t))) / (Math.sqrt(vv[i] / (1 - b2 ** t)) + eps)));
    });
    got.forEach((g, s) => expectRelClose(g, printed[s], 1e-15));
    // the first step moves every entry by about η against its gradient's sign, whatever its size
    const first = quadratic(w0).run(adam({ eta }), 1)[0];
    first.forEach((wi, i) => expect(wi - w0[i]).toBeCloseTo(-eta * Math.sign(gradOf(w0)[i]), 7));
  });

  it("adam with weight decay (AdamW): the Adam step, then minus (η·λ_wd)·w, exactly", () => {
    const wd = 0.3;
    const { run } = quadratic(w0);
    let [w, m, v] = [[...w0], [0, 0], [0, 0]];
    const expected = [1, 2, 3].map((t) => {
      const g = gradOf(w);
      m = m.map((mi, i) => mi * 0.9 + g[i] * (1 - 0.9));
      v = v.map((vi, i) => vi * 0.999 + g[i] * g[i] * (1 - 0.999));
      const mHat = m.map((mi) => mi * (1 / (1 - 0.9 ** t)));
      const vHat = v.map((vi) => vi * (1 / (1 - 0.999 ** t)));
      return (w = w.map((wi, i) => wi - (mHat[i] / (Math.sqrt(vHat[i]) + 1e-8)) * eta - wi * (eta * wd)));
    });
    expect(run(adam({ eta, weightDecay: wd }), 3)).toEqual(expected);
  });
});

describe("Nesterov's two forms give the same iterates", () => {
  it("the reparameterised run's w equals the look-ahead run's w + μv after each of 300 steps, on a small network", () => {
    const { X, Y } = xor();
    const lookNet = Network.init([2, 3, 1], [tanh, identity], new Rng(3));
    const reNet = lookNet.clone();
    const look = nesterov({ eta: 0.05, mu: 0.9 });
    const re = nesterov({ eta: 0.05, mu: 0.9, form: "reparameterised" });
    const gradOfNet = (net: Network) => () => net.lossAndGrads(X, Y, mse, "mean").grads;
    let worst = 0;
    for (let s = 0; s < 300; s++) {
      const before = lookNet.params().map((p) => p.value.clone());
      look.step(lookNet.params(), gradOfNet(lookNet));
      re.step(reNet.params(), gradOfNet(reNet));
      // v after the step is w_new − w_old in the look-ahead form
      lookNet.params().forEach((p, i) => {
        const ahead = p.value.add(p.value.sub(before[i]).scale(0.9));
        worst = Math.max(worst, relDiff(ahead, reNet.params()[i].value));
      });
    }
    expect(worst).toBeLessThan(1e-13);
    expect(worst).toBeGreaterThan(0); // equal to rounding, not digit for digit
    // and both learned: the look-ahead point and the stored weights have left the start
    expect(reNet.evaluate(X, Y, mse, "mean")).toBeLessThan(0.05);
  });

  it("the two forms differ from classical momentum, whose gradient is taken at w", () => {
    const viaMomentum = quadratic(w0).run(momentum({ eta, mu }), 3);
    const viaNesterov = quadratic(w0).run(nesterov({ eta, mu }), 3);
    expect(viaNesterov[0]).toEqual(viaMomentum[0]); // v = 0 at the first step: the same point
    expect(viaNesterov[1]).not.toEqual(viaMomentum[1]);
  });
});

describe("decoupled weight decay against the L2 penalty", () => {
  const lambda = 0.5;
  const N = 30;

  it("plain SGD: weightDecay λ/N gives the iterates of l2(λ, N), to rounding", () => {
    const { net, X, Y } = smallNet();
    const other = net.clone();
    const opts = { epochs: 20, batchSize: 7, loss: softmaxCrossEntropy, reduction: "mean" as const, seed: 1 };
    train(net, X, Y, { ...opts, optimizer: sgd({ eta: 0.2, weightDecay: lambda / N }) });
    train(other, X, Y, { ...opts, eta: 0.2, penalty: l2(lambda, N) });
    const diff = paramsRelDiff(net, other);
    expect(diff).toBeLessThan(1e-13);
    expect(paramsRelDiff(net, smallNet().net)).toBeGreaterThan(0.1); // they did train
  });

  it("momentum: the first step is the same, the second differs by exactly μ·η·λ_wd·w₀ (the decay the velocity carries)", () => {
    const wd = 0.3;
    const decoupled = quadratic(w0).run(momentum({ eta, mu, weightDecay: wd }), 3);
    // the L2 form: the penalty's gradient λ_wd·w added to the loss's, inside the velocity
    const p: Param = { name: "W", value: Matrix.row([...w0]), kind: "weight" };
    const penalty = l2(wd, 1);
    const opt = momentum({ eta, mu });
    const coupled = [1, 2, 3].map(() => {
      opt.step([p], () => ({ W: Matrix.row(gradOf(Array.from(p.value.data))).add(penalty.grad(p) as Matrix) }));
      return Array.from(p.value.data);
    });
    expectRelClose(coupled[0], decoupled[0], 1e-15);
    const diff2 = coupled[1].map((x, i) => x - decoupled[1][i]);
    expectRelClose(diff2, w0.map((w) => -mu * eta * wd * w), 1e-12);
    const diff3 = coupled[2].map((x, i) => Math.abs(x - decoupled[2][i]));
    diff3.forEach((d, i) => expect(d).toBeGreaterThan(Math.abs(diff2[i]))); // and it keeps growing
  });

  it("adam: the penalty is divided by √v̂ with the gradient, so on the first step L2 does nearly nothing, decay takes η·λ_wd·w", () => {
    const wd = 0.3;
    const plain = quadratic(w0).run(adam({ eta }), 1)[0];
    const decoupled = quadratic(w0).run(adam({ eta, weightDecay: wd }), 1)[0];
    const p: Param = { name: "W", value: Matrix.row([...w0]), kind: "weight" };
    const penalty = l2(wd, 1);
    adam({ eta }).step([p], () => ({ W: Matrix.row(gradOf(w0)).add(penalty.grad(p) as Matrix) }));
    const coupled = Array.from(p.value.data);
    // g and g + λw have the same signs here, and the first Adam step is η·sign: the L2 term vanishes
    expectRelClose(coupled, plain, 1e-8);
    expectRelClose(decoupled.map((x, i) => x - plain[i]), w0.map((w) => -eta * wd * w), 1e-12);
  });

  it("adam over 30 steps on a network: AdamW and Adam + L2 part by far more than rounding", () => {
    const { net, X, Y } = smallNet();
    const other = net.clone();
    const opts = { epochs: 10, batchSize: 10, loss: softmaxCrossEntropy, reduction: "mean" as const, seed: 1 };
    train(net, X, Y, { ...opts, optimizer: adam({ eta: 0.01, weightDecay: lambda / N }) });
    train(other, X, Y, { ...opts, optimizer: adam({ eta: 0.01 }), penalty: l2(lambda, N) });
    const diff = paramsRelDiff(net, other);
    expect(diff).toBeGreaterThan(5e-3); // about 0.012
    expect(diff).toBeLessThan(5e-2);
  });
});

describe("state is kept per parameter array", () => {
  const stepBy = (opt: Optimizer, net: Network, X: Matrix, Y: Matrix) =>
    opt.step(net.params(), () => net.lossAndGrads(X, Y, softmaxCrossEntropy, "mean").grads);

  for (const make of [() => momentum({ eta: 0.1, mu: 0.9 }), () => nesterov({ eta: 0.1, mu: 0.9 }), () => adam({ eta: 0.01 })]) {
    it(`${make().name}: one optimizer stepping two networks in turn moves each as its own optimizer would`, () => {
      const { net: p, X, Y } = smallNet(1);
      const q = smallNet(2).net;
      const [p2, q2] = [p.clone(), q.clone()];
      const shared = make();
      const [own1, own2] = [make(), make()];
      for (let s = 0; s < 5; s++) {
        stepBy(shared, p, X, Y);
        stepBy(shared, q, X, Y);
        stepBy(own1, p2, X, Y);
        stepBy(own2, q2, X, Y);
      }
      expect(paramsRelDiff(p, p2)).toBe(0);
      expect(paramsRelDiff(q, q2)).toBe(0);
    });

    it(`${make().name}: a clone starts with zero velocity (fresh state)`, () => {
      const { net, X, Y } = smallNet(1);
      const opt = make();
      for (let s = 0; s < 3; s++) stepBy(opt, net, X, Y);
      const [clone, reference] = [net.clone(), net.clone()];
      stepBy(opt, clone, X, Y); // the clone's arrays are new matrices: no state yet
      stepBy(make(), reference, X, Y); // a fresh optimizer's first step
      expect(paramsRelDiff(clone, reference)).toBe(0);
      stepBy(opt, net, X, Y); // the original keeps its own
      expect(paramsRelDiff(net, clone)).toBeGreaterThan(1e-6);
    });
  }
});

describe("optimizers in train()", () => {
  const cases: Optimizer[] = [
    sgd({ eta: 0.5 }),
    momentum({ eta: 0.1, mu: 0.9 }),
    nesterov({ eta: 0.1, mu: 0.9 }),
    nesterov({ eta: 0.1, mu: 0.9, form: "reparameterised" }),
    adam({ eta: 0.02 }),
    adam({ eta: 0.02, weightDecay: 1e-3 }),
  ];
  for (const optimizer of cases) {
    it(`${optimizer.name}: the loss on blobs falls to under a quarter of its start`, () => {
      const { net, X, Y } = smallNet();
      const start = net.evaluate(X, Y, softmaxCrossEntropy, "mean", { mode: "eval" });
      const { lossPerEpoch } = train(net, X, Y, { epochs: 30, batchSize: 10, optimizer, loss: softmaxCrossEntropy, reduction: "mean", seed: 5 });
      expect(lossPerEpoch).toHaveLength(30);
      expect(lossPerEpoch[29]).toBeLessThan(start / 4);
    });
  }

  it("adam learns xor with a logit loss", () => {
    const { X, Y } = xor();
    const net = Network.init([2, 4, 1], [tanh, identity], new Rng(11));
    const { lossPerEpoch } = train(net, X, Y, { epochs: 300, batchSize: 4, optimizer: adam({ eta: 0.05 }), loss: bceWithLogits, reduction: "mean", seed: 0 });
    expect(lossPerEpoch[0]).toBeGreaterThan(0.5);
    expect(lossPerEpoch[299]).toBeLessThan(0.05);
  });

  it("train and trainTraced refuse both eta and an optimizer, and neither", () => {
    const { net, X, Y } = smallNet();
    const base = { epochs: 1, batchSize: 10, loss: softmaxCrossEntropy, reduction: "mean" as const, seed: 0 };
    expect(() => train(net, X, Y, { ...base, eta: 0.1, optimizer: sgd({ eta: 0.1 }) })).toThrow(
      "train: give either eta (plain SGD) or an optimizer, not both",
    );
    expect(() => train(net, X, Y, base)).toThrow("train: give either eta (plain SGD) or an optimizer, not neither");
    expect(() => trainTraced(net, X, Y, { ...base, eta: 0.1, optimizer: adam({ eta: 0.1 }) })).toThrow("trainTraced: give either eta");
  });
});

describe("a step that would make a parameter non-finite", () => {
  // W (1×2, a weight) and b (1×2, a bias); b's gradient overflows the step, W's does not
  function twoArrays() {
    const params: Param[] = [
      { name: "W", value: Matrix.row([1, 2]), kind: "weight" },
      { name: "b", value: Matrix.row([3, 4]), kind: "bias" },
    ];
    const sane = (): Grads => ({ W: Matrix.row([1, -1]), b: Matrix.row([0.5, 0.25]) });
    const huge = (): Grads => ({ W: Matrix.row([1, -1]), b: Matrix.row([1e300, 0.25]) });
    return { params, sane, huge };
  }
  const snapshot = (ps: Param[]) => ps.map((p) => Array.from(p.value.data));

  for (const make of [
    () => sgd({ eta: 1e10 }),
    () => momentum({ eta: 1e10, mu: 0.9 }),
    () => nesterov({ eta: 1e10, mu: 0.9 }),
    () => nesterov({ eta: 1e10, mu: 0.9, form: "reparameterised" }),
    () => adam({ eta: 0.1 }), // g⊙g overflows
  ]) {
    it(`${make().name}: throws a NonFiniteError naming b, changes no array and no state`, () => {
      const { params, sane, huge } = twoArrays();
      const opt = make();
      const before = snapshot(params);
      let thrown: unknown;
      try {
        opt.step(params, huge);
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(NonFiniteError);
      expect((thrown as Error).message).toMatch(/: b would become non-finite; is eta = .* too large\?/);
      expect(snapshot(params)).toEqual(before);
      // the state did not move either: the next step is a first step
      const fresh = twoArrays();
      const reference = make();
      const saneSmall = (): Grads => ({ W: sane().W.scale(1e-12), b: sane().b.scale(1e-12) });
      opt.step(params, saneSmall);
      reference.step(fresh.params, saneSmall);
      expect(snapshot(params)).toEqual(snapshot(fresh.params));
    });
  }

  it("nesterov's look-ahead form puts the arrays back when gradient() throws", () => {
    const { params, sane } = twoArrays();
    const opt = nesterov({ eta: 0.1, mu: 0.9 });
    opt.step(params, sane); // now v ≠ 0, so the look-ahead point is elsewhere
    const before = snapshot(params);
    let seen: number[][] = [];
    expect(() =>
      opt.step(params, () => {
        seen = snapshot(params);
        throw new Error("no gradient today");
      }),
    ).toThrow("no gradient today");
    expect(seen).not.toEqual(before); // it was at w + μv
    expect(snapshot(params)).toEqual(before);
  });

  it("a missing or misshapen gradient is refused by name", () => {
    const { params } = twoArrays();
    expect(() => sgd({ eta: 0.1 }).step(params, () => ({ W: Matrix.row([1, 1]) }))).toThrow("sgd: expected gradients for 2 parameter arrays (W, b), got 1 (W)");
    expect(() => adam({ eta: 0.1 }).step(params, () => ({ W: Matrix.row([1, 1]), b: Matrix.row([1, 1, 1]) }))).toThrow(
      "adam: 1×2 vs 1×3 (the gradient for b must have its shape)",
    );
  });
});

describe("arguments and names", () => {
  it("refuses bad hyperparameters with a clear error", () => {
    expect(() => sgd({ eta: 0 })).toThrow("sgd: the learning rate eta (η) must be a positive finite number, got 0");
    expect(() => momentum({ eta: -1, mu: 0.9 })).toThrow("momentum: the learning rate eta (η) must be a positive finite number, got -1");
    expect(() => momentum({ eta: 0.1, mu: 1 })).toThrow("momentum: mu (μ) must be a number in [0, 1), got 1");
    expect(() => momentum({ eta: 0.1, mu: -0.1 })).toThrow("momentum: mu (μ) must be a number in [0, 1), got -0.1");
    expect(() => nesterov({ eta: 0.1, mu: NaN })).toThrow("nesterov: mu (μ) must be a number in [0, 1), got NaN");
    expect(() => nesterov({ eta: 0.1, mu: 0.5, form: "sutskever" as "lookahead" })).toThrow(
      'nesterov: form must be "lookahead" or "reparameterised", got "sutskever"',
    );
    expect(() => adam({ eta: 0.1, beta1: 1 })).toThrow("adam: beta1 (β₁) must be a number in [0, 1), got 1");
    expect(() => adam({ eta: 0.1, beta2: -0.5 })).toThrow("adam: beta2 (β₂) must be a number in [0, 1), got -0.5");
    expect(() => adam({ eta: 0.1, eps: 0 })).toThrow("adam: eps (ε) must be positive, got 0");
    expect(() => adam({ eta: 0.1, eps: Infinity })).toThrow("adam: eps (ε) must be a finite number, got Infinity");
    expect(() => sgd({ eta: 0.1, weightDecay: -1e-4 })).toThrow("sgd: weightDecay (λ_wd) must be a finite number at least 0, got -0.0001");
    expect(() => adam({ eta: 0.1, weightDecay: NaN })).toThrow("adam: weightDecay (λ_wd) must be a finite number at least 0, got NaN");
  });

  it("names say the rule and its hyperparameters", () => {
    expect(sgd({ eta: 0.1 }).name).toBe("SGD (η = 0.1)");
    expect(sgd({ eta: 0.1, weightDecay: 0.01 }).name).toBe("SGD (η = 0.1, weight decay λ_wd = 0.01)");
    expect(momentum({ eta: 0.1, mu: 0.9 }).name).toBe("Momentum (η = 0.1, μ = 0.9)");
    expect(nesterov({ eta: 0.1, mu: 0.9 }).name).toBe("Nesterov (η = 0.1, μ = 0.9)");
    expect(nesterov({ eta: 0.1, mu: 0.9, form: "reparameterised" }).name).toBe("Nesterov, reparameterised (η = 0.1, μ = 0.9)");
    expect(adam({ eta: 0.001 }).name).toBe("Adam (η = 0.001, β₁ = 0.9, β₂ = 0.999)");
    expect(adam({ eta: 0.001, eps: 1e-6 }).name).toBe("Adam (η = 0.001, β₁ = 0.9, β₂ = 0.999, ε = 0.000001)");
    expect(adam({ eta: 0.001, weightDecay: 0.01 }).name).toBe("AdamW (η = 0.001, β₁ = 0.9, β₂ = 0.999, weight decay λ_wd = 0.01)");
    expect(adam({ eta: 0.001 }).eta).toBe(0.001);
  });
});
