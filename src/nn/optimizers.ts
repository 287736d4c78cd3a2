import { NonFiniteError, ShapeError, assertLearningRate } from "../core/errors.js";
import type { Matrix } from "../core/matrix.js";
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

// The gradient for each parameter, by its name, checked against its shape.
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

// Writes every parameter's new value, in place, after computing all of them: a value that would
// not be finite (the Matrix refuses it) stops the step with nothing written, naming the array.
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

// Plain gradient descent: W ← W − η·∂E/∂W for every array.
export function sgd(opts: { eta: number }): Optimizer {
  const { eta } = opts;
  assertLearningRate("sgd", eta);
  return {
    name: `SGD (η = ${eta})`,
    eta,
    step(params, gradient) {
      const g = gradientsFor("sgd", params, gradient());
      applyUpdate("sgd", eta, params, (p, i) => p.value.sub(g[i].scale(eta)));
    },
  };
}
