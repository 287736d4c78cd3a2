// The inner loop of matmulFast (matmul-fast.ts) as a small WebAssembly module, assembled here
// byte by byte so that the project needs no compiler and ships no binary. Its SIMD instructions
// work on pairs of doubles (f64x2): one instruction multiplies, or adds, two independent entries
// of C, each rounded exactly as the scalar JavaScript operation would round it, and WebAssembly has
// no fused multiply-add, so every entry is the reference's sum s = 0, s += a·b for p = 0, …, n − 1
// to the last bit. In plain JavaScript the same blocked loop ran at 4–5 GFLOP/s; here at ~16.
//
// What the one exported function computes, on panels that matmulFast has packed (see there):
//
//   gemm(a, b, c, rowPanels, colPanels, n):   // a, b, c: byte addresses in the module's memory
//     for I < rowPanels, J < colPanels:       // panel I of op(A) (n×4) and J of op(B)ᵀ (n×4)
//       acc[r] = (0, 0), (0, 0) for r < 4     // row r of the 4×4 block: columns 0–1 and 2–3
//       for p < n:
//         for r < 4: acc[r] += (a_I[p][r], a_I[p][r]) · (b_J[p][0..1], b_J[p][2..3])
//       store acc[r] to C row 4I + r, columns 4J … 4J + 3
//
// C has 4·colPanels doubles per row. 8 accumulators, 2 loaded pairs of b and 1 of a fit the 16
// SIMD registers, so the loop runs without spilling.

const R = 4; // the block is R×R; the body below is written for exactly this size
const PANEL_ROW = R * 8; // bytes of one p in a panel: R doubles

export interface GemmWasm {
  // byte offsets of a (rowPanels·n·R doubles), b (colPanels·n·R) and c (rowPanels·R × colPanels·R)
  // in memory, grown to hold them; f64 views the whole memory (a view made before is stale then)
  reserve(rowPanels: number, colPanels: number, n: number): { a: number; b: number; c: number; f64: Float64Array };
  // the product of the packed panels at a and b, stored at c; shapes as in reserve
  gemm(a: number, b: number, c: number, rowPanels: number, colPanels: number, n: number): void;
}

let instance: GemmWasm | undefined;

// → the module, compiled on first use (~1 ms, synchronously: it is a few hundred bytes)
export function gemmWasm(): GemmWasm {
  instance ??= instantiate();
  return instance;
}

// Node has WebAssembly, but the project's TypeScript settings (lib ES2022 and Node's types) do not
// declare it; these are the few parts used here.
interface WebAssemblyApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object) => { exports: Record<string, unknown> };
}
interface WebAssemblyMemory {
  readonly buffer: ArrayBuffer;
  grow(pages: number): number;
}

function instantiate(): GemmWasm {
  const { Instance, Module } = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;
  const exports = new Instance(new Module(moduleBytes())).exports;
  const memory = exports.memory as WebAssemblyMemory;
  const gemm = exports.gemm as GemmWasm["gemm"];
  let f64 = new Float64Array(memory.buffer);
  return {
    gemm,
    reserve(rowPanels, colPanels, n) {
      const [aBytes, bBytes] = [rowPanels * n * PANEL_ROW, colPanels * n * PANEL_ROW];
      const bytes = aBytes + bBytes + rowPanels * colPanels * R * PANEL_ROW;
      if (bytes > memory.buffer.byteLength) {
        memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / 65536)); // 64 KiB pages
        f64 = new Float64Array(memory.buffer);
      }
      return { a: 0, b: aBytes, c: aBytes + bBytes, f64 };
    },
  };
}

// ---- the encoding (WebAssembly binary format 1.0 with its SIMD extension)

// unsigned and signed LEB128, the format's variable-length integers
function uleb(x: number): number[] {
  const out: number[] = [];
  do {
    out.push((x & 0x7f) | (x >= 0x80 ? 0x80 : 0));
    x >>>= 7;
  } while (x > 0);
  return out;
}
function sleb(x: number): number[] {
  const out: number[] = [];
  for (;;) {
    const low = x & 0x7f;
    x >>= 7;
    const done = (x === 0 && (low & 0x40) === 0) || (x === -1 && (low & 0x40) !== 0);
    out.push(done ? low : low | 0x80);
    if (done) return out;
  }
}
const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()];
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
const name = (s: string): number[] => vec([...s].map((ch) => [ch.charCodeAt(0)]));

