import { assertFinite, assertPositiveInt } from "../core/errors.js";
import type { Matrix } from "../core/matrix.js";
import type { Param } from "./layer.js";

// A term added to the loss that depends on the parameters alone, with its gradient.
export interface Penalty {
  readonly name: string;
  value(params: readonly Param[]): number; // the term added to E
  grad(param: Param): Matrix | null; // its gradient for one array (n×m → n×m); null where it does not apply
}

// The L2 penalty beside a mean loss over N training samples (notebook 08):
//   E = (1/N) Σ_x E_x + (λ/2N) Σ_W ‖W‖²,   ∂/∂W of the penalty = (λ/N) W
// over the weights (kind "weight") only, unless biases: true. Each mini-batch step adds the same
// (λ/N)·W, whatever the batch size K: the mean loss of a batch estimates (1/N) Σ_x E_x, and the
// penalty is not an average over samples. (Nielsen, "Neural Networks and Deep Learning", ch. 3,
// eq. 87; writing λ/2K per batch instead makes the strength depend on K.) The value is added to
// the batch's loss as it is, whatever the loss's reduction. grad(W) has W's shape (n×m → n×m),
// a new matrix. Throws: lambda negative (Error) or not finite (NonFiniteError), N not a positive
// integer. For plain SGD the same step is decoupled weight decay λ_wd = λ/N (optimizers.ts).
export function l2(lambda: number, N: number, opts: { biases?: boolean } = {}): Penalty {
  assertFinite("l2", "lambda (λ)", lambda);
  if (lambda < 0) throw new Error(`l2: lambda (λ) must be at least 0, got ${lambda}`);
  assertPositiveInt("l2", "N (the number of training samples)", N);
  const applies = (p: Param): boolean => p.kind === "weight" || (opts.biases === true && p.kind === "bias");
  return {
    name: `L2 (λ = ${lambda}, N = ${N}${opts.biases === true ? ", biases too" : ""})`,
    value: (params) => (lambda / (2 * N)) * params.filter(applies).reduce((s, p) => s + p.value.mul(p.value).total(), 0),
    grad: (p) => (applies(p) ? p.value.scale(lambda / N) : null),
  };
}
