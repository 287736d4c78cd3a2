import { ShapeError } from "../core/errors.js";
import { broadcastCols, broadcastRows, matmul } from "../core/linalg.js";
import { Matrix } from "../core/matrix.js";
import { sigmoid, softmax } from "./activations.js";
import type { Rng } from "../core/rng.js";
import { oneHot } from "./datasets.js";
import { lecun } from "./init.js";
import { crossEntropy } from "./losses.js";

// The map (notebook 00b): a two-layer network's forward and backward pass on a mini-batch, every
// array once, in the series' layout (samples as rows) and in the column layout (samples as
// columns, as Nielsen's book and Ng's courses write it), each array computed by the library's own
// calls. Every call renders itself, from the same tree that computed the array, as the library
// call, the numpy expression, the formula (TeX) and a plain-text label for the drawing
// (view/shapes.ts), and records which axis it sums over; so the notebook's tables, its drawing,
// its glossary and the numpy test (test/numpy-map.test.mts, which runs every numpy line on these
// numbers) cannot drift apart.
//
//   X (K×n) → Z₁ = X·W₁ + 1·b₁ (K×h) → A₁ = σ(Z₁) → Z₂ = A₁·W₂ + 1·b₂ (K×m) → P = softmax(Z₂)
//   → E = −(1/K) Σ Y ⊙ log P;  G = ∂E/∂Z₂ = (P − Y)/K, then ∂W₂, ∂b₂, ∂A₁, ∂Z₁, ∂W₁, ∂b₁, ∂X.
//
// In the column layout every array is the transpose of its row-layout namesake (X is n×K, W₁ is
// h×n, b₁ is h×1), so every product runs the other way, (AB)ᵀ = BᵀAᵀ, and every sum over the
// batch runs along the other axis. Both layouts are computed, and each column-layout array is the
// transpose of its twin (the notebook checks it).

export type Layout = "rows" | "cols";
export const LAYOUTS: readonly Layout[] = ["rows", "cols"];

// A named axis: the batch K, a layer's width (n inputs, h hidden units, m classes), or 1.
// axisWords(a) says it in words: "the K = 5 samples".
export interface Axis {
  name: "K" | "n" | "h" | "m" | "1";
  size: number;
  what: string; // "samples", "inputs", …
  one: string; // "sample", "input", …
}

export const axisWords = (a: Axis): string => `the ${a.name} = ${a.size} ${a.size === 1 ? a.one : a.what}`;

// Whether an array has the batch axis (one row per sample, or one column), and whether a step
// sums over the batch (a product whose inner axis is K, or a sum over K; the loss's sum aside).
export const hasBatchAxis = (r: Pick<Rendering, "axes">): boolean => r.axes.some((a) => a.name === "K");
export const sumsOverBatch = (r: Pick<Rendering, "sums">): boolean =>
  r.sums.some((s) => s.axis.name === "K" && (s.how === "product" || s.how === "sum"));

// A sum a step runs, over one axis: inside a matrix product (its inner axis), a copy (a product
// whose inner axis has length 1: a bias reaching every sample), an explicit sum with numpy's axis
// number, softmax's normalisation, or the loss's sum over every entry.
export interface MapSum {
  axis: Axis;
  how: "product" | "copy" | "sum" | "softmax" | "loss";
  numpyAxis?: 0 | 1;
}

// A factor of a product as the drawing shows it: its label, its axes as drawn (rows, columns).
export interface Factor {
  label: string;
  axes: readonly [Axis, Axis];
  ones: boolean; // a vector of ones
}

// One product of a step, its factors in order: "·" a matrix product (contracting `contracts`),
// "⊙" an entrywise one.
export interface Term {
  op: "·" | "⊙";
  factors: readonly Factor[];
  contracts?: Axis;
}

// One use of a library call: the call's template (a glossary key), the arrays it was given, its
// result. The glossary's numpy can be run on these (test/numpy-map.test.mts does).
export interface CallUse {
  key: string;
  args: Readonly<Record<string, Matrix>>;
  value: Matrix;
}

