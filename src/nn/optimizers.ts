import { NonFiniteError, ShapeError, assertFinite, assertLearningRate } from "../core/errors.js";
import { Matrix } from "../core/matrix.js";
import type { Param } from "./layer.js";

// Gradients by parameter name, as Network.params() names them: { W1, b1, W2, b2, … }.
export type Grads = Record<string, Matrix>;

// An update rule with its state (a velocity, moment estimates), kept per parameter array.
// step asks for the gradient through `gradient`, at the parameters' current values, once per
// step; a rule that wants it elsewhere (Nesterov's look-ahead) moves the parameters first and
// puts them back before it updates them. eta is the learning rate η, named in divergence errors.
export interface Optimizer {
  readonly name: string;
  readonly eta: number;
  step(params: readonly Param[], gradient: () => Grads): void;
}

// The gradient for each parameter, by its name, checked against its shape: params[i] (n×m) →
// grads[params[i].name] (n×m), in params' order. Throws an Error when grads has another number of
// arrays or lacks a name, a ShapeError (op, both shapes) when a gradient's shape differs.
export function gradientsFor(op: string, params: readonly Param[], grads: Grads): Matrix[] {
  const names = Object.keys(grads);
  if (names.length !== params.length) {
    throw new Error(`${op}: expected gradients for ${params.length} parameter arrays (${params.map((p) => p.name).join(", ")}), got ${names.length} (${names.join(", ")})`);
  }
  return params.map(({ name, value }) => {
    const g = grads[name];
    if (g === undefined) throw new Error(`${op}: no gradient for ${name}; got ${names.join(", ")}`);
    if (!g.sameShape(value)) throw new ShapeError(op, [value.shape, g.shape], `the gradient for ${name} must have its shape`);
    return g;
  });
}

// Writes every parameter's new value, in place, after computing all of them: next(p, i) has p's
// shape (n×m → n×m). A value that would not be finite (the Matrix refuses it) stops the step with
// nothing written: a NonFiniteError naming op, the array and eta. Other errors pass through.
export function applyUpdate(op: string, eta: number, params: readonly Param[], next: (p: Param, i: number) => Matrix): void {
  const values = params.map((p, i) => {
    try {
      return next(p, i);
    } catch (e) {
      if (e instanceof NonFiniteError) throw new NonFiniteError(`${op}: ${p.name} would become non-finite; is eta = ${eta} too large?`);
      throw e;
    }
  });
  params.forEach((p, i) => p.value.data.set(values[i].data));
}

// Decoupled weight decay, the option every optimizer below takes: besides its rule, each weight
// array (kind "weight"; biases and batch norm's gamma, beta are left alone) shrinks by
//   w ← w − η·λ_wd·w
// in the same step, from the w the step started at (Loshchilov and Hutter, "Decoupled Weight
// Decay Regularization", ICLR 2019, Algorithms 1 and 2, SGDW and AdamW; the paper's schedule
// multiplier η_t is taken to be the learning rate η, as in PyTorch's AdamW). For plain
// SGD it is the L2 penalty l2(λ, N) with λ/N = λ_wd, up to rounding: w − η(∂E/∂w + λ_wd·w). Under
// momentum the penalty's gradient is accumulated in the velocity, and under Adam it is divided by
// √v̂ with the loss's gradient, so the two differ there: decay is not a penalty for them.
export interface WeightDecay {
  weightDecay?: number; // λ_wd ≥ 0, default 0 (none)
}

// The decay term η·λ_wd·w for one array (n×m → n×m), or null where it does not apply.
function decayTerm(p: Param, eta: number, weightDecay: number): Matrix | null {
  return weightDecay > 0 && p.kind === "weight" ? p.value.scale(eta * weightDecay) : null;
}

// w_next (n×m) minus the decay term of p, when there is one.
function decayed(next: Matrix, p: Param, eta: number, weightDecay: number): Matrix {
  const decay = decayTerm(p, eta, weightDecay);
  return decay ? next.sub(decay) : next;
}

// Per-array state, keyed by the parameter's Matrix itself: the arrays of a cloned network are new
// matrices, so a clone starts with fresh state, and one optimizer stepping two networks keeps
// their states apart. A step stages each array's new state and commits it only once every new
// value has been written, so a step refused as non-finite leaves the state as it was too.
class StateStore<S> {
  private readonly byArray = new WeakMap<Matrix, S>();

  constructor(private readonly fresh: (value: Matrix) => S) {}

  get(value: Matrix): S {
    return this.byArray.get(value) ?? this.fresh(value);
  }

  commit(params: readonly Param[], staged: readonly S[]): void {
    params.forEach((p, i) => this.byArray.set(p.value, staged[i]));
  }
}

// The argument checks shared by the optimizers; op names the optimizer.
function assertFraction(op: string, what: string, x: number): void {
  if (typeof x !== "number" || !Number.isFinite(x) || x < 0 || x >= 1) {
    throw new Error(`${op}: ${what} must be a number in [0, 1), got ${String(x)}`);
  }
}

