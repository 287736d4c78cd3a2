import { Matrix } from "./matrix.js";
import { ShapeError, assertPositiveInt } from "./errors.js";
import { floats } from "./floats.js";

// Reference linear algebra: plain loops over indices, written to be read, not to be fast.

// op(A) (K×n) · op(B) (n×m) → K×m, where op(X) is X, or Xᵀ when its flag is set.
// The transpose is never materialised: op(A)[i][p] is read as A[p][i] by index arithmetic.
export function matmul(A: Matrix, B: Matrix, transA = false, transB = false): Matrix {
  const [K, n, m] = matmulShape("matmul", A, B, transA, transB);
  const a = (i: number, p: number): number => (transA ? A.data[p * A.cols + i] : A.data[i * A.cols + p]);
  const b = (p: number, j: number): number => (transB ? B.data[j * B.cols + p] : B.data[p * B.cols + j]);
  return Matrix.fill(K, m, (i, j) => {
    let s = 0;
    for (let p = 0; p < n; p++) s += a(i, p) * b(p, j);
    return s;
  });
}

// The shape rule of matmul and of its fast twin (matmul-fast.ts): op(A) (K×n), op(B) (n×m) → [K, n, m],
// or a ShapeError named op when the inner sizes differ.
export function matmulShape(op: string, A: Matrix, B: Matrix, transA: boolean, transB: boolean): [number, number, number] {
  const [K, n] = transA ? [A.cols, A.rows] : [A.rows, A.cols];
  const [n2, m] = transB ? [B.cols, B.rows] : [B.rows, B.cols];
  if (n !== n2) {
    const flags = transA || transB ? "; shapes shown after transposing" : "";
    throw new ShapeError(op, [`${K}×${n}`, `${n2}×${m}`], `inner sizes ${n} and ${n2} must agree${flags}`);
  }
  return [K, n, m];
}

// u (p×1 or 1×p) ⊗ v (q×1 or 1×q) → p×q with entry (i, j) = u_i v_j.
// Either vector may be a row or a column: the result is always u as a column times v as a row.
export function outer(u: Matrix, v: Matrix): Matrix {
  if (!isVector(u) || !isVector(v)) {
    throw new ShapeError("outer", [u.shape, v.shape], "both arguments must be vectors, p×1 or 1×p");
  }
  // a vector's data is its entries in order, whether it is stored as a row or a column
  return Matrix.fill(u.data.length, v.data.length, (i, j) => u.data[i] * v.data[j]);
}

// Kronecker product: (p×q) ⊗ (r×s) → (pr)×(qs), block (i, j) is A[i][j]·B.
// Every pair of shapes has one, so there is no shape to reject.
export function kron(A: Matrix, B: Matrix): Matrix {
  const [r, s] = [B.rows, B.cols];
  return Matrix.fill(A.rows * r, A.cols * s, (I, J) =>
    A.get(Math.floor(I / r), Math.floor(J / s)) * B.get(I % r, J % s),
  );
}

function isVector(M: Matrix): boolean {
  return M.rows === 1 || M.cols === 1;
}

// Broadcasting, written as the matrix product it secretly is, so that its backward pass is
// just the transpose of that product:
//   forward   B = 1·b          (1 is K×1, b is 1×m)
//   backward  dE/db = 1ᵀ·G = G.sum(0)
// The transpose of broadcasting is summing: ⟨1·b, G⟩ = ⟨b, 1ᵀG⟩. That is why a bias gradient
// is the sum of the per-sample gradients, and why the library never broadcasts silently.

// b (1×m), K → K×m: every row is b. The numbers of matmul(Matrix.ones(K, 1), b), bit for bit (each
// entry of that product is 0 + 1·b_j, which is b_j with −0 read as 0), copied without building
// the ones or calling a function per entry (08 broadcasts 50 000 masks). Throws ShapeError unless
// b is a row, and for K not a positive integer.
export function broadcastRows(b: Matrix, K: number): Matrix {
  if (b.rows !== 1) throw new ShapeError("broadcastRows", [b.shape], "expected a row 1×m");
  assertPositiveInt("broadcastRows", "K", K);
  const m = b.cols;
  const out = floats(K * m);
  for (let j = 0; j < m; j++) out[j] = 0 + b.data[j];
  for (let k = 1; k < K; k++) out.copyWithin(k * m, 0, m);
  return new Matrix(K, m, out);
}

// b (m×1), K → m×K: every column is b; its adjoint is G.sum(1). The numbers of
// matmul(b, Matrix.ones(1, K)), bit for bit, as for broadcastRows.
export function broadcastCols(b: Matrix, K: number): Matrix {
  if (b.cols !== 1) throw new ShapeError("broadcastCols", [b.shape], "expected a column m×1");
  assertPositiveInt("broadcastCols", "K", K);
  const m = b.rows;
  const out = floats(m * K);
  for (let i = 0; i < m; i++) out.fill(0 + b.data[i], i * K, (i + 1) * K);
  return new Matrix(m, K, out);
}