// One array in one layout: its value, computed by `library`; the numpy expression and the formula
// that compute it from the arrays before it; the sums it runs.
export interface Rendering {
  value: Matrix;
  axes: readonly [Axis, Axis];
  library: string;
  numpy: string;
  tex: string; // the formula's right side
  label: string; // the same in plain text, for the drawing
  sums: readonly MapSum[];
  terms?: readonly Term[]; // the step as a sum of products of named arrays, when it is one
  calls: readonly CallUse[];
}

export interface MapStep {
  name: string; // in code, in both layouts: "dW1"
  symbol: string; // TeX: "\partial W_1"
  text: string; // plain: "∂W₁"
  pass: "given" | "forward" | "backward";
  meaning: string;
  rows: Rendering;
  cols: Rendering;
}

// A library call with its numpy equivalent, as the map uses it.
export interface GlossaryEntry {
  library: string; // the call with placeholders: "matmul(A, B, true)"
  numpy: string; // the same with the same placeholders: "A.T @ B"
  meaning: string;
  usedIn: Readonly<Record<Layout, readonly string[]>>; // the steps (plain names) that use it
  example: CallUse & { layout: Layout }; // its first use
}

export interface MapInputs {
  X: Matrix; // K×n, one sample per row
  Y: Matrix; // K×m, one-hot targets (or rows that are probability distributions)
  W1: Matrix; // n×h
  b1: Matrix; // 1×h
  W2: Matrix; // h×m
  b2: Matrix; // 1×m
}

export interface BackpropMap {
  sizes: { K: Axis; n: Axis; h: Axis; m: Axis };
  steps: readonly MapStep[];
  get(name: string): MapStep; // by its name in code; throws naming the known ones
  glossary(): GlossaryEntry[]; // every call the map makes, in the order of first use
}

// ---------------------------------------------------------------------------------------------
// The calls. Each renders an expression from its arguments' renderings, with the precedence its
// text has (numpy's, TeX's): an argument of lower precedence than its place needs is put in
// parentheses. The glossary renders the same templates on placeholder names.

const ATOM = 3;
const PRODUCT = 2;
const SUM = 1;

interface Text {
  text: string;
  prec: number;
}
const wrap = (a: Text, min: number): string => (a.prec >= min ? a.text : `(${a.text})`);
const atomText = (text: string): Text => ({ text, prec: ATOM });

interface CallForm {
  library: (...a: string[]) => string;
  numpy: (...a: Text[]) => Text;
  tex: (...a: Text[]) => Text;
  label: (...a: Text[]) => Text;
  params: readonly string[]; // placeholder names, for the glossary
  meaning: string;
}

const T_TEX = "^{\\top}";
const T_LABEL = "ᵀ";

const matmulForm = (ta: boolean, tb: boolean): CallForm => ({
  params: ["A", "B"],
  library: (a, b) => `matmul(${a}, ${b}${tb ? `, ${ta}, true` : ta ? ", true" : ""})`,
  numpy: (a, b) => ({
    text: `${ta ? `${wrap(a, ATOM)}.T` : wrap(a, PRODUCT)} @ ${tb ? `${wrap(b, ATOM)}.T` : wrap(b, PRODUCT + 1)}`,
    prec: PRODUCT,
  }),
  tex: (a, b) => ({ text: `${wrap(a, ta ? ATOM : PRODUCT)}${ta ? T_TEX : ""}\\,${wrap(b, tb ? ATOM : PRODUCT + 1)}${tb ? T_TEX : ""}`, prec: PRODUCT }),
  label: (a, b) => ({ text: `${wrap(a, ta ? ATOM : PRODUCT)}${ta ? T_LABEL : ""}·${wrap(b, tb ? ATOM : PRODUCT + 1)}${tb ? T_LABEL : ""}`, prec: PRODUCT }),
  meaning: ta ? "Aᵀ·B: the product with A transposed, without building Aᵀ"
    : tb ? "A·Bᵀ: the product with B transposed, without building Bᵀ"
    : "A·B: the matrix product",
});

