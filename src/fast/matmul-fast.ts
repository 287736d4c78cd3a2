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

// A small product in the reference's order (s = 0, then s += a·b for p = 0, 1, …), without its
// closures: the same numbers, bit for bit.
function matmulSmall(A: Matrix, B: Matrix, transA: boolean, transB: boolean, K: number, n: number, m: number): Matrix {
  const [a, b] = [A.data, B.data];
  // op(A)[i][p] = a[i·ai + p·ap], op(B)[p][j] = b[p·bp + j·bj]
  const [ai, ap] = transA ? [1, A.cols] : [A.cols, 1];
  const [bp, bj] = transB ? [1, B.cols] : [B.cols, 1];
  const out = floats(K * m);
  for (let i = 0; i < K; i++) {
    for (let j = 0; j < m; j++) {
      let s = 0;
      for (let p = 0; p < n; p++) s += a[i * ai + p * ap] * b[p * bp + j * bj];
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