function checkWeightDecay(op: string, weightDecay: number): void {
  if (typeof weightDecay !== "number" || !Number.isFinite(weightDecay) || weightDecay < 0) {
    throw new Error(`${op}: weightDecay (λ_wd) must be a finite number at least 0, got ${String(weightDecay)}`);
  }
}

// ", weight decay λ_wd = 0.01" for a name, or nothing when there is none
function decayLabel(weightDecay: number): string {
  return weightDecay > 0 ? `, weight decay λ_wd = ${weightDecay}` : "";
}

// Plain gradient descent, W ← W − η·∂E/∂W for every array (with weight decay: minus η·λ_wd·W
// as well, see WeightDecay). No state. Shapes: each gradient has its array's shape.
// Throws: eta not a positive finite number, weightDecay negative or not finite; in a step, a
// missing or misshapen gradient, or a value that would be non-finite (NonFiniteError naming the
// array, nothing written).
export function sgd(opts: { eta: number } & WeightDecay): Optimizer {
  const { eta, weightDecay = 0 } = opts;
  assertLearningRate("sgd", eta);
  checkWeightDecay("sgd", weightDecay);
  return {
    name: `SGD (η = ${eta}${decayLabel(weightDecay)})`,
    eta,
    step(params, gradient) {
      const g = gradientsFor("sgd", params, gradient());
      applyUpdate("sgd", eta, params, (p, i) => decayed(p.value.sub(g[i].scale(eta)), p, eta, weightDecay));
    },
  };
}

// Classical momentum, a velocity v per array (n×m, starting at 0) that remembers past steps:
//   v ← μv − η∇E(w),  w ← w + v
// (Polyak, "Some methods of speeding up the convergence of iteration methods", 1964; in the
// notation of Sutskever, Martens, Dahl and Hinton, "On the importance of initialization and
// momentum in deep learning", ICML 2013, eq. 1–2). μ = 0 is plain SGD; along a direction where
// the gradient keeps its sign, the step grows towards η/(1 − μ) times the gradient.
// Throws: eta not positive and finite, mu outside [0, 1), weightDecay negative; in a step, what
// sgd's step throws, the velocity included in what is left unchanged.
export function momentum(opts: { eta: number; mu: number } & WeightDecay): Optimizer {
  const { eta, mu, weightDecay = 0 } = opts;
  assertLearningRate("momentum", eta);
  assertFraction("momentum", "mu (μ)", mu);
  checkWeightDecay("momentum", weightDecay);
  const velocity = new StateStore((value) => Matrix.zeros(value.rows, value.cols));
  return {
    name: `Momentum (η = ${eta}, μ = ${mu}${decayLabel(weightDecay)})`,
    eta,
    step(params, gradient) {
      const g = gradientsFor("momentum", params, gradient());
      const staged: Matrix[] = [];
      applyUpdate("momentum", eta, params, (p, i) => {
        staged[i] = velocity.get(p.value).scale(mu).sub(g[i].scale(eta)); // v ← μv − ηg
        return decayed(p.value.add(staged[i]), p, eta, weightDecay); // w ← w + v
      });
      velocity.commit(params, staged);
    },
  };
}

// Where Nesterov's gradient is taken: at w + μv, or at the stored weights standing for that point.
export type NesterovForm = "lookahead" | "reparameterised";