const FORMS = {
  matmul: matmulForm(false, false),
  matmulTA: matmulForm(true, false),
  matmulTB: matmulForm(false, true),
  broadcastRows: {
    params: ["b"],
    library: (b) => `broadcastRows(${b}, K)`,
    numpy: (b) => ({ text: `np.ones((K, 1)) @ ${wrap(b, PRODUCT + 1)}`, prec: PRODUCT }),
    tex: (b) => ({ text: `\\mathbf 1\\,${wrap(b, PRODUCT + 1)}`, prec: PRODUCT }),
    label: (b) => ({ text: `1·${wrap(b, PRODUCT + 1)}`, prec: PRODUCT }),
    meaning: "1·b, the row b copied into K rows (numpy's X @ W + b broadcasts b the same way, unsaid)",
  },
  broadcastCols: {
    params: ["b"],
    library: (b) => `broadcastCols(${b}, K)`,
    numpy: (b) => ({ text: `${wrap(b, PRODUCT)} @ np.ones((1, K))`, prec: PRODUCT }),
    tex: (b) => ({ text: `${wrap(b, PRODUCT)}\\,\\mathbf 1${T_TEX}`, prec: PRODUCT }),
    label: (b) => ({ text: `${wrap(b, PRODUCT)}·1ᵀ`, prec: PRODUCT }),
    meaning: "b·1ᵀ, the column b copied into K columns (numpy's W @ X + b broadcasts it so)",
  },
  add: {
    params: ["A", "B"],
    library: (a, b) => `${a}.add(${b})`,
    numpy: (a, b) => ({ text: `${wrap(a, SUM)} + ${wrap(b, SUM + 1)}`, prec: SUM }),
    tex: (a, b) => ({ text: `${wrap(a, SUM)} + ${wrap(b, SUM + 1)}`, prec: SUM }),
    label: (a, b) => ({ text: `${wrap(a, SUM)} + ${wrap(b, SUM + 1)}`, prec: SUM }),
    meaning: "A + B, entry by entry; the shapes must be equal (no broadcasting)",
  },
  sub: {
    params: ["A", "B"],
    library: (a, b) => `${a}.sub(${b})`,
    numpy: (a, b) => ({ text: `${wrap(a, SUM)} - ${wrap(b, SUM + 1)}`, prec: SUM }),
    tex: (a, b) => ({ text: `${wrap(a, SUM)} - ${wrap(b, SUM + 1)}`, prec: SUM }),
    label: (a, b) => ({ text: `${wrap(a, SUM)} − ${wrap(b, SUM + 1)}`, prec: SUM }),
    meaning: "A − B, entry by entry; the shapes must be equal",
  },
  overK: {
    params: ["M"],
    library: (m) => `${m}.scale(1 / K)`,
    numpy: (m) => ({ text: `${wrap(m, PRODUCT)} / K`, prec: PRODUCT }),
    tex: (m) => ({ text: `\\tfrac{1}{K}${wrap(m, PRODUCT + 1)}`, prec: PRODUCT }),
    label: (m) => ({ text: `${wrap(m, PRODUCT)}/K`, prec: PRODUCT }),
    meaning: "M divided by the batch size K",
  },
  sum0: {
    params: ["M"],
    library: (m) => `${m}.sum(0)`,
    numpy: (m) => ({ text: `${wrap(m, ATOM)}.sum(axis=0, keepdims=True)`, prec: ATOM }),
    tex: (m) => ({ text: `\\mathbf 1${T_TEX}${wrap(m, PRODUCT + 1)}`, prec: PRODUCT }),
    label: (m) => ({ text: `1ᵀ·${wrap(m, PRODUCT + 1)}`, prec: PRODUCT }),
    meaning: "1ᵀ·M: the sum down each column, over the rows, kept as a 1-row matrix",
  },
  sum1: {
    params: ["M"],
    library: (m) => `${m}.sum(1)`,
    numpy: (m) => ({ text: `${wrap(m, ATOM)}.sum(axis=1, keepdims=True)`, prec: ATOM }),
    tex: (m) => ({ text: `${wrap(m, PRODUCT)}\\,\\mathbf 1`, prec: PRODUCT }),
    label: (m) => ({ text: `${wrap(m, PRODUCT)}·1`, prec: PRODUCT }),
    meaning: "M·1: the sum along each row, over the columns, kept as a 1-column matrix",
  },
  sigmoid: {
    params: ["Z"],
    library: (z) => `sigmoid.f(${z})`,
    numpy: (z) => ({ text: `1 / (1 + np.exp(-${wrap(z, ATOM)}))`, prec: PRODUCT }),
    tex: (z) => ({ text: `\\sigma(${z.text})`, prec: ATOM }),
    label: (z) => ({ text: `σ(${z.text})`, prec: ATOM }),
    meaning: "σ(Z) = 1/(1 + e^(−Z)), entry by entry",
  },
  sigmoidBackward: {
    params: ["Z", "A", "dA"],
    library: (z, a, da) => `sigmoid.backward(${z}, ${a}, ${da})`,
    numpy: (_z, a, da) => ({ text: `${wrap(da, PRODUCT)} * ${wrap(a, PRODUCT + 1)} * (1 - ${wrap(a, PRODUCT + 1)})`, prec: PRODUCT }),
    tex: (_z, a, da) => ({ text: `${wrap(da, PRODUCT)}\\odot ${wrap(a, PRODUCT + 1)}\\odot(1 - ${wrap(a, PRODUCT + 1)})`, prec: PRODUCT }),
    label: (_z, a, da) => ({ text: `${wrap(da, PRODUCT)}⊙${wrap(a, PRODUCT + 1)}⊙(1−${wrap(a, PRODUCT + 1)})`, prec: PRODUCT }),
    meaning: "the sigmoid's backward pass: dA ⊙ σ′(Z), with σ′(Z) = A ⊙ (1 − A) from A = σ(Z)",
  },
  softmax: {
    params: ["Z"],
    library: (z) => `softmax.f(${z})`,
    numpy: (z) => ({ text: `np.exp(${z.text}) / np.exp(${z.text}).sum(axis=1, keepdims=True)`, prec: PRODUCT }),
    tex: (z) => ({ text: `\\operatorname{softmax}(${z.text})`, prec: ATOM }),
    label: (z) => ({ text: `softmax(${z.text})`, prec: ATOM }),
    meaning: "softmax of each row. The numpy line is the formula: with a logit above about 709, np.exp overflows to inf " +
      "and the row becomes nan. The library subtracts each row's largest entry first (Z − Z.max(axis=1, keepdims=True) " +
      "in numpy), which leaves the result unchanged and no exponential above 1",
  },
  softmaxCols: {
    params: ["Z"],
    library: (z) => `softmax.f(${z}.T()).T()`,
    numpy: (z) => ({ text: `np.exp(${z.text}) / np.exp(${z.text}).sum(axis=0, keepdims=True)`, prec: PRODUCT }),
    tex: (z) => ({ text: `\\operatorname{softmax}(${z.text})`, prec: ATOM }),
    label: (z) => ({ text: `softmax(${z.text})`, prec: ATOM }),
    meaning: "softmax of each column: the library's softmax works on rows, so transpose there and back (as a formula, " +
      "the numpy line overflows as the row one does; subtract Z.max(axis=0, keepdims=True) first)",
  },
  crossEntropy: {
    params: ["P", "Y"],
    library: (p, y) => `crossEntropy(${p}, ${y}, "mean").loss`,
    numpy: (p, y) => ({ text: `-(${wrap(y, PRODUCT)} * np.log(${p.text})).sum() / K`, prec: PRODUCT }),
    tex: (p, y) => ({ text: `-\\tfrac{1}{K}\\textstyle\\sum ${wrap(y, PRODUCT)}\\odot\\log ${wrap(p, ATOM)}`, prec: PRODUCT }),
    label: (p, y) => ({ text: `−Σ ${wrap(y, PRODUCT)}⊙log ${wrap(p, ATOM)} / K`, prec: PRODUCT }),
    meaning: "the mean cross-entropy, samples as rows: the sum over every entry, divided by K",
  },
  crossEntropyCols: {
    params: ["P", "Y"],
    library: (p, y) => `crossEntropy(${p}.T(), ${y}.T(), "mean").loss`,
    numpy: (p, y) => ({ text: `-(${wrap(y, PRODUCT)} * np.log(${p.text})).sum() / K`, prec: PRODUCT }),
    tex: (p, y) => ({ text: `-\\tfrac{1}{K}\\textstyle\\sum ${wrap(y, PRODUCT)}\\odot\\log ${wrap(p, ATOM)}`, prec: PRODUCT }),
    label: (p, y) => ({ text: `−Σ ${wrap(y, PRODUCT)}⊙log ${wrap(p, ATOM)} / K`, prec: PRODUCT }),
    meaning: "the mean cross-entropy, samples as columns: the library takes samples as rows, so transpose",
  },
} satisfies Record<string, CallForm>;
type FormName = keyof typeof FORMS;

