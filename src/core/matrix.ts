import { NonFiniteError, assertFinite, assertPositiveInt } from "./errors.js";
import { elide, formatNumber } from "./format.js";
import type { Rng } from "./rng.js";
import { ShapeError } from "./errors.js";
import { floats, floatsOf } from "./floats.js";

// A dense rows×cols matrix of doubles, stored row-major: entry (i, j) is data[i * cols + j].
// Every operation checks shapes exactly and never broadcasts; broadcasting is spelled out
// in broadcast.ts. Every entry is finite: a NaN or ±Infinity is rejected where it appears.
export class Matrix {
  readonly rows: number;
  readonly cols: number;
  readonly data: Float64Array;

  // data is row-major; a Float64Array is adopted as the storage (not copied), a plain array is
  // copied. Without data the matrix is all zeros.
  constructor(rows: number, cols: number, data?: Float64Array | readonly number[]) {
    assertPositiveInt("Matrix", "rows", rows);
    assertPositiveInt("Matrix", "cols", cols);
    if (data !== undefined && data.length !== rows * cols) {
      throw new Error(
        `Matrix: data has ${data.length} entries, expected ${rows}×${cols} = ${rows * cols}`,
      );
    }
    this.rows = rows;
    this.cols = cols;
    if (data instanceof Float64Array) this.data = data;
    else this.data = data === undefined ? floats(rows * cols) : floatsOf(data);
    // x − x is 0 for every finite x and NaN for NaN and ±Infinity; a plain loop, since every
    // product and activation builds a Matrix and a callback per entry costs ~10% of a training step
    const d = this.data;
    for (let k = 0; k < d.length; k++) {
      if (d[k] - d[k] !== 0) {
        const [i, j] = [Math.floor(k / cols), k % cols];
        throw new NonFiniteError(`Matrix ${rows}×${cols}: entry (${i},${j}) is ${String(d[k])}, expected a finite number`);
      }
    }
  }

  // → r×c of zeros
  static zeros(r: number, c: number): Matrix {
    return new Matrix(r, c);
  }

  // → r×c of ones
  static ones(r: number, c: number): Matrix {
    assertPositiveInt("Matrix.ones", "rows", r);
    assertPositiveInt("Matrix.ones", "cols", c);
    return new Matrix(r, c, floats(r * c).fill(1));
  }

  // → n×n identity
  static identity(n: number): Matrix {
    return Matrix.fill(n, n, (i, j) => (i === j ? 1 : 0));
  }

  // → r×c with entry (i, j) = fn(i, j)
  static fill(r: number, c: number, fn: (i: number, j: number) => number): Matrix {
    assertPositiveInt("Matrix.fill", "rows", r);
    assertPositiveInt("Matrix.fill", "cols", c);
    const data = floats(r * c);
    for (let i = 0; i < r; i++) {
      for (let j = 0; j < c; j++) data[i * c + j] = fn(i, j);
    }
    return new Matrix(r, c, data);
  }

  // → r×c with independent normal(0, scale) entries
  static random(r: number, c: number, rng: Rng, scale = 1): Matrix {
    assertFinite("Matrix.random", "scale", scale);
    return Matrix.fill(r, c, () => rng.normal(0, scale));
  }

  // rows: r arrays of c numbers → r×c
  static fromRows(rows: readonly (readonly number[])[]): Matrix {
    if (rows.length === 0 || rows[0].length === 0) {
      throw new Error("Matrix.fromRows: expected at least one row with at least one entry");
    }
    const c = rows[0].length;
    rows.forEach((row, i) => {
      if (row.length !== c) {
        throw new Error(`Matrix.fromRows: row ${i} has ${row.length} entries, expected ${c} like row 0`);
      }
    });
    return new Matrix(rows.length, c, rows.flat());
  }

  // n values → n×1
  static column(values: readonly number[]): Matrix {
    return new Matrix(values.length, 1, values);
  }

  // n values → 1×n
  static row(values: readonly number[]): Matrix {
    return new Matrix(1, values.length, values);
  }

  // "3×5"
  get shape(): string {
    return `${this.rows}×${this.cols}`;
  }

  sameShape(o: Matrix): boolean {
    return this.rows === o.rows && this.cols === o.cols;
  }

  get(i: number, j: number): number {
    return this.data[this.index("get", i, j)];
  }

  set(i: number, j: number, v: number): void {
    assertFinite("Matrix.set", "value", v);
    this.data[this.index("set", i, j)] = v;
  }

  toRows(): number[][] {
    return Array.from({ length: this.rows }, (_, i) =>
      Array.from(this.data.subarray(i * this.cols, (i + 1) * this.cols)),
    );
  }

  // A copy of its own: a copy is made to be kept, so it gets a buffer of its own rather than a
  // part of a shared one (floats.ts), which it would keep alive whole.
  clone(): Matrix {
    return new Matrix(this.rows, this.cols, this.data.slice());
  }

  // r×c, i → 1×c
  getRow(i: number): Matrix {
    return this.selectRows([i]);
  }

  // r×c, j → r×1
  getCol(j: number): Matrix {
    this.index("getCol", 0, j);
    return Matrix.fill(this.rows, 1, (i) => this.data[i * this.cols + j]);
  }

  // r×c, p indices → p×c: row k of the result is row indices[k] (repeats allowed)
  selectRows(indices: readonly number[]): Matrix {
    if (indices.length === 0) throw new Error("Matrix.selectRows: expected at least one index");
    indices.forEach((i) => this.index("selectRows", i, 0));
    return Matrix.fill(indices.length, this.cols, (k, j) => this.data[indices[k] * this.cols + j]);
  }

