import { gemmWasm } from "./gemm-wasm.js";
import { matmulShape } from "../core/linalg.js";
import { floats, floatsOf } from "../core/floats.js";
import { Matrix } from "../core/matrix.js";

// The fast twin of linalg.ts's matmul: the same arguments and the same result, bit for bit, about
// 60 times faster on the network's big products. Every entry is still summed as s = 0, then
// s += a·b for p = 0, 1, …, n − 1, the reference's order, so the rounding is the same (neither
// JavaScript nor WebAssembly fuses a·b + s into one FMA); only the bookkeeping around those sums
// changes:
// - C is computed in 4×4 blocks held in registers (gemm-wasm.ts, two entries per instruction):
//   each number loaded is used 4 times, where the reference loads two, through two closures, per
//   multiply-add;
// - op(A) and op(B) are first copied into panels of 4 rows, p-major, so the inner loop reads both
//   contiguously whatever the transposes: all four variants are one loop at one speed;
// - panels and C are zero-padded to whole blocks, so the edges need no code of their own;
// - the sum over p is not split into chunks, which would reorder it and change the last digits.

// Any matrix product with matmul's signature: op(A) (K×n) · op(B) (n×m) → K×m.
export type Matmul = (A: Matrix, B: Matrix, transA?: boolean, transB?: boolean) => Matrix;

const R = 4; // the block is R×R, as in gemm-wasm.ts

// Products of at most this many multiply-adds (K·n·m) cost more to copy into WebAssembly's memory
// and back than to compute: they are summed in plain loops (matmulSmall).
export const SMALL_PRODUCT = 2048;

// op(A) (K×n) · op(B) (n×m) → K×m, equal bit for bit to matmul(A, B, transA, transB); throws
// matmul's ShapeError (named matmulFast) when the inner sizes differ.
export function matmulFast(A: Matrix, B: Matrix, transA = false, transB = false): Matrix {
  const [K, n, m] = matmulShape("matmulFast", A, B, transA, transB);
  if (K * n * m <= SMALL_PRODUCT) return matmulSmall(A, B, transA, transB, K, n, m);
  const wasm = gemmWasm();
  const [rowPanels, colPanels] = [Math.ceil(K / R), Math.ceil(m / R)];
  const { a, b, c, f64 } = wasm.reserve(rowPanels, colPanels, n);
  // op(A)[i][p] = A.data[i·rowStride + p·pStride], and op(B)ᵀ[j][p] likewise
  pack(A.data, K, n, transA ? 1 : A.cols, transA ? A.cols : 1, f64, a / 8);
  pack(B.data, m, n, transB ? B.cols : 1, transB ? 1 : B.cols, f64, b / 8);
  wasm.gemm(a, b, c, rowPanels, colPanels, n);
  return new Matrix(K, m, unpad(f64, c / 8, colPanels * R, K, m));
}

// A small product in the reference's order, without its closures: each entry is still s = 0,
// then s += a·b for p = 0, 1, …, n − 1, so the numbers are the same bit for bit. Entries are summed
// in blocks of 2 rows × 4 columns of C side by side: each number loaded is used 2 or 4 times, and
// the eight sums, independent of each other, overlap in the processor. Edges go one entry at a
// time. (Plain lets, no destructuring and no inner function: either made it 2–3× slower.)
function matmulSmall(A: Matrix, B: Matrix, transA: boolean, transB: boolean, K: number, n: number, m: number): Matrix {
  const a = A.data;
  const b = B.data;
  // op(A)[i][p] = a[i·ai + p·ap], op(B)[p][j] = b[p·bp + j·bj]
  const ai = transA ? 1 : A.cols;
  const ap = transA ? A.cols : 1;
  const bp = transB ? 1 : B.cols;
  const bj = transB ? B.cols : 1;
  const out = floats(K * m);
  const K2 = K - (K % 2);
  const m4 = m - (m % 4);
  for (let i = 0; i < K2; i += 2) {
    for (let j = 0; j < m4; j += 4) {
      let s00 = 0, s01 = 0, s02 = 0, s03 = 0, s10 = 0, s11 = 0, s12 = 0, s13 = 0;
      for (let p = 0, x = i * ai, y = j * bj; p < n; p++, x += ap, y += bp) {
        const u = a[x];
        const v = a[x + ai];
        const b0 = b[y];
        const b1 = b[y + bj];
        const b2 = b[y + 2 * bj];
        const b3 = b[y + 3 * bj];
        s00 += u * b0;
        s01 += u * b1;
        s02 += u * b2;
        s03 += u * b3;
        s10 += v * b0;
        s11 += v * b1;
        s12 += v * b2;
        s13 += v * b3;
      }
      const at = i * m + j;
      out[at] = s00;
      out[at + 1] = s01;
      out[at + 2] = s02;
      out[at + 3] = s03;
      out[at + m] = s10;
      out[at + m + 1] = s11;
      out[at + m + 2] = s12;
      out[at + m + 3] = s13;
    }
  }
  // the entries no block covered: the last m mod 4 columns, then the last row when K is odd
  for (let i = 0; i < K; i++) {
    for (let j = i < K2 ? m4 : 0; j < m; j++) {
      let s = 0;
      for (let p = 0, x = i * ai, y = j * bj; p < n; p++, x += ap, y += bp) s += a[x] * b[y];
      out[i * m + j] = s;
    }
  }
  return new Matrix(K, m, out);
}

// X read as rows×n, entry (i, p) at X[i·rowStride + p·pStride] → ⌈rows/R⌉ panels of R rows, each
// stored p-major (n×R), written into out from `at`: entry (i, p) goes to panel ⌊i/R⌋ at p·R + i mod R.
// Rows past the end are set to 0, since the memory holds the previous product's numbers.
// The loops run along whichever index X is contiguous in (a transposed read along p jumps a whole
// row of X per entry, which measured 2–3× slower on a 784×128 matrix).
function pack(X: Float64Array, rows: number, n: number, rowStride: number, pStride: number, out: Float64Array, at: number): void {
  const padded = Math.ceil(rows / R) * R;
  const start = (i: number): number => at + (i - (i % R)) * n + (i % R); // where (i, 0) goes
  if (pStride === 1) {
    for (let i = 0; i < rows; i++) {
      const [to, from] = [start(i), i * rowStride];
      for (let p = 0; p < n; p++) out[to + p * R] = X[from + p];
    }
  } else {
    for (let p = 0; p < n; p++) {
      for (let i = 0; i < rows; i++) out[start(i) + p * R] = X[i * rowStride + p * pStride];
    }
  }
  for (let i = rows; i < padded; i++) {
    for (let p = 0; p < n; p++) out[start(i) + p * R] = 0;
  }
}

// C (rows `width` apart, padded, from C[at]) → a copy of its top-left K×m, row-major
function unpad(C: Float64Array, at: number, width: number, K: number, m: number): Float64Array {
  if (width === m) return floatsOf(C.subarray(at, at + K * m));
  const out = floats(K * m);
  for (let i = 0; i < K; i++) out.set(C.subarray(at + i * width, at + i * width + m), i * m);
  return out;
}
