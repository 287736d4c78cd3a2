import { broadcastCols } from "../core/linalg.js";
import { Matrix } from "../core/matrix.js";
import { ShapeError } from "../core/errors.js";

// An activation a = f(z), applied to a K×m matrix of pre-activations, with its backward pass.
// dfdz / dfda: the elementwise derivative f′, written in terms of z or of the output a
// (σ′ = a(1 − a) needs only a, which the forward pass already has); null when the derivative
// is not elementwise, as for softmax, whose every output depends on the whole row.
export interface Activation {
  name: string;
  f(z: Matrix): Matrix; // K×m → K×m
  dfdz(z: Matrix): Matrix | null; // K×m → K×m
  dfda(a: Matrix): Matrix | null; // K×m → K×m
  backward(z: Matrix, a: Matrix, dA: Matrix): Matrix; // z, a, dE/da: K×m → dE/dz: K×m
  kinks?: readonly number[]; // the z where f′ jumps (ReLU's 0): finite differences across them lie
}

// σ(x) = 1/(1 + e⁻ˣ), evaluated so that exp never overflows.
export function sigmoidScalar(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

// An elementwise activation: its backward pass is dZ = dA ⊙ f′, one shared rule for all of them,
// with f′ taken from the output a (which the forward pass already has).
function elementwise(
  name: string,
  f: (z: number) => number,
  dfdz: (z: number) => number,
  dfda: (a: number) => number,
): Elementwise {
  return {
    name,
    f: (z) => z.map(f),
    dfdz: (z) => z.map(dfdz),
    dfda: (a) => a.map(dfda),
    backward: (_z, a, dA) => {
      checkActivationUpstream(name, a, dA);
      return dA.mul(a.map(dfda)); // dA ⊙ f′(a)
    },
    derivativeOfOutput: dfda,
  };
}

// An elementwise activation keeps its scalar f′(a), for the fast path (fast/kernels.ts).
export interface Elementwise extends Activation {
  derivativeOfOutput: (a: number) => number;
}

export const sigmoid = elementwise(
  "sigmoid",
  sigmoidScalar,
  (z) => sigmoidScalar(z) * (1 - sigmoidScalar(z)),
  (a) => a * (1 - a),
);

export const tanh = elementwise(
  "tanh",
  Math.tanh,
  (z) => 1 - Math.tanh(z) ** 2,
  (a) => 1 - a * a,
);

// ReLU has a kink at 0; we use the derivative 0 there (a = 0 exactly when z ≤ 0, so f′ = [a > 0]).
export const relu: Elementwise = {
  ...elementwise(
    "relu",
    (z) => Math.max(0, z),
    (z) => (z > 0 ? 1 : 0),
    (a) => (a > 0 ? 1 : 0),
  ),
  kinks: [0],
};

export const identity = elementwise(
  "identity",
  (z) => z,
  () => 1,
  () => 1,
);

// log softmax of each row, K×m → K×m, stable: log softmax(z) = (z − max) − log Σ exp(z − max),
// with max the row's largest entry, so no exp overflows (the largest term is exp(0) = 1), and
// the max is subtracted before the small log term is, which keeps the digits that a large max
// would otherwise round away.
export function logSoftmax(z: Matrix): Matrix {
  const max = Matrix.column(z.toRows().map((row) => Math.max(...row))); // K×1
  const shifted = z.sub(broadcastCols(max, z.cols)); // z − max, K×m
  const logSum = shifted.map(Math.exp).sum(1).map(Math.log); // log Σ_j exp(z_kj − max_k), K×1
  return shifted.sub(broadcastCols(logSum, z.cols));
}

// softmax of each row: a_kj = exp(z_kj) / Σ_i exp(z_ki).
// Its Jacobian is not diagonal, so backward is a Jacobian-vector product per row:
// dZ = a ⊙ (dA − rowsum(dA ⊙ a)), the row sums broadcast back across the m columns.
export const softmax: Activation = {
  name: "softmax",
  f: (z) => logSoftmax(z).map(Math.exp),
  dfdz: () => null,
  dfda: () => null,
  backward: (_z, a, dA) => {
    checkActivationUpstream("softmax", a, dA);
    return a.mul(dA.sub(broadcastCols(dA.mul(a).sum(1), a.cols)));
  },
};

// f(Z) for a layer's cache: an activation that hands back Z's own array (one that works in place)
// would make the cached Z and A one array, and every backward pass after it wrong, so it is refused.
export function activate(act: Activation, Z: Matrix): Matrix {
  const A = act.f(Z);
  if (A === Z || A.data === Z.data) {
    throw new Error(`${act.name}: f returned its input's own array, so the cache would hold Z and A as one; return a new Matrix (z.map(…))`);
  }
  return A;
}

// dA (K×m) must match the output a (K×m); checked here so that the error names the activation.
export function checkActivationUpstream(name: string, a: Matrix, dA: Matrix): void {
  if (!dA.sameShape(a)) {
    throw new ShapeError(`${name}.backward`, [dA.shape, a.shape], "dA must have the shape of the output a");
  }
}