// The template of a call: its library text on placeholder names, the glossary's key.
const keyOf = (form: CallForm): string => form.library(...form.params);

// ---------------------------------------------------------------------------------------------
// Expressions in one layout

interface Expr extends Rendering {
  np: Text;
  texText: Text;
  labelText: Text;
  atom: boolean; // a named array (it can be a drawn factor)
}

function named(name: string, tex: string, label: string, value: Matrix, axes: readonly [Axis, Axis]): Expr {
  if (value.rows !== axes[0].size || value.cols !== axes[1].size) {
    const expected = `${axes[0].name}×${axes[1].name} = ${axes[0].size}×${axes[1].size}`;
    throw new ShapeError("backpropMap", [value.shape], `${name} must be ${expected}`);
  }
  return {
    value, axes, library: name, numpy: name, tex, label, sums: [], calls: [],
    np: atomText(name), texText: atomText(tex), labelText: atomText(label), atom: true,
  };
}

const factor = (e: Expr, transposed: boolean, ones = false): Factor => ({
  label: transposed ? `${e.label}${T_LABEL}` : e.label,
  axes: transposed ? [e.axes[1], e.axes[0]] : e.axes,
  ones,
});

// Applies a call: the texts from the arguments', the value from `compute`.
function call(
  name: FormName,
  args: readonly Expr[],
  value: Matrix,
  axes: readonly [Axis, Axis],
  own: { sums?: readonly MapSum[]; terms?: readonly Term[] } = {},
): Expr {
  const form: CallForm = FORMS[name];
  const np = form.numpy(...args.map((a) => a.np));
  const texText = form.tex(...args.map((a) => a.texText));
  const labelText = form.label(...args.map((a) => a.labelText));
  const use: CallUse = { key: keyOf(form), args: Object.fromEntries(form.params.map((p, i) => [p, args[i].value])), value };
  return {
    value, axes, np, texText, labelText,
    library: form.library(...args.map((a) => a.library)),
    numpy: np.text, tex: texText.text, label: labelText.text,
    sums: [...args.flatMap((a) => a.sums), ...(own.sums ?? [])],
    terms: own.terms,
    calls: [...args.flatMap((a) => a.calls), use],
    atom: false,
  };
}

