import { assertFinite } from "../core/errors.js";
import { Matrix } from "../core/matrix.js";
import { ShapeError } from "../core/errors.js";

// The chain rule through softmax written with its Jacobian, the way it is derived by hand, next
// to the fused shortcut that losses.ts and activations.ts use.
//
// For one sample (a row z of c logits, p = softmax(z), also 1×c):
//   ∂p_i/∂z_j = p_i([i = j] − p_j),  i.e.  J = diag(p) − pᵀp   (c×c, symmetric, rows sum to 0)
// Softmax works row by row, so a batch of K samples has K such c×c Jacobians, one per row;
// there is no Kc×Kc coupling between samples.

// p (1×c, a row of probabilities) → J (c×c), J_ij = ∂p_i/∂z_j = p_i [i = j] − p_i p_j
export function softmaxJacobian(p: Matrix): Matrix {
  if (p.rows !== 1) throw new ShapeError("softmaxJacobian", [p.shape], "expected one sample's probabilities, a row 1×c");
  const c = p.cols;
  return Matrix.fill(c, c, (i, j) => (i === j ? p.data[i] : 0) - p.data[i] * p.data[j]);
}

// The chain rule through softmax, one sample at a time, with the whole Jacobian:
// P (K×c, softmax of each row), dP = ∂E/∂P (K×c) → ∂E/∂Z (K×c), row k = dP_k · J(P_k)
// ((1×c)·(c×c) → 1×c). Equals softmax.backward, which skips building J.
export function softmaxBackwardByJacobian(P: Matrix, dP: Matrix): Matrix {
  if (!dP.sameShape(P)) {
    throw new ShapeError("softmaxBackwardByJacobian", [P.shape, dP.shape], "dP must have the shape of P, K×c");
  }
  const out = Matrix.zeros(P.rows, P.cols);
  for (let k = 0; k < P.rows; k++) {
    const J = softmaxJacobian(P.getRow(k));
    for (let j = 0; j < P.cols; j++) {
      let s = 0;
      for (let i = 0; i < P.cols; i++) s += dP.get(k, i) * J.get(i, j);
      out.set(k, j, s);
    }
  }
  return out;
}

// The Jacobian of any row function by centred differences:
// f (1×c → 1×m), z (1×c) → m×c with entry (i, j) ≈ ∂f_i/∂z_j = (f(z + h e_j) − f(z − h e_j))_i / 2h.
// z is left unchanged.
export function numericalJacobian(f: (z: Matrix) => Matrix, z: Matrix, h = 1e-5): Matrix {
  if (z.rows !== 1) throw new ShapeError("numericalJacobian", [z.shape], "expected a row 1×c");
  assertFinite("numericalJacobian", "h", h);
  if (!(h > 0)) throw new Error(`numericalJacobian: h must be positive, got ${h}`);
  const columns = Array.from({ length: z.cols }, (_, j) => {
    const shifted = (d: number) => f(z.map((x, _i, jj) => (jj === j ? x + d : x)));
    const [plus, minus] = [shifted(h), shifted(-h)];
    if (plus.rows !== 1) throw new ShapeError("numericalJacobian", [plus.shape], "f must return a row 1×m");
    return plus.sub(minus).scale(1 / (2 * h)); // 1×m: column j of the Jacobian
  });
  const m = columns[0].cols;
  return Matrix.fill(m, z.cols, (i, j) => columns[j].data[i]);
}
