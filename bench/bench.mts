// `npm run bench [-- --json] [-- --clock cpu]`: the library's training step and matrix product
// against its own reference path and against TensorFlow.js (CPU and WASM backends), in one run.
//
// Workload: an MLP 784-128-10, sigmoid hidden layer, softmax cross-entropy on logits; one step =
// forward, backward, SGD update, at batch sizes K = 1, 32, 256, in samples per second; and the
// product 256×784 · 784×128 in GFLOP/s for each transpose variant the backward pass uses; and the
// arrays every Matrix is built on: floats(16) (src/core/floats.ts) against new Float64Array(16).
// Contenders: the library on its reference kernels (the teaching code), the same network on its fast ones,
// the per-sample path (lossAndGradsPerSample: the 256 samples one at a time) and TensorFlow.js on
// its CPU backend (plain JavaScript) and on its WASM backend (the SIMD build of XNNPACK's kernels,
// the .wasm file shipped in the npm package; single-threaded, the only choice tfjs makes in Node).
//
// Every repetition measures every contender once, in turn, so that a change in the machine's
// load hits all of them alike; figures are medians over the repetitions after one warm-up round,
// and each ratio is the median of its per-repetition ratios, whose two sides ran moments apart.
// Clock: the wall clock by default. On a machine busy with other work, --clock cpu judges by the
// CPU time of this process instead, which other processes do not inflate (every contender, tfjs
// included, computes on the one JavaScript thread; V8's helper threads for garbage collection
// count too, which is why on an idle machine CPU time can exceed wall time). The output shows both.
import { loadavg } from "node:os";
import * as tf from "@tensorflow/tfjs-core";
import "@tensorflow/tfjs-backend-cpu";
import "@tensorflow/tfjs-backend-wasm";
import { identity, sigmoid } from "../src/nn/activations.js";
import { oneHot } from "../src/nn/datasets.js";
import { matmul } from "../src/core/linalg.js";
import { softmaxCrossEntropy } from "../src/nn/losses.js";
import { type Matmul, matmulFast } from "../src/fast/matmul-fast.js";
import { floats } from "../src/core/floats.js";
import { Matrix } from "../src/core/matrix.js";
import { Network } from "../src/nn/network.js";
import { Rng } from "../src/core/rng.js";

type Clock = "cpu" | "wall";
type Contender = "reference" | "fast" | "perSample" | "tfjsCpu" | "tfjsWasm";
type Backend = "cpu" | "wasm";

const usage = "usage: npm run bench -- [--json] [--clock cpu|wall]";
const args = process.argv.slice(2);
const json = args.includes("--json");
const clockAt = args.indexOf("--clock");
const clock = clockAt < 0 ? "wall" : args[clockAt + 1];
if (clock !== "cpu" && clock !== "wall") fail(`--clock takes cpu or wall, got ${String(clock)}`);
const otherClock: Clock = clock === "cpu" ? "wall" : "cpu";
const unknown = args.filter((a, i) => a !== "--json" && i !== clockAt && !(clockAt >= 0 && i === clockAt + 1));
if (unknown.length) fail(`unknown argument ${unknown[0]}`);

const sizes = [784, 128, 10];
const batches = [1, 32, 256];
const [K, n, m] = [256, 784, 128]; // the product op(A) (K×n) · op(B) (n×m)
const repetitions = 7; // medians of these, after one warm-up round
const minSeconds = 0.05; // a measurement repeats its call for at least this long
const eta = 0.01; // small enough that thousands of steps on random data stay finite
const label: Record<Contender, string> = {
  reference: "library, reference path",
  fast: "library, fast path",
  perSample: "per-sample path, 256 × K=1",
  tfjsCpu: "TensorFlow.js CPU, float32",
  tfjsWasm: "TensorFlow.js WASM, float32",
};
const variants = [
  { name: "A·B", transA: false, transB: false },
  { name: "A·Bᵀ", transA: false, transB: true },
  { name: "Aᵀ·B", transA: true, transB: false },
];

