// backpropMap (src/nn/map.ts): the map's arrays are the network's (lossAndGrads and finite
// differences agree), each column-layout array is the transpose of its row-layout twin, the
// texts say what was computed, and the tables (src/view/map-tables.ts) are built from them.
// test/numpy-map.test.mts runs the numpy lines.
import { describe, expect, it } from "vitest";
import { ShapeError } from "../src/core/errors.js";
import { Matrix } from "../src/core/matrix.js";
import { Rng } from "../src/core/rng.js";
import { identity, sigmoid } from "../src/nn/activations.js";
import { Dense } from "../src/nn/dense.js";
import { softmaxCrossEntropy } from "../src/nn/losses.js";
import { backpropMap, batchAxisFacts, hasBatchAxis, largestGap, LAYOUTS, randomMapInputs, sumsOverBatch, type MapInputs } from "../src/nn/map.js";
import { Network } from "../src/nn/network.js";
import { numericalGradient, gradCheck } from "../src/check/gradcheck.js";
import { relError } from "../src/check/diagnose.js";
import { checkTex } from "../src/view/tex.js";
import { glossaryTable, layoutsTable, notationTable, numpyTable, SERIES_SYMBOLS } from "../src/view/map-tables.js";

const SIZES = [
  { K: 1, n: 4, h: 6, m: 3 },
  { K: 2, n: 1, h: 1, m: 2 },
  { K: 5, n: 4, h: 6, m: 3 },
  { K: 64, n: 7, h: 5, m: 4 },
];
const inputs = (s: (typeof SIZES)[number], seed = 1): MapInputs => randomMapInputs(s, new Rng(seed));
const NAMES = ["X", "Y", "W1", "b1", "W2", "b2", "Z1", "A1", "Z2", "P", "E", "G", "dW2", "db2", "dA1", "dZ1", "dW1", "db1", "dX"];