// op(a)·op(b), op(X) = X or Xᵀ: the named axes must meet (the inner one is what it sums over).
function product(a: Expr, b: Expr, ta: boolean, tb: boolean): Expr {
  const [ra, ca] = ta ? [a.axes[1], a.axes[0]] : a.axes;
  const [rb, cb] = tb ? [b.axes[1], b.axes[0]] : b.axes;
  if (ca.name !== rb.name) {
    throw new ShapeError("backpropMap", [`${ra.name}×${ca.name}`, `${rb.name}×${cb.name}`], "a product must contract an axis with itself");
  }
  if (ta && tb) throw new Error("backpropMap: the map has no product with both factors transposed");
  const name: FormName = ta ? "matmulTA" : tb ? "matmulTB" : "matmul";
  const terms = a.atom && b.atom ? [{ op: "·" as const, factors: [factor(a, ta), factor(b, tb)], contracts: ca }] : undefined;
  return call(name, [a, b], matmul(a.value, b.value, ta, tb), [ra, cb], {
    sums: [{ axis: ca, how: ca.name === "1" ? "copy" : "product" }],
    terms,
  });
}

// ---------------------------------------------------------------------------------------------
// The map's operations, in both layouts at once

type Pair = Record<Layout, Expr>;

interface Sizes {
  K: Axis;
  n: Axis;
  h: Axis;
  m: Axis;
  one: Axis;
}

// op(a)·op(b) in the row layout is op(b)ᵀ·op(a)ᵀ = op(b′)·op(a′) on the column layout's arrays.
const times = (a: Pair, b: Pair, ta = false, tb = false): Pair => ({
  rows: product(a.rows, b.rows, ta, tb),
  cols: product(b.cols, a.cols, tb, ta),
});