  // Elementwise, shapes must be equal. (r×c) ∘ (r×c) → r×c
  add(o: Matrix): Matrix {
    return this.zip("add", o, (a, b) => a + b);
  }

  sub(o: Matrix): Matrix {
    return this.zip("sub", o, (a, b) => a - b);
  }

  // Hadamard product ⊙
  mul(o: Matrix): Matrix {
    return this.zip("mul", o, (a, b) => a * b);
  }

  // a zero divisor is refused by name rather than left to become an infinity
  div(o: Matrix): Matrix {
    const zero = o.data.indexOf(0);
    if (this.sameShape(o) && zero >= 0) {
      throw new Error(`div: division by zero, entry (${Math.floor(zero / o.cols)},${zero % o.cols}) of the divisor is 0`);
    }
    return this.zip("div", o, (a, b) => a / b);
  }

  // r×c → r×c
  scale(s: number): Matrix {
    assertFinite("scale", "the factor", s);
    return this.map((x) => x * s);
  }

  addScalar(s: number): Matrix {
    assertFinite("addScalar", "the number added", s);
    return this.map((x) => x + s);
  }

  // r×c → r×c. A plain loop: through fill, every entry would cost a second closure call.
  map(fn: (x: number, i: number, j: number) => number): Matrix {
    const [d, out] = [this.data, floats(this.data.length)];
    for (let i = 0, k = 0; i < this.rows; i++) {
      for (let j = 0; j < this.cols; j++, k++) out[k] = fn(d[k], i, j);
    }
    return new Matrix(this.rows, this.cols, out);
  }

  // r×c → c×r, materialised (matmul's transA/transB flags avoid this copy)
  T(): Matrix {
    return Matrix.fill(this.cols, this.rows, (i, j) => this.data[j * this.cols + i]);
  }

  // Sums keep two dimensions, with numpy's axis meaning:
  // axis 0 sums over rows (over samples): r×c → 1×c; axis 1 sums over columns: r×c → r×1.
  // Every sum starts at 0 and adds its terms in index order, i = 0, 1, … (or j), so any other code
  // that sums in that order gets the same digits. The loops read data directly: through get() and
  // a closure per term, the bias gradient cost more than the products around it.
  sum(axis: 0 | 1): Matrix {
    const [r, c, d] = [this.rows, this.cols, this.data];
    if (axis === 0) {
      const out = floats(c); // out[j] = Σ_i d(i, j), row after row
      for (let i = 0; i < r; i++) {
        for (let j = 0; j < c; j++) out[j] += d[i * c + j];
      }
      return new Matrix(1, c, out);
    }
    if (axis === 1) {
      const out = floats(r);
      for (let i = 0; i < r; i++) out[i] = sumRange(d, i * c, (i + 1) * c);
      return new Matrix(r, 1, out);
    }
    throw new Error(`Matrix.sum: axis must be 0 (over rows) or 1 (over columns), got ${String(axis)}`);
  }

  // sum of all entries
  total(): number {
    return sumRange(this.data, 0, this.data.length);
  }

  mean(): number {
    return this.total() / this.data.length;
  }

  maxAbs(): number {
    return this.data.reduce((m, x) => Math.max(m, Math.abs(x)), 0);
  }

  // numpy's rule, entrywise: |a − b| ≤ atol + rtol·|b|. Different shapes are simply not close.
  allClose(o: Matrix, rtol = 1e-9, atol = 1e-12): boolean {
    return this.sameShape(o) && this.data.every((a, k) => Math.abs(a - o.data[k]) <= atol + rtol * Math.abs(o.data[k]));
  }

  // (r×c) vs (r×c) → max |a − b|
  maxAbsDiff(o: Matrix): number {
    return this.zip("maxAbsDiff", o, (a, b) => a - b).maxAbs();
  }

  // "Matrix 3×5" and then the rows, aligned; beyond 8 rows or columns the middle is elided with ….
  toString(digits = 4): string {
    const cells = elide(this.rows, 8, "toString").map((i) =>
      elide(this.cols, 8, "toString").map((j) => (i === null || j === null ? "…" : formatNumber(this.get(i, j), digits))),
    );
    const width = Math.max(...cells.flat().map((s) => s.length));
    const lines = cells.map((row) => "  " + row.map((s) => s.padStart(width)).join(" "));
    return [`Matrix ${this.shape}`, ...lines].join("\n");
  }

  // Elementwise binary operation on two matrices of the same shape, the only kind there is.
  private zip(op: string, o: Matrix, f: (a: number, b: number) => number): Matrix {
    if (!this.sameShape(o)) {
      throw new ShapeError(op, [this.shape, o.shape], "elementwise operations need equal shapes; broadcast explicitly");
    }
    // a plain loop: a typed array's map calls back through a slower generic path
    const [a, b, out] = [this.data, o.data, floats(this.data.length)];
    for (let k = 0; k < out.length; k++) out[k] = f(a[k], b[k]);
    try {
      return new Matrix(this.rows, this.cols, out);
    } catch (e) {
      if (e instanceof NonFiniteError) throw new NonFiniteError(`${op}: ${e.message}`); // name the operation
      throw e;
    }
  }

  private index(op: string, i: number, j: number): number {
    if (!Number.isInteger(i) || !Number.isInteger(j) || i < 0 || i >= this.rows || j < 0 || j >= this.cols) {
      throw new RangeError(`Matrix.${op}: index (${String(i)},${String(j)}) is outside ${this.shape}`);
    }
    return i * this.cols + j;
  }
}

// d[from] + d[from + 1] + … + d[to − 1], summed from 0 in that order
function sumRange(d: Float64Array, from: number, to: number): number {
  let s = 0;
  for (let k = from; k < to; k++) s += d[k];
  return s;
}
