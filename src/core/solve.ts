import { ShapeError } from "./errors.js";
import { Matrix } from "./matrix.js";
import { floats } from "./floats.js";

// Small dense linear systems, for closed-form answers to compare a training run with (the ridge
// solution of notebook 08). Written to be read: Gaussian elimination with partial pivoting, the
// textbook algorithm (Golub and Van Loan, "Matrix Computations", 4th ed., 2013, Algorithm 3.4.1,
// with forward and back substitution, Algorithms 3.1.1 and 3.1.2), O(n³) for an n×n matrix.

// A singular matrix: no unique solution. Names the operation, the column whose pivot vanished
// and how small it was against the matrix's largest entry.
export class SingularMatrixError extends Error {
  constructor(op: string, readonly column: number, pivot: number, largest: number) {
    super(
      `${op}: the matrix is singular to working precision: after eliminating columns 1 to ${column - 1}, ` +
        `the largest candidate pivot in column ${column} is ${pivot.toPrecision(3)}, against a largest entry of ` +
        `${largest.toPrecision(3)}; the system has no unique solution`,
    );
    this.name = "SingularMatrixError";
  }
}

// A (n×n) and B (n×m) → X (n×m) with A·X = B. Each column of B is a right-hand side. A pivot at
// most n·ε·max|A| (ε = 2⁻⁵²) counts as zero: the matrix is singular as far as float64 can tell,
// and a SingularMatrixError says so instead of returning huge or non-finite numbers. A and B are
// left unchanged. Throws a ShapeError when A is not square or B has another number of rows.
export function solve(A: Matrix, B: Matrix): Matrix {
  if (A.rows !== A.cols) throw new ShapeError("solve", [A.shape, B.shape], "A must be square");
  if (B.rows !== A.rows) {
    throw new ShapeError("solve", [A.shape, B.shape], `B needs one row per row of A, ${A.rows}`);
  }
  const n = A.rows;
  const m = B.cols;
  // the augmented rows [A | B], eliminated in place on copies
  const rows = A.toRows().map((row, i) => [...row, ...B.getRow(i).data]);
  const largest = A.maxAbs();
  const tiny = n * Number.EPSILON * largest;
  for (let j = 0; j < n; j++) {
    // partial pivoting: the row with the largest |entry| in column j, at or below row j
    let p = j;
    for (let i = j + 1; i < n; i++) if (Math.abs(rows[i][j]) > Math.abs(rows[p][j])) p = i;
    if (!(Math.abs(rows[p][j]) > tiny)) throw new SingularMatrixError("solve", j + 1, Math.abs(rows[p][j]), largest);
    [rows[j], rows[p]] = [rows[p], rows[j]];
    for (let i = j + 1; i < n; i++) {
      const f = rows[i][j] / rows[j][j];
      if (f === 0) continue;
      for (let c = j; c < n + m; c++) rows[i][c] -= f * rows[j][c];
    }
  }
  // back substitution, one right-hand side (column of B) at a time
  const X = floats(n * m);
  for (let c = 0; c < m; c++) {
    for (let i = n - 1; i >= 0; i--) {
      let s = rows[i][n + c];
      for (let k = i + 1; k < n; k++) s -= rows[i][k] * X[k * m + c];
      X[i * m + c] = s / rows[i][i];
    }
  }
  return new Matrix(n, m, X);
}