function fail(message: string): never {
  console.error(`${message}\n${usage}`);
  process.exit(2);
}

// fn, repeated for at least minSeconds of wall clock → seconds per call by either clock
function measure(fn: () => void): Record<Clock, number> {
  const [cpu0, wall0] = [process.cpuUsage(), performance.now()];
  let calls = 0;
  do {
    fn();
    calls++;
  } while (performance.now() - wall0 < minSeconds * 1000);
  const cpu = process.cpuUsage(cpu0);
  return { cpu: (cpu.user + cpu.system) / 1e6 / calls, wall: (performance.now() - wall0) / 1000 / calls };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return (s[(s.length - 1) >> 1] + s[s.length >> 1]) / 2;
}

// ---- the library: one network, and a twin with the same weights on the reference path

const rng = new Rng(2024);
const inputs = Matrix.fill(256, sizes[0], () => rng.uniform()); // in [0, 1), as pixels are
const labels = oneHot(Array.from({ length: 256 }, () => rng.int(sizes[2])), sizes[2]);
const firstRows = (k: number): number[] => [...Array(k).keys()];
const batch = (k: number) => ({ X: inputs.selectRows(firstRows(k)), Y: labels.selectRows(firstRows(k)) });
const fastNet = Network.init(sizes, [sigmoid, identity], rng);
const referenceNet = new Network(fastNet.clone().layers, { fast: false });
const perSampleNet = fastNet.clone(); // lossAndGradsPerSample runs the reference code whatever the kernels

// net, k → one SGD step on the mean loss of the first k samples, batched or one sample at a time
function libraryStep(net: Network, k: number, perSample = false): () => void {
  const { X, Y } = batch(k);
  return () => {
    const { grads } = perSample
      ? net.lossAndGradsPerSample(X, Y, softmaxCrossEntropy, "mean")
      : net.lossAndGrads(X, Y, softmaxCrossEntropy, "mean");
    net.sgdStep(grads, eta);
  };
}

// ---- TensorFlow.js: the same network, data and step, in float32, its only dtype on the CPU and
// in WASM. The backward pass is written with tf ops, as the library computes it, and like the
// library and tf.variableGrads it skips the first layer's dX. (tf.variableGrads itself is out of
// reach here: tfjs-core's Node build registers no gradients, and its ES build does not load in plain
// Node.) Each backend holds its own tensors and weights; the backend a measurement needs is selected
// before it (after the first initialisation, selecting one only swaps a pointer).

tf.enableProdMode(); // tfjs's own setting for speed: fewer checks
const toTensor = (M: Matrix): tf.Tensor2D => tf.tensor2d(Float32Array.from(M.data), [M.rows, M.cols]);
const tfParams = new Map<Backend, tf.Variable[]>();
for (const backend of ["cpu", "wasm"] as const) {
  if (!(await tf.setBackend(backend))) fail(`TensorFlow.js could not start its ${backend} backend`);
  tfParams.set(backend, fastNet.params().map((p) => tf.variable(toTensor(p.value))));
}
const backendOf: Partial<Record<Contender, Backend>> = { tfjsCpu: "cpu", tfjsWasm: "wasm" };

// tensors are made on the backend selected when this is called
function tfjsStep(backend: Backend, k: number): () => void {
  const { X, Y } = batch(k);
  const [Xt, Yt] = [toTensor(X), toTensor(Y)];
  const params = tfParams.get(backend)!;
  const [W1, b1, W2, b2] = params;
  return () =>
    tf.tidy(() => {
      const A1 = tf.sigmoid(tf.add(tf.matMul(Xt, W1), b1)); // k×128
      const logP = tf.logSoftmax(tf.add(tf.matMul(A1, W2), b2)); // k×10
      const loss = tf.div(tf.neg(tf.sum(tf.mul(Yt, logP))), k);
      const dZ2 = tf.div(tf.sub(tf.exp(logP), Yt), k); // softmax − y, ÷ k for the mean
      const dZ1 = tf.mul(tf.matMul(dZ2, W2, false, true), tf.mul(A1, tf.sub(1, A1))); // σ′ = a(1 − a)
      const grads = [tf.matMul(Xt, dZ1, true, false), tf.sum(dZ1, 0, true), tf.matMul(A1, dZ2, true, false), tf.sum(dZ2, 0, true)];
      params.forEach((v, i) => v.assign(tf.sub(v, tf.mul(eta, grads[i]))));
      loss.dataSync();
    });
}

