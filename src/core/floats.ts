// n → a Float64Array of n zeros: the storage of every Matrix and of the arrays its operations fill.
//
// Why not simply `new Float64Array(n)`: V8 (Node and Chromium alike) keeps a typed array of more
// than 64 bytes outside its heap, with a buffer of its own, and making one is slow: for 16 doubles
// about 0.7 µs in Node 20 and 1.4–2.2 µs in Chromium's workers on the project's 2-core machine,
// more than the product of a 4×2 and a 2×4 matrix around it. A training step of a small network
// makes some thirty arrays. Here small arrays are cut, one after the other, from a shared
// ArrayBuffer of SLAB doubles: about 0.09 µs in Node (`npm run bench` prints both, side by side)
// and 0.2–0.7 µs in Chromium. A new buffer starts when the current one is full. The arrays are
// zeros because a part of a buffer is handed out only once, never reused: a buffer is freed by the
// garbage collector when no array cut from it is left. Arrays of more than PIECE doubles get a
// buffer of their own, as before.
//
// What changes for a caller: `data.buffer` is the shared buffer, longer than the array (read
// `data` itself, or copy it with `data.slice()`), and an array that stays alive keeps its whole
// buffer alive, SLAB doubles (64 KiB). That is why Matrix.clone(), the way to keep a copy (of the
// weights at every step of a path, say), gives its copy a buffer of its own. No number changes.
export const SLAB = 8192; // doubles per shared buffer: 64 KiB
export const PIECE = 512; // the largest array cut from one: 4 KiB, so at least 16 to a buffer

let buffer = new ArrayBuffer(SLAB * 8);
let used = 0; // doubles of `buffer` handed out

// n → n zeros, for a whole number n ≥ 0; any other n is handed to new Float64Array(n), which
// throws a RangeError for a negative one
export function floats(n: number): Float64Array {
  if (!(Number.isInteger(n) && n >= 0 && n <= PIECE)) return new Float64Array(n);
  if (used + n > SLAB) {
    buffer = new ArrayBuffer(SLAB * 8);
    used = 0;
  }
  const out = new Float64Array(buffer, used * 8, n);
  used += n;
  return out;
}

// values → a Float64Array holding a copy of them
export function floatsOf(values: ArrayLike<number>): Float64Array {
  const out = floats(values.length);
  out.set(values);
  return out;
}