const [i32, v128] = [0x7f, 0x7b];
const get = (local: number): number[] => [0x20, ...uleb(local)];
const set = (local: number): number[] => [0x21, ...uleb(local)];
const tee = (local: number): number[] => [0x22, ...uleb(local)];
const int = (x: number): number[] => [0x41, ...sleb(x)];
const [add, mul, ne, ltU] = [[0x6a], [0x6c], [0x47], [0x49]]; // on i32
const loop = [0x03, 0x40]; // a loop with no result; `br_if 0` inside it jumps back to its start
const again = [0x0d, 0x00]; // br_if 0
const end = [0x0b];
const simd = (op: number, ...immediates: number[]): number[] => [0xfd, ...uleb(op), ...immediates];
// memory accesses take (log₂ alignment, offset); 8-byte alignment is all that matmulFast promises
const load = (offset: number): number[] => simd(0x00, 3, ...uleb(offset)); // v128.load
const loadSplat = (offset: number): number[] => simd(0x0a, 3, ...uleb(offset)); // a double, twice
const store = (offset: number): number[] => simd(0x0b, 3, ...uleb(offset)); // v128.store
const zeros = simd(0x0c, ...new Array<number>(16).fill(0)); // v128.const 0
const [addF64x2, mulF64x2] = [simd(0xf0), simd(0xf2)];

function moduleBytes(): Uint8Array {
  // the parameters, then the locals: addresses and counters (i32), then pairs of doubles (v128)
  const [a, b, c, rowPanels, colPanels, n] = [0, 1, 2, 3, 4, 5];
  const [I, J, pa, pb, paEnd, at, rowBytes, panelBytes] = [6, 7, 8, 9, 10, 11, 12, 13];
  const acc = (r: number, half: number): number => 14 + 2 * r + half; // 14 … 21
  const [aa, b01, b23] = [22, 23, 24];
  const block = [0, 1, 2, 3]; // r < R
  const step = (local: number, by: number[]): number[] => [...get(local), ...by, ...add, ...set(local)];

  const body = [
    ...get(colPanels), ...int(PANEL_ROW), ...mul, ...set(rowBytes),
    ...get(n), ...int(PANEL_ROW), ...mul, ...set(panelBytes),
    ...loop, // I, from 0
    ...int(0), ...set(J),
    ...loop, // J, from 0
    ...get(a), ...get(I), ...get(panelBytes), ...mul, ...add, ...tee(pa), ...get(panelBytes), ...add, ...set(paEnd),
    ...get(b), ...get(J), ...get(panelBytes), ...mul, ...add, ...set(pb),
    ...block.flatMap((r) => [...zeros, ...set(acc(r, 0)), ...zeros, ...set(acc(r, 1))]),
    ...loop, // p: pa and pb advance one row of their panels, until pa reaches paEnd (n ≥ 1)
    ...get(pb), ...load(0), ...set(b01),
    ...get(pb), ...load(16), ...set(b23),
    ...block.flatMap((r) => [
      ...get(pa), ...loadSplat(8 * r), ...set(aa),
      ...get(acc(r, 0)), ...get(aa), ...get(b01), ...mulF64x2, ...addF64x2, ...set(acc(r, 0)),
      ...get(acc(r, 1)), ...get(aa), ...get(b23), ...mulF64x2, ...addF64x2, ...set(acc(r, 1)),
    ]),
    ...step(pb, int(PANEL_ROW)),
    ...get(pa), ...int(PANEL_ROW), ...add, ...tee(pa), ...get(paEnd), ...ne, ...again,
    ...end,
    // at = c + (R·I)·rowBytes + J·PANEL_ROW: the block's top-left entry
    ...get(c), ...get(I), ...int(R), ...mul, ...get(rowBytes), ...mul, ...add,
    ...get(J), ...int(PANEL_ROW), ...mul, ...add, ...set(at),
    ...block.flatMap((r) => [
      ...get(at), ...get(acc(r, 0)), ...store(0),
      ...get(at), ...get(acc(r, 1)), ...store(16),
      ...step(at, get(rowBytes)),
    ]),
    ...get(J), ...int(1), ...add, ...tee(J), ...get(colPanels), ...ltU, ...again,
    ...end,
    ...get(I), ...int(1), ...add, ...tee(I), ...get(rowPanels), ...ltU, ...again,
    ...end,
    ...end,
  ];
  const code = [...vec([[...uleb(8), i32], [...uleb(11), v128]]), ...body]; // 8 i32 and 11 v128 locals
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00], // "\0asm", version 1
    ...section(1, vec([[0x60, ...vec([a, b, c, rowPanels, colPanels, n].map(() => [i32])), ...vec([])]])), // type: (6 × i32) → ()
    ...section(3, vec([[0]])), // one function, of type 0
    ...section(5, vec([[0x00, 1]])), // one memory, 1 page to start, no maximum
    ...section(7, vec([[...name("gemm"), 0x00, 0], [...name("memory"), 0x02, 0]])), // exports
    ...section(10, vec([[...uleb(code.length), ...code]])),
  ]);
}