// ---- the product, with A and B stored so that op(A) is K×n and op(B) is n×m in every variant

function operands(transA: boolean, transB: boolean): { A: Matrix; B: Matrix } {
  return {
    A: transA ? Matrix.random(n, K, rng) : Matrix.random(K, n, rng),
    B: transB ? Matrix.random(m, n, rng) : Matrix.random(n, m, rng),
  };
}

function libraryProduct(mm: Matmul, transA: boolean, transB: boolean): () => void {
  const { A, B } = operands(transA, transB);
  return () => void mm(A, B, transA, transB);
}

function tfjsProduct(transA: boolean, transB: boolean): () => void {
  const { A, B } = operands(transA, transB);
  const [At, Bt] = [toTensor(A), toTensor(B)];
  return () => tf.tidy(() => void tf.matMul(At, Bt, transA, transB).dataSync());
}

// ---- the measurements, keyed "step <contender> <K>" and "matmul <contender> <variant>", in the
// order they run: the fast path next to the contenders it is compared with

const tasks = new Map<string, { backend?: Backend; fn: () => void }>();
// key → its task; a tfjs task is built on its own backend, selected first
async function add(key: string, who: Contender, make: () => () => void): Promise<void> {
  const backend = backendOf[who];
  if (backend) await tf.setBackend(backend);
  tasks.set(key, { backend, fn: make() });
}
for (const k of batches) {
  await add(`step fast ${k}`, "fast", () => libraryStep(fastNet, k));
  for (const who of ["tfjsWasm", "tfjsCpu"] as const) await add(`step ${who} ${k}`, who, () => tfjsStep(backendOf[who]!, k));
  await add(`step reference ${k}`, "reference", () => libraryStep(referenceNet, k));
}
await add("step perSample 256", "perSample", () => libraryStep(perSampleNet, 256, true));
for (const { name, transA, transB } of variants) {
  await add(`matmul fast ${name}`, "fast", () => libraryProduct(matmulFast, transA, transB));
  for (const who of ["tfjsWasm", "tfjsCpu"] as const) await add(`matmul ${who} ${name}`, who, () => tfjsProduct(transA, transB));
  await add(`matmul reference ${name}`, "reference", () => libraryProduct(matmul, transA, transB));
}

// ---- the arrays a small network's step is made of: 16 doubles (a 4×4 matrix), 64 to a call
const arrays = 64;
let sink: Float64Array | undefined; // the last array made, so that making them cannot be skipped
tasks.set("alloc floats", { fn: () => { for (let i = 0; i < arrays; i++) sink = floats(16); } });
tasks.set("alloc typed", { fn: () => { for (let i = 0; i < arrays; i++) sink = new Float64Array(16); } });

const started = performance.now();
const times = new Map<string, Record<Clock, number>[]>([...tasks.keys()].map((key) => [key, []]));
for (let round = 0; round <= repetitions; round++) {
  if (!json) process.stderr.write(round === 0 ? "warming up" : ` ${round}/${repetitions}`);
  for (const [key, { backend, fn }] of tasks) {
    if (backend) await tf.setBackend(backend);
    const t = measure(fn);
    if (round > 0) times.get(key)!.push(t);
  }
}
if (!json) process.stderr.write("\n");
const seconds = (performance.now() - started) / 1000;

// per repetition, by clock c: samples/s of a step, GFLOP/s of a product
const samplesPerSecond = (c: Clock, who: Contender, k: number): number[] => times.get(`step ${who} ${k}`)!.map((t) => k / t[c]);
const gflops = (c: Clock, who: Contender, variant: string): number[] =>
  times.get(`matmul ${who} ${variant}`)!.map((t) => (2 * K * n * m) / t[c] / 1e9);