// 1·b (rows) or b·1ᵀ (columns): the bias reaching each of the K samples
function bias(b: Pair, s: Sizes): Pair {
  const r = b.rows;
  const c = b.cols;
  const ones = (rows: Axis, cols: Axis, label: string): Factor => ({ label, axes: [rows, cols], ones: true });
  return {
    rows: call("broadcastRows", [r], broadcastRows(r.value, s.K.size), [s.K, r.axes[1]], {
      sums: [{ axis: s.one, how: "copy" }],
      terms: [{ op: "·", factors: [ones(s.K, s.one, "1"), factor(r, false)], contracts: s.one }],
    }),
    cols: call("broadcastCols", [c], broadcastCols(c.value, s.K.size), [c.axes[0], s.K], {
      sums: [{ axis: s.one, how: "copy" }],
      terms: [{ op: "·", factors: [factor(c, false), ones(s.one, s.K, "1ᵀ")], contracts: s.one }],
    }),
  };
}

// 1ᵀ·M (rows: .sum(0)) or M·1 (columns: .sum(1)): the sum over the batch
function batchSum(M: Pair, s: Sizes): Pair {
  const r = M.rows;
  const c = M.cols;
  return {
    rows: call("sum0", [r], r.value.sum(0), [s.one, r.axes[1]], {
      sums: [{ axis: s.K, how: "sum", numpyAxis: 0 }],
      terms: [{ op: "·", factors: [{ label: "1ᵀ", axes: [s.one, s.K], ones: true }, factor(r, false)], contracts: s.K }],
    }),
    cols: call("sum1", [c], c.value.sum(1), [c.axes[0], s.one], {
      sums: [{ axis: s.K, how: "sum", numpyAxis: 1 }],
      terms: [{ op: "·", factors: [factor(c, false), { label: "1", axes: [s.K, s.one], ones: true }], contracts: s.K }],
    }),
  };
}

const both = (f: (layout: Layout) => Expr): Pair => ({ rows: f("rows"), cols: f("cols") });

function plus(a: Pair, b: Pair): Pair {
  return both((L) => {
    const [ta, tb] = [a[L].terms, b[L].terms];
    return call("add", [a[L], b[L]], a[L].value.add(b[L].value), a[L].axes, { terms: ta && tb ? [...ta, ...tb] : undefined });
  });
}

// ---------------------------------------------------------------------------------------------

// The numbers of notebook 00b, drawn from rng in this order: X with standard normal entries (K×n),
// one-hot targets Y with classes drawn uniformly (K×m), W₁ and W₂ with LeCun's scale 1/√fan-in
// (init.ts), and biases that are not zero (normal, standard deviation 0.1), so that 1·b shows.
export function randomMapInputs(sizes: { K: number; n: number; h: number; m: number }, rng: Rng): MapInputs {
  const { K, n, h, m } = sizes;
  const X = Matrix.random(K, n, rng);
  const Y = oneHot(Array.from({ length: K }, () => rng.int(m)), m);
  const W1 = lecun(n, h, rng);
  const b1 = Matrix.random(1, h, rng, 0.1);
  const W2 = lecun(h, m, rng);
  const b2 = Matrix.random(1, m, rng, 0.1);
  return { X, Y, W1, b1, W2, b2 };
}