// Nesterov's accelerated gradient: classical momentum with the gradient taken where the
// velocity is about to carry the weights, in one of two equivalent forms.
// "lookahead" (the default; Sutskever et al. 2013, eq. 3–4):
//   g = ∇E(w + μv),  v ← μv − ηg,  w ← w + v
// The step moves every array to w + μv, calls gradient() there, and puts the arrays back (in a
// finally, so an error in gradient() leaves them as they were) before it updates them; the loss
// train() records for the step is then the batch's loss at w + μv.
// "reparameterised" (Bengio, Boulanger-Lewandowski and Pascanu, "Advances in optimizing recurrent
// networks", ICASSP 2013, eq. 7; the form of Keras's SGD(nesterov=True)): the stored weights are
// the look-ahead point itself, so the gradient is taken where they are:
//   g = ∇E(w),  v ← μv − ηg,  w ← w + μv − ηg   (the new v; that is, w + μ²v − (1 + μ)ηg)
// From the same start (v = 0), the reparameterised run's w equals the look-ahead run's w + μv
// after every step, up to rounding. With weight decay, each form shrinks the w it stores, so the
// two are no longer the same iterates.
// Throws: eta not positive and finite, mu outside [0, 1), an unknown form, weightDecay negative;
// in a step, what momentum's step throws (the arrays put back first in the look-ahead form).
export function nesterov(opts: { eta: number; mu: number; form?: NesterovForm } & WeightDecay): Optimizer {
  const { eta, mu, form = "lookahead", weightDecay = 0 } = opts;
  assertLearningRate("nesterov", eta);
  assertFraction("nesterov", "mu (μ)", mu);
  if (form !== "lookahead" && form !== "reparameterised") {
    throw new Error(`nesterov: form must be "lookahead" or "reparameterised", got ${JSON.stringify(form)}`);
  }
  checkWeightDecay("nesterov", weightDecay);
  const velocity = new StateStore((value) => Matrix.zeros(value.rows, value.cols));
  const gradientAt = (params: readonly Param[], gradient: () => Grads): Matrix[] => {
    if (form === "reparameterised") return gradientsFor("nesterov", params, gradient());
    const saved = params.map((p) => p.value.clone());
    try {
      applyUpdate("nesterov", eta, params, (p) => p.value.add(velocity.get(p.value).scale(mu))); // w + μv
      return gradientsFor("nesterov", params, gradient());
    } finally {
      params.forEach((p, i) => p.value.data.set(saved[i].data));
    }
  };
  return {
    name: `Nesterov${form === "reparameterised" ? ", reparameterised" : ""} (η = ${eta}, μ = ${mu}${decayLabel(weightDecay)})`,
    eta,
    step(params, gradient) {
      const g = gradientAt(params, gradient);
      const staged: Matrix[] = [];
      applyUpdate("nesterov", eta, params, (p, i) => {
        const step = g[i].scale(eta);
        staged[i] = velocity.get(p.value).scale(mu).sub(step); // v ← μv − ηg
        const next = form === "lookahead"
          ? p.value.add(staged[i]) // w ← w + v
          : p.value.add(staged[i].scale(mu)).sub(step); // w ← w + μv − ηg
        return decayed(next, p, eta, weightDecay);
      });
      velocity.commit(params, staged);
    },
  };
}

// Adam: running means of the gradient and of its square, m and v per array (n×m, from 0), and a
// step count t per array, with their bias towards 0 corrected:
//   t ← t + 1,  m ← β₁m + (1 − β₁)g,  v ← β₂v + (1 − β₂)g⊙g,
//   m̂ = m / (1 − β₁ᵗ),  v̂ = v / (1 − β₂ᵗ),  w ← w − η·m̂ ⊘ (√v̂ + ε)
// (Kingma and Ba, "Adam: A Method for Stochastic Optimization", ICLR 2015, Algorithm 1, with its
// defaults β₁ = 0.9, β₂ = 0.999, ε = 1e-8; η is the paper's α). Each entry's step is about η
// whatever the gradient's scale, but g⊙g is still formed: a gradient entry beyond about 1e154
// squares to infinity and is refused like any non-finite value. With weight decay this is AdamW
// (see WeightDecay).
// Throws: eta not positive and finite, beta1 or beta2 outside [0, 1), eps not positive and
// finite, weightDecay negative; in a step, what sgd's step throws, m, v and t left unchanged too.
export function adam(opts: { eta: number; beta1?: number; beta2?: number; eps?: number } & WeightDecay): Optimizer {
  const { eta, beta1 = 0.9, beta2 = 0.999, eps = 1e-8, weightDecay = 0 } = opts;
  assertLearningRate("adam", eta);
  assertFraction("adam", "beta1 (β₁)", beta1);
  assertFraction("adam", "beta2 (β₂)", beta2);
  assertFinite("adam", "eps (ε)", eps);
  if (!(eps > 0)) throw new Error(`adam: eps (ε) must be positive, got ${eps}`);
  checkWeightDecay("adam", weightDecay);
  interface Moments {
    t: number;
    m: Matrix;
    v: Matrix;
  }
  const moments = new StateStore<Moments>((value) => ({ t: 0, m: Matrix.zeros(value.rows, value.cols), v: Matrix.zeros(value.rows, value.cols) }));
  const epsLabel = eps === 1e-8 ? "" : `, ε = ${eps}`;
  return {
    name: `Adam${weightDecay > 0 ? "W" : ""} (η = ${eta}, β₁ = ${beta1}, β₂ = ${beta2}${epsLabel}${decayLabel(weightDecay)})`,
    eta,
    step(params, gradient) {
      const g = gradientsFor("adam", params, gradient());
      const staged: Moments[] = [];
      applyUpdate("adam", eta, params, (p, i) => {
        const { t: t0, m: m0, v: v0 } = moments.get(p.value);
        const t = t0 + 1;
        const m = m0.scale(beta1).add(g[i].scale(1 - beta1));
        const v = v0.scale(beta2).add(g[i].mul(g[i]).scale(1 - beta2));
        staged[i] = { t, m, v };
        const mHat = m.scale(1 / (1 - beta1 ** t));
        const vHat = v.scale(1 / (1 - beta2 ** t));
        const step = mHat.div(vHat.map(Math.sqrt).addScalar(eps)); // m̂ ⊘ (√v̂ + ε)
        return decayed(p.value.sub(step.scale(eta)), p, eta, weightDecay);
      });
      moments.commit(params, staged);
    },
  };
}