const ratio = (xs: number[], ys: number[]): number => median(xs.map((x, r) => x / ys[r]));
const nsPerArray = (c: Clock, key: string): number[] => times.get(key)!.map((t) => (t[c] / arrays) * 1e9);

function summary(c: Clock) {
  const at = (k: number) => (who: Contender): number[] => samplesPerSecond(c, who, k);
  const [at256, at32] = [at(256), at(32)];
  const contenders: Contender[] = ["reference", "fast", "perSample", "tfjsCpu", "tfjsWasm"];
  return {
    samplesPerSecond: Object.fromEntries(contenders.map((who) => [who, Object.fromEntries(
      (who === "perSample" ? [256] : batches).map((k) => [`K${k}`, median(samplesPerSecond(c, who, k))]),
    )])),
    matmulGflops: Object.fromEntries(contenders.filter((who) => who !== "perSample").map((who) => [who, Object.fromEntries(
      variants.map(({ name }) => [name, median(gflops(c, who, name))]),
    )])),
    ratios: {
      fastOverNaiveK256: ratio(at256("fast"), at256("reference")),
      fastOverTfjsCpuK256: ratio(at256("fast"), at256("tfjsCpu")),
      fastOverTfjsWasmK256: ratio(at256("fast"), at256("tfjsWasm")),
      fastOverTfjsWasmK32: ratio(at32("fast"), at32("tfjsWasm")),
      batchedOverPerSampleK256: ratio(at256("fast"), at256("perSample")),
      referenceOverPerSampleK256: ratio(at256("reference"), at256("perSample")), // batching alone
      matmulGflopsMin: Math.min(...variants.map(({ name }) => median(gflops(c, "fast", name)))),
      // a ratio in the same run, so that a loaded machine slows both sides alike
      matmulFastOverReferenceMin: Math.min(...variants.map(({ name }) => ratio(gflops(c, "fast", name), gflops(c, "reference", name)))),
      floatsOverTypedArray: ratio(nsPerArray(c, "alloc typed"), nsPerArray(c, "alloc floats")), // how many times faster
    },
    nsPerArray: { floats: median(nsPerArray(c, "alloc floats")), typedArray: median(nsPerArray(c, "alloc typed")) },
  };
}

const judged = summary(clock);
const other = summary(otherClock);
const r = judged.ratios;
const targets = [
  { target: "fast path ≥ 3× the reference path at K = 256", value: r.fastOverNaiveK256, min: 3, unit: "×" },
  { target: "fast path ≥ 4× TensorFlow.js CPU at K = 256", value: r.fastOverTfjsCpuK256, min: 4, unit: "×" },
  { target: "fast path ≥ TensorFlow.js WASM at K = 256", value: r.fastOverTfjsWasmK256, min: 1, unit: "×" },
  { target: "fast path ≥ TensorFlow.js WASM at K = 32", value: r.fastOverTfjsWasmK32, min: 1, unit: "×" },
  { target: "every fast transpose variant ≥ 10× the reference's", value: r.matmulFastOverReferenceMin, min: 10, unit: "×" },
  { target: "batched ≥ 2× the per-sample path at K = 256", value: r.batchedOverPerSampleK256, min: 2, unit: "×" },
  { target: "floats(16) ≥ 3× as fast as new Float64Array(16)", value: r.floatsOverTypedArray, min: 3, unit: "×" },
].map((t) => ({ ...t, pass: t.value >= t.min }));
const cpuShare = median([...times.values()].flat().map((t) => t.cpu / t.wall));
const load = loadavg(); // as uptime shows it: runnable processes, averaged over 1, 5 and 15 minutes