// The map of one mini-batch: every array of the forward and the backward pass, in both layouts.
// Throws a ShapeError naming the array whose shape does not fit the others.
export function backpropMap(inputs: MapInputs): BackpropMap {
  const { X, Y, W1, b1, W2, b2 } = inputs;
  const s: Sizes = {
    K: { name: "K", size: X.rows, what: "samples", one: "sample" },
    n: { name: "n", size: X.cols, what: "inputs", one: "input" },
    h: { name: "h", size: W1.cols, what: "hidden units", one: "hidden unit" },
    m: { name: "m", size: W2.cols, what: "classes", one: "class" },
    one: { name: "1", size: 1, what: "ones", one: "one" },
  };
  const steps: MapStep[] = [];
  // A named array in both layouts: the row layout's axes given, the column layout's reversed.
  const add = (name: string, symbol: string, text: string, pass: MapStep["pass"], meaning: string, p: Pair): Pair => {
    steps.push({ name, symbol, text, pass, meaning, rows: p.rows, cols: p.cols });
    return {
      rows: named(name, symbol, text, p.rows.value, p.rows.axes),
      cols: named(name, symbol, text, p.cols.value, p.cols.axes),
    };
  };
  const given = (name: string, symbol: string, text: string, meaning: string, value: Matrix, axes: [Axis, Axis]): Pair =>
    add(name, symbol, text, "given", meaning, {
      rows: named(name, symbol, text, value, axes),
      cols: named(name, symbol, text, value.T(), [axes[1], axes[0]]),
    });
  const fwd = (name: string, symbol: string, text: string, meaning: string, p: Pair) => add(name, symbol, text, "forward", meaning, p);
  const bwd = (name: string, symbol: string, text: string, meaning: string, p: Pair) => add(name, symbol, text, "backward", meaning, p);

  const x = given("X", "X", "X", "the mini-batch: one sample per row (per column, in the other layout)", X, [s.K, s.n]);
  const y = given("Y", "Y", "Y", "the targets, one-hot", Y, [s.K, s.m]);
  const w1 = given("W1", "W_1", "W₁", "layer 1's weights", W1, [s.n, s.h]);
  const c1 = given("b1", "b_1", "b₁", "layer 1's bias, one number per hidden unit", b1, [s.one, s.h]);
  const w2 = given("W2", "W_2", "W₂", "layer 2's weights", W2, [s.h, s.m]);
  const c2 = given("b2", "b_2", "b₂", "layer 2's bias, one number per class", b2, [s.one, s.m]);

  const z1 = fwd("Z1", "Z_1", "Z₁", "layer 1's pre-activations", plus(times(x, w1), bias(c1, s)));
  const a1 = fwd("A1", "A_1", "A₁", "the hidden layer's output, the input of layer 2", both((L) =>
    call("sigmoid", [z1[L]], sigmoid.f(z1[L].value), z1[L].axes)));
  const z2 = fwd("Z2", "Z_2", "Z₂", "the logits, one score per class and sample", plus(times(a1, w2), bias(c2, s)));
  const p = fwd("P", "P", "P", "the probabilities: softmax of each sample's logits", {
    rows: call("softmax", [z2.rows], softmax.f(z2.rows.value), z2.rows.axes, { sums: [{ axis: s.m, how: "softmax", numpyAxis: 1 }] }),
    cols: call("softmaxCols", [z2.cols], softmax.f(z2.cols.value.T()).T(), z2.cols.axes, {
      sums: [{ axis: s.m, how: "softmax", numpyAxis: 0 }],
    }),
  });
  const lossSums: MapSum[] = [{ axis: s.K, how: "loss" }, { axis: s.m, how: "loss" }];
  const loss = (value: number) => Matrix.fromRows([[value]]);
  fwd("E", "E", "E", "the loss: the mean cross-entropy, one number for the batch", {
    rows: call("crossEntropy", [p.rows, y.rows], loss(crossEntropy(p.rows.value, y.rows.value, "mean").loss), [s.one, s.one], { sums: lossSums }),
    cols: call("crossEntropyCols", [p.cols, y.cols], loss(crossEntropy(p.cols.value.T(), y.cols.value.T(), "mean").loss), [s.one, s.one], {
      sums: lossSums,
    }),
  });

  const g = bwd("G", "G", "G", "∂E/∂Z₂, where the backward pass starts (notebook 05 derives it)", both((L) => {
    const diff = call("sub", [p[L], y[L]], p[L].value.sub(y[L].value), p[L].axes);
    return call("overK", [diff], diff.value.scale(1 / s.K.size), p[L].axes);
  }));
  bwd("dW2", "\\partial W_2", "∂W₂", "∂E/∂W₂, layer 2's weight gradient", times(a1, g, true, false));
  bwd("db2", "\\partial b_2", "∂b₂", "∂E/∂b₂, layer 2's bias gradient", batchSum(g, s));
  const da1 = bwd("dA1", "\\partial A_1", "∂A₁", "∂E/∂A₁, handed back to layer 1", times(g, w2, false, true));
  const dz1 = bwd("dZ1", "\\partial Z_1", "∂Z₁", "∂E/∂Z₁, layer 1's error (δ for one sample's row)", both((L) => {
    const sigmaPrime: Factor = { label: `${a1[L].label}⊙(1−${a1[L].label})`, axes: a1[L].axes, ones: false };
    return call("sigmoidBackward", [z1[L], a1[L], da1[L]], sigmoid.backward(z1[L].value, a1[L].value, da1[L].value), a1[L].axes, {
      terms: [{ op: "⊙", factors: [factor(da1[L], false), sigmaPrime] }],
    });
  }));
  bwd("dW1", "\\partial W_1", "∂W₁", "∂E/∂W₁, layer 1's weight gradient", times(x, dz1, true, false));
  bwd("db1", "\\partial b_1", "∂b₁", "∂E/∂b₁, layer 1's bias gradient", batchSum(dz1, s));
  bwd("dX", "\\partial X", "∂X", "∂E/∂X, what a layer before this one would be handed", times(dz1, w1, false, true));

  const byName = new Map(steps.map((st) => [st.name, st]));
  return {
    sizes: { K: s.K, n: s.n, h: s.h, m: s.m },
    steps,
    get(name: string): MapStep {
      const st = byName.get(name);
      if (!st) throw new Error(`backpropMap: no array ${name}; the map has ${steps.map((q) => q.name).join(", ")}`);
      return st;
    },
    glossary: () => glossaryOf(steps),
  };
}