describe("backpropMap", () => {
  it.each(SIZES)("its gradients are the network's, and finite differences agree (K = $K, n = $n, h = $h, m = $m)", (s) => {
    const inp = inputs(s);
    const map = backpropMap(inp);
    const net = new Network([new Dense(inp.W1, inp.b1, sigmoid), new Dense(inp.W2, inp.b2, identity)]);
    const { loss, grads } = net.lossAndGrads(inp.X, inp.Y, softmaxCrossEntropy, "mean");
    expect(Math.abs(map.get("E").rows.value.get(0, 0) - loss)).toBeLessThan(1e-12 * Math.max(1, loss));
    for (const name of ["W1", "b1", "W2", "b2"]) expect(relError(map.get(`d${name}`).rows.value, grads[name])).toBeLessThan(1e-12);
    const lossAt = () => net.evaluate(inp.X, inp.Y, softmaxCrossEntropy, "mean");
    const reports = gradCheck(net.params(), lossAt, ["dW1", "db1", "dW2", "db2"].map((n) => map.get(n).rows.value));
    expect(Math.max(...reports.map((r) => r.relError))).toBeLessThan(1e-7);
    expect(relError(map.get("dX").rows.value, numericalGradient(inp.X, lossAt))).toBeLessThan(1e-7);
  });

  it.each(SIZES)("every column-layout array is the transpose of its row-layout twin, to the last bit (K = $K)", (s) => {
    const map = backpropMap(inputs(s));
    expect(map.steps.map((st) => st.name)).toEqual(NAMES);
    for (const st of map.steps) expect(st.cols.value.maxAbsDiff(st.rows.value.T()), st.name).toBe(0);
  });

  it("names the batch axis and the sizes of every array, the axis K first with samples as rows and last with columns", () => {
    const map = backpropMap(inputs({ K: 5, n: 4, h: 6, m: 3 }));
    const shape = (name: string, L: "rows" | "cols") => map.get(name)[L].axes.map((a) => a.name).join("×");
    expect(NAMES.map((n) => shape(n, "rows"))).toEqual([
      "K×n", "K×m", "n×h", "1×h", "h×m", "1×m", "K×h", "K×h", "K×m", "K×m", "1×1", "K×m",
      "h×m", "1×m", "K×h", "K×h", "n×h", "1×h", "K×n",
    ]);
    for (const st of map.steps) {
      expect(shape(st.name, "cols"), st.name).toBe(shape(st.name, "rows").split("×").reverse().join("×"));
      for (const L of LAYOUTS) expect([st[L].value.rows, st[L].value.cols]).toEqual(st[L].axes.map((a) => a.size));
    }
    // every gradient has its array's shape
    for (const name of ["W1", "b1", "W2", "b2", "A1", "Z1", "X"]) expect(shape(`d${name}`, "rows")).toBe(shape(name, "rows"));
  });

  it("says what each step sums over: the inner axis of a product, numpy's axis of a sum, in both layouts", () => {
    const map = backpropMap(inputs({ K: 5, n: 4, h: 6, m: 3 }));
    const sums = (name: string, L: "rows" | "cols") => map.get(name)[L].sums.map((s) => `${s.axis.name}:${s.how}${s.numpyAxis ?? ""}`).join(",");
    expect(sums("Z1", "rows")).toBe("n:product,1:copy");
    expect(sums("dW2", "rows")).toBe("K:product");
    expect(sums("dA1", "rows")).toBe("m:product");
    expect(sums("dX", "cols")).toBe("h:product");
    expect(sums("db1", "rows")).toBe("K:sum0");
    expect(sums("db1", "cols")).toBe("K:sum1");
    expect(sums("P", "rows")).toBe("m:softmax1");
    expect(sums("P", "cols")).toBe("m:softmax0");
    expect(sums("dZ1", "rows")).toBe("");
  });

  it("finds where K leaves: the backward steps without a batch axis are the ones that sum over it", () => {
    const map = backpropMap(inputs({ K: 4, n: 4, h: 4, m: 4 })); // sizes equal: only the names tell K apart
    const text = (f: (st: (typeof map.steps)[number]) => boolean) => map.steps.filter(f).map((st) => st.text);
    expect(text((st) => st.pass === "backward" && !hasBatchAxis(st.rows))).toEqual(["∂W₂", "∂b₂", "∂W₁", "∂b₁"]);
    expect(text((st) => sumsOverBatch(st.rows))).toEqual(["∂W₂", "∂b₂", "∂W₁", "∂b₁"]);
    expect(text((st) => sumsOverBatch(st.cols))).toEqual(["∂W₂", "∂b₂", "∂W₁", "∂b₁"]);
    expect(text((st) => hasBatchAxis(st.rows))).toEqual(["X", "Y", "Z₁", "A₁", "Z₂", "P", "G", "∂A₁", "∂Z₁", "∂X"]);
  });

  it("sums up the batch axis's facts, and a gap of 0 only for the map's own arrays", () => {
    const map = backpropMap(inputs({ K: 4, n: 4, h: 4, m: 4 }));
    const facts = batchAxisFacts(map);
    expect(facts.lostK).toBe("∂W₂, ∂b₂, ∂W₁, ∂b₁");
    expect(facts.overK).toBe(facts.lostK);
    expect(facts.withK).toBe("X, Y, Z₁, A₁, Z₂, P, G, ∂A₁, ∂Z₁, ∂X");
    expect(facts.kRows).toBe(true);
    expect(facts.gradients).toBe("∂X, ∂W₁, ∂b₁, ∂W₂, ∂b₂, ∂Z₁, ∂A₁");
    expect(facts.misshapen).toBe("");
    const Z1 = map.get("Z1").rows.value;
    expect(largestGap(map, { Z1: Z1, dW1: map.get("dW1").rows.value })).toBe(0);
    const nudged = Z1.map((v) => v);
    nudged.data[3] += 0.25;
    expect(largestGap(map, { Z1: nudged })).toBeCloseTo(0.25, 12);
    expect(() => largestGap(map, { Q: Z1 })).toThrow(/no array Q; the map has X, Y/);
    expect(() => largestGap(map, { Z1: map.get("db1").rows.value })).toThrow(/maxAbsDiff/);
    expect(() => largestGap(map, {})).toThrow("largestGap: no arrays to compare with the map");
  });

  it("renders each step as the library call, the numpy line and the formula that computed it", () => {
    const map = backpropMap(inputs({ K: 5, n: 4, h: 6, m: 3 }));
    const r = (name: string, L: "rows" | "cols" = "rows") => map.get(name)[L];
    expect(r("Z1").library).toBe("matmul(X, W1).add(broadcastRows(b1, K))");
    expect(r("Z1").numpy).toBe("X @ W1 + np.ones((K, 1)) @ b1");
    expect(r("Z1", "cols").library).toBe("matmul(W1, X).add(broadcastCols(b1, K))");
    expect(r("Z1", "cols").numpy).toBe("W1 @ X + b1 @ np.ones((1, K))");
    expect(r("G").library).toBe("P.sub(Y).scale(1 / K)");
    expect(r("G").numpy).toBe("(P - Y) / K");
    expect(r("dW1").library).toBe("matmul(X, dZ1, true)");
    expect(r("dW1").numpy).toBe("X.T @ dZ1");
    expect(r("dW1", "cols").numpy).toBe("dZ1 @ X.T");
    expect(r("dA1").library).toBe("matmul(G, W2, false, true)");
    expect(r("dA1", "cols").numpy).toBe("W2.T @ G");
    expect(r("db2").numpy).toBe("G.sum(axis=0, keepdims=True)");
    expect(r("db2", "cols").numpy).toBe("G.sum(axis=1, keepdims=True)");
    expect(r("dZ1").numpy).toBe("dA1 * A1 * (1 - A1)");
    expect(r("dW2").tex).toBe("A_1^{\\top}\\,G");
    expect(r("dW2", "cols").tex).toBe("G\\,A_1^{\\top}");
    for (const st of map.steps) for (const L of LAYOUTS) checkTex(`${st.symbol} = ${st[L].tex}`);
  });

  it("every numpy line names only numpy, K and the arrays before it", () => {
    const map = backpropMap(inputs({ K: 5, n: 4, h: 6, m: 3 }));
    const known = new Set(["np", "K", "T", "sum", "axis", "keepdims", "True", "ones", "exp", "log", "X", "Y", "W1", "b1", "W2", "b2"]);
    for (const st of map.steps.filter((q) => q.pass !== "given")) {
      for (const L of LAYOUTS) {
        const names = st[L].numpy.match(/[A-Za-z_]\w*/g) ?? [];
        for (const n of names) expect(known.has(n), `${st.name} (${L}): ${st[L].numpy} uses ${n}`).toBe(true);
      }
      known.add(st.name);
    }
  });

  it("lists every call it makes in the glossary once, with the steps that make it and a first use", () => {
    const map = backpropMap(inputs({ K: 5, n: 4, h: 6, m: 3 }));
    const g = map.glossary();
    expect(new Set(g.map((e) => e.library)).size).toBe(g.length);
    const pairs = Object.fromEntries(g.map((e) => [e.library, e.numpy]));
    expect(pairs["matmul(A, B, true)"]).toBe("A.T @ B");
    expect(pairs["matmul(A, B, false, true)"]).toBe("A @ B.T");
    expect(pairs["M.sum(0)"]).toBe("M.sum(axis=0, keepdims=True)");
    expect(pairs["M.sum(1)"]).toBe("M.sum(axis=1, keepdims=True)");
    expect(pairs["broadcastRows(b, K)"]).toBe("np.ones((K, 1)) @ b");
    const calls = new Set(map.steps.flatMap((st) => LAYOUTS.flatMap((L) => st[L].calls.map((c) => c.key))));
    expect(new Set(g.map((e) => e.library))).toEqual(calls);
    const dW = g.find((e) => e.library === "matmul(A, B, true)");
    expect(dW?.usedIn).toEqual({ rows: ["∂W₂", "∂W₁"], cols: ["∂A₁", "∂X"] });
    expect(dW?.example.value.maxAbsDiff(map.get("dW2").rows.value)).toBe(0);
  });

  it("refuses arrays whose shapes do not fit, naming the array", () => {
    const inp = inputs({ K: 5, n: 4, h: 6, m: 3 });
    expect(() => backpropMap({ ...inp, b1: Matrix.zeros(1, 5) })).toThrow(ShapeError);
    expect(() => backpropMap({ ...inp, b1: Matrix.zeros(1, 5) })).toThrow(/b1 must be 1×h = 1×6/);
    expect(() => backpropMap({ ...inp, Y: Matrix.zeros(4, 3) })).toThrow(/Y must be K×m = 5×3/);
    expect(() => backpropMap(inputs({ K: 3, n: 2, h: 2, m: 2 })).get("dW3")).toThrow(/no array dW3; the map has X, Y/);
  });
});

