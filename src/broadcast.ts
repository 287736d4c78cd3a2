import { assertPositiveInt } from "./check.js";
import { matmul } from "./linalg.js";
import { Matrix } from "./matrix.js";
import { ShapeError } from "./shape-error.js";

// Broadcasting, written as the matrix product it secretly is, so that its backward pass is
// just the transpose of that product:
//   forward   B = 1·b          (1 is K×1, b is 1×m)
//   backward  dE/db = 1ᵀ·G = G.sum(0)
// The transpose of broadcasting is summing: ⟨1·b, G⟩ = ⟨b, 1ᵀG⟩. That is why a bias gradient
// is the sum of the per-sample gradients, and why the library never broadcasts silently.

// b (1×m), K → K×m: every row is b
export function broadcastRows(b: Matrix, K: number): Matrix {
  if (b.rows !== 1) throw new ShapeError("broadcastRows", [b.shape], "expected a row 1×m");
  assertPositiveInt("broadcastRows", "K", K);
  return matmul(Matrix.ones(K, 1), b);
}

// b (m×1), K → m×K: every column is b; its adjoint is G.sum(1)
export function broadcastCols(b: Matrix, K: number): Matrix {
  if (b.cols !== 1) throw new ShapeError("broadcastCols", [b.shape], "expected a column m×1");
  assertPositiveInt("broadcastCols", "K", K);
  return matmul(b, Matrix.ones(1, K));
}