// Every call the steps make, once, with the steps that make it in each layout.
function glossaryOf(steps: readonly MapStep[]): GlossaryEntry[] {
  const forms = new Map(Object.values(FORMS).map((f: CallForm) => [keyOf(f), f]));
  const entries = new Map<string, { usedIn: Record<Layout, string[]>; example: CallUse & { layout: Layout } }>();
  for (const layout of LAYOUTS) {
    for (const st of steps) {
      for (const use of st[layout].calls) {
        const entry = entries.get(use.key) ?? { usedIn: { rows: [], cols: [] }, example: { ...use, layout } };
        if (!entry.usedIn[layout].includes(st.text)) entry.usedIn[layout].push(st.text);
        entries.set(use.key, entry);
      }
    }
  }
  return [...entries].map(([key, e]) => {
    const form = forms.get(key) as CallForm;
    return { library: key, numpy: form.numpy(...form.params.map(atomText)).text, meaning: form.meaning, ...e };
  });
}

// What the map's bookkeeping says about the batch axis (notebook 00b §2), read off the axes by
// name, so that it holds when K equals another size. Each list is the steps' plain names joined
// by ", ": lostK, the backward arrays without the axis K; overK, the steps whose product or sum
// runs over K; withK, the arrays with K, and kRows whether each of them has K rows in the row
// layout; gradients, the arrays with a gradient in the map, and misshapen, those whose gradient
// has another shape than theirs.
export interface BatchAxisFacts {
  lostK: string;
  overK: string;
  withK: string;
  kRows: boolean;
  gradients: string;
  misshapen: string;
}
export function batchAxisFacts(map: BackpropMap): BatchAxisFacts {
  const texts = (steps: readonly MapStep[]): string => steps.map((s) => s.text).join(", ");
  const withK = map.steps.filter((s) => hasBatchAxis(s.rows));
  const K = map.sizes.K.size;
  const names = new Set(map.steps.map((s) => s.name));
  const owners = map.steps.filter((s) => names.has(`d${s.name}`));
  const misshapen = owners.filter((s) => map.get(`d${s.name}`).rows.value.shape !== s.rows.value.shape);
  return {
    lostK: texts(map.steps.filter((s) => s.pass === "backward" && !hasBatchAxis(s.rows))),
    overK: texts(map.steps.filter((s) => sumsOverBatch(s.rows))),
    withK: texts(withK),
    kRows: withK.every((s) => s.rows.value.rows === K),
    gradients: texts(owners.map((s) => map.get(`d${s.name}`))),
    misshapen: texts(misshapen),
  };
}

// The largest entrywise difference between arrays computed elsewhere and the map's arrays of the
// same names (row layout): 0 when they are the same to the last bit (notebook 00b §3).
// Throws when no array is given, a name is not in the map (naming the ones it has) or a shape
// differs (ShapeError).
export function largestGap(map: BackpropMap, arrays: Readonly<Record<string, Matrix>>): number {
  if (Object.keys(arrays).length === 0) throw new Error("largestGap: no arrays to compare with the map");
  return Math.max(...Object.entries(arrays).map(([name, M]) => M.maxAbsDiff(map.get(name).rows.value)));
}
