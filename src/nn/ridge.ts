import { ShapeError, assertFinite } from "../core/errors.js";
import { matmul } from "../core/linalg.js";
import { Matrix } from "../core/matrix.js";
import { solve } from "../core/solve.js";

// The closed-form answer a linear model trained with the L2 penalty must reach (notebook 08).
// For X (N×n), Y (N×m) and the linear model Ŷ = X·W + 1·b, the mean squared error with the L2
// penalty l2(λ, N) of penalties.ts,
//   E(W, b) = (1/N) Σ_k ½‖x_k W + b − y_k‖² + (λ/2N) ‖W‖²        (+ (λ/2N) ‖b‖² with biases),
// is smallest where its gradient is 0. With X̃ = [X 1] (N×(n+1)) and θ = [W; b] ((n+1)×m), N times
// that gradient is X̃ᵀ(X̃θ − Y) + λDθ, so
//   (X̃ᵀX̃ + λD) θ = X̃ᵀY,   D = diag(1, …, 1, 0)  (the identity with biases: true),
// the normal equations of ridge regression (Hoerl and Kennard, "Ridge regression: biased
// estimation for nonorthogonal problems", Technometrics 12, 1970; Hastie, Tibshirani and
// Friedman, "The Elements of Statistical Learning", 2nd ed., 2009, eq. 3.44, where the intercept
// is left out of the penalty too). λ = 0 is least squares. Returns W (n×m) and b (1×m).
// Throws: X and Y with different numbers of rows (ShapeError), λ negative or not finite, and a
// singular system (SingularMatrixError from solve: λ = 0 with fewer independent samples than
// n + 1 unknowns, say).
export function ridge(X: Matrix, Y: Matrix, lambda: number, opts: { biases?: boolean } = {}): { W: Matrix; b: Matrix } {
  if (X.rows !== Y.rows) throw new ShapeError("ridge", [X.shape, Y.shape], "X and Y need one row per sample");
  assertFinite("ridge", "lambda (λ)", lambda);
  if (lambda < 0) throw new Error(`ridge: lambda (λ) must be at least 0, got ${lambda}`);
  const n = X.cols;
  const Xt = withOnes(X); // N×(n+1)
  const D = Matrix.fill(n + 1, n + 1, (i, j) => (i === j && (i < n || opts.biases === true) ? lambda : 0));
  const theta = solve(matmul(Xt, Xt, true).add(D), matmul(Xt, Y, true)); // (n+1)×m
  return {
    W: Matrix.fill(n, Y.cols, (i, j) => theta.get(i, j)),
    b: theta.getRow(n),
  };
}

// X (N×n) → [X 1] (N×(n+1)): a column of ones appended, the input that multiplies the bias.
export function withOnes(X: Matrix): Matrix {
  return Matrix.fill(X.rows, X.cols + 1, (k, j) => (j < X.cols ? X.get(k, j) : 1));
}