describe("the map's tables", () => {
  const map = backpropMap(inputs({ K: 5, n: 4, h: 6, m: 3 }));
  const tables = { layouts: layoutsTable(map), numpy: numpyTable(map), glossary: glossaryTable(map), notation: notationTable(map) };

  it("have one row per computed array (the notation table: per size, array and symbol)", () => {
    const bodyRows = (t: string) => t.split("\n").length - 2;
    expect(bodyRows(tables.layouts)).toBe(13);
    expect(bodyRows(tables.numpy)).toBe(13);
    expect(bodyRows(tables.glossary)).toBe(map.glossary().length);
    expect(bodyRows(tables.notation)).toBe(4 + 19 + SERIES_SYMBOLS.length);
  });

  it("show the steps' own texts and the live shapes", () => {
    expect(tables.numpy).toContain("| $\\partial W_1$ | `matmul(X, dZ1, true)` | `X.T @ dZ1` | `dZ1 @ X.T` |");
    expect(tables.layouts).toContain("| $\\underset{1\\times h}{\\partial b_1}$ | $\\underset{1\\times 6}{\\partial b_1} = \\mathbf 1^{\\top}\\partial Z_1$ |");
    expect(tables.layouts).toContain("$K$: `axis=0` · `axis=1`");
    expect(tables.glossary).toContain("| `M.sum(1)` | `M.sum(axis=1, keepdims=True)` |");
    expect(tables.glossary).toContain("| ∂Z₁ (both layouts) |");
  });

  it("typeset: every formula in them is one KaTeX reads", () => {
    for (const t of Object.values(tables)) for (const m of t.matchAll(/\$([^$]+)\$/g)) checkTex(m[1]);
  });
});