if (json) {
  console.log(JSON.stringify({
    workload: {
      mlp: sizes, hidden: "sigmoid", loss: "softmax cross-entropy, mean", batches, matmul: `${K}×${n} · ${n}×${m}`,
      dtype: { library: "float64", tfjsCpu: "float32", tfjsWasm: "float32" },
    },
    clock, repetitions, seconds, cpuShareOfWall: cpuShare, loadAverage: load,
    ...judged,
    targets: targets.map(({ target, value, min, pass }) => ({ target, value, min, pass })),
    [otherClock]: other,
  }, null, 2));
} else {
  const fmt = (x: number): string => (x >= 100 ? x.toFixed(0) : x.toPrecision(3));
  const row = (name: string, cells: string[]): string => name.padEnd(30) + cells.map((s) => s.padStart(9)).join("");
  const clockName = clock === "cpu" ? "CPU time" : "wall clock";
  console.log(`MLP 784-128-10, sigmoid, softmax cross-entropy: one SGD step, samples/s by ${clockName}`);
  console.log(`medians of ${repetitions} interleaved repetitions after a warm-up; the library in float64, tfjs in float32 (its only dtype on the CPU and in WASM)\n`);
  console.log(row("", batches.map((k) => `K=${k}`)));
  for (const [who, table] of Object.entries(judged.samplesPerSecond)) {
    console.log(row(label[who as Contender], batches.map((k) => (table[`K${k}`] === undefined ? "" : fmt(table[`K${k}`])))));
  }
  console.log("\n" + row(`matmul ${K}×${n}·${n}×${m}, GFLOP/s`, variants.map((v) => v.name)));
  for (const [who, table] of Object.entries(judged.matmulGflops)) {
    console.log(row(label[who as Contender], variants.map((v) => fmt(table[v.name]))));
  }
  const o = other.ratios;
  console.log(`\nratios at K = 256, medians of the per-repetition ratios (${otherClock === "cpu" ? "CPU time" : "wall clock"} in parentheses)`);
  const line = (name: string, a: number, b: number, unit = "×", note = ""): void =>
    console.log(`  ${name.padEnd(26)}${(fmt(a) + unit).padStart(8)}  (${fmt(b)}${unit})${note}`);
  line("fast / reference", r.fastOverNaiveK256, o.fastOverNaiveK256);
  line("fast / TensorFlow.js CPU", r.fastOverTfjsCpuK256, o.fastOverTfjsCpuK256);
  line("fast / TensorFlow.js WASM", r.fastOverTfjsWasmK256, o.fastOverTfjsWasmK256);
  line("  the same at K = 32", r.fastOverTfjsWasmK32, o.fastOverTfjsWasmK32);
  line("fast / per-sample", r.batchedOverPerSampleK256, o.batchedOverPerSampleK256);
  line("reference / per-sample", r.referenceOverPerSampleK256, o.referenceOverPerSampleK256, "×", "  batching alone, one matmul");
  line("slowest fast variant", r.matmulGflopsMin, o.matmulGflopsMin, " GFLOP/s");
  const [ns, nsOther] = [judged.nsPerArray, other.nsPerArray];
  console.log(`\nan array of 16 doubles: floats() ${fmt(ns.floats)} ns (${fmt(nsOther.floats)}), ` +
    `new Float64Array ${fmt(ns.typedArray)} ns (${fmt(nsOther.typedArray)})`);
  line("floats / new Float64Array", r.floatsOverTypedArray, o.floatsOverTypedArray, "×", "  times as fast");
  console.log(`\nthis process was on a CPU ${(100 * cpuShare).toFixed(0)}% of the wall-clock time (median); ${seconds.toFixed(0)} s in all`);
  console.log(`load average at the end (1, 5, 15 min): ${load.map((x) => x.toFixed(2)).join(", ")}`);
  console.log(`targets, by ${clockName}:`);
  targets.forEach((t) => console.log(`  ${t.pass ? "PASS" : "FAIL"}  ${t.target}: ${fmt(t.value)}${t.unit}`));
}
process.exitCode = targets.every((t) => t.pass) ? 0 : 1; // not process.exit(), which can cut a piped stdout short
