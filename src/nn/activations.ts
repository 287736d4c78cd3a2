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

// An elementwise activation: its backward pass is dZ = dA ⊙ f′, one shared rule for all of them.
function elementwise(
  name: string,
  f: (z: number) => number,
  dfdz: (z: number) => number,
  dfda: (a: number) => number,
): Activation {
  return {
    name,
    f: (z) => z.map(f),
    dfdz: (z) => z.map(dfdz),
    dfda: (a) => a.map(dfda),
    // dA ⊙ f′(a) in one pass: the same products as dA.mul(a.map(dfda)), without the K×m
    // matrix of f′ in between (its allocation and finiteness check cost as much as the products)
    backward: (_z, a, dA) => {
      checkUpstream(name, a, dA);
      const [g, x, out] = [dA.data, a.data, new Float64Array(a.data.length)];
      for (let k = 0; k < out.length; k++) out[k] = g[k] * dfda(x[k]);
      return new Matrix(a.rows, a.cols, out);
    },
  };
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
export const relu: Activation = {
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
// so no exp overflows (the largest term is exp(0) = 1), and the max is subtracted before the
// small log term is, which keeps the digits that a large max would otherwise round away.
// One pass per row over z's data, without copying rows out (this runs at every training step).
export function logSoftmax(z: Matrix): Matrix {
  const [m, d, out] = [z.cols, z.data, new Float64Array(z.data.length)];
  for (let row = 0; row < d.length; row += m) {
    let max = -Infinity;
    for (let k = row; k < row + m; k++) max = Math.max(max, d[k]);
    let sum = 0;
    for (let k = row; k < row + m; k++) sum += Math.exp(d[k] - max);
    const logSum = Math.log(sum);
    for (let k = row; k < row + m; k++) out[k] = d[k] - max - logSum;
  }
  return new Matrix(z.rows, m, out);
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
    checkUpstream("softmax", a, dA);
    return a.mul(dA.sub(broadcastCols(dA.mul(a).sum(1), a.cols)));
  },
};

// dA (K×m) must match the output a (K×m); checked here so that the error names the activation.
function checkUpstream(name: string, a: Matrix, dA: Matrix): void {
  if (!dA.sameShape(a)) {
    throw new ShapeError(`${name}.backward`, [dA.shape, a.shape], "dA must have the shape of the output a");
  }
}
