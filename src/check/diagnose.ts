import { formatNumber } from "../core/format.js";
import type { Matrix } from "../core/matrix.js";

// Names the likely slip in a gradient: compares a candidate with the true gradient (or with
// finite differences of the loss) and recognises the mistakes the series reproduces.

// A wrong answer known in advance (σ′ left out, say), computed by the caller, with its hint.
export interface KnownSlip {
  value: Matrix;
  hint: string;
}

export interface DiagnoseOptions {
  K?: number; // the batch size, to recognise a factor K or 1/K
  perSample?: Matrix; // K×m rows of per-sample gradients whose column sum is the reference (1×m)
  known?: readonly KnownSlip[];
  tol?: number; // relative error below which two gradients are the same, default 1e-6
}

export type Slip = "matches" | "shape" | "per-sample" | "wrong-axis" | "transposed" | "factor" | "sign" | "known" | "values";
export interface Diagnosis {
  slip: Slip;
  message: string;
  relError?: number; // candidate against reference, when their shapes agree
  factor?: number; // candidate = factor × reference, for "factor" and "sign"
}

// max |a − b| / max(1e-8, max (|a| + |b|)), the measure gradCheck reports. Shapes must agree.
export function relError(a: Matrix, b: Matrix): number {
  let err = 0;
  let mag = 0;
  for (let i = 0; i < a.data.length; i++) {
    err = Math.max(err, Math.abs(a.data[i] - b.data[i]));
    mag = Math.max(mag, Math.abs(a.data[i]) + Math.abs(b.data[i]));
  }
  return err / Math.max(1e-8, mag);
}

// The constant c with candidate ≈ c·reference (least squares), or undefined when no c fits.
function proportion(x: Matrix, r: Matrix, tol: number): number | undefined {
  let xr = 0;
  let rr = 0;
  for (let i = 0; i < r.data.length; i++) {
    xr += x.data[i] * r.data[i];
    rr += r.data[i] * r.data[i];
  }
  if (rr === 0) return undefined;
  const c = xr / rr;
  return c !== 0 && relError(x, r.scale(c)) < tol ? c : undefined;
}

// What a factor c usually means in a batch gradient.
function factorHint(c: number, K: number | undefined): string {
  const near = (t: number) => Math.abs(c - t) <= 1e-6 * Math.abs(t);
  if (near(-1)) return "the sign is flipped: this is −∇E, the direction the update already goes";
  if (K !== undefined && K > 1 && near(K)) return `${K} = K times too large: a sum over the batch where the loss is a mean`;
  if (K !== undefined && K > 1 && near(1 / K)) return `K = ${K} times too small: divided by K where the loss is a sum, or once too often`;
  if (K !== undefined && K > 1 && near(1 / (K * K))) return `K² = ${K * K} times too small: divided by K twice`;
  if (near(2)) return "twice too large: the 2 of a squared error without its ½";
  if (near(0.5)) return "half the right size: a ½ too many";
  return `${formatNumber(c, 4)} times the right one: look at the constant in front`;
}

// candidate vs reference → the slip's name and a sentence for the reader.
export function diagnose(candidate: Matrix, reference: Matrix, opts: DiagnoseOptions = {}): Diagnosis {
  const { K, perSample, known = [], tol = 1e-6 } = opts;
  const x = candidate;
  const r = reference;
  const expected = `expected ${r.shape}, got ${x.shape}`;
  if (!x.sameShape(r)) {
    if (perSample && x.sameShape(perSample) && relError(x, perSample) < tol) {
      return { slip: "per-sample", message: `${expected}: one row per sample; sum them over the batch (the rows)` };
    }
    if (perSample && x.rows === perSample.rows && x.cols === 1 && relError(x, perSample.sum(1)) < tol) {
      return { slip: "wrong-axis", message: `${expected}: summed over the neurons (the columns); sum over the samples (the rows)` };
    }
    if (x.rows === r.cols && x.cols === r.rows) {
      // transposed, and possibly another slip on top: diagnose the transpose
      const inner = diagnose(x.T(), r, opts);
      if (inner.slip === "matches") return { slip: "transposed", message: `${expected}: the right numbers, transposed` };
      if (inner.slip !== "values") {
        return { ...inner, slip: "transposed", message: `${expected}: transposed, and ${inner.message}` };
      }
    }
    return { slip: "shape", message: `${expected}: one number per parameter, so the parameter's shape` };
  }
  const e = relError(x, r);
  if (e < tol) return { slip: "matches", message: "matches", relError: e };
  if (r.rows === r.cols && relError(x.T(), r) < tol) {
    return { slip: "transposed", message: "the right numbers, transposed", relError: e };
  }
  for (const k of known) {
    if (k.value.sameShape(x) && relError(x, k.value) < tol) return { slip: "known", message: k.hint, relError: e };
  }
  const c = proportion(x, r, tol);
  if (c !== undefined) {
    return { slip: Math.abs(c + 1) < 1e-6 ? "sign" : "factor", message: factorHint(c, K), relError: e, factor: c };
  }
  return { slip: "values", message: `the shape is right, the values are not (relative error ${formatNumber(e, 2)})`, relError: e };
}

// An exercise's verdict as one line of Markdown: not answered yet, right, or the diagnosis.
export function answerVerdict(answer: Matrix | undefined, reference: Matrix, opts: DiagnoseOptions = {}): string {
  if (answer === undefined) return "**Not answered yet.** Replace `undefined` with your expression and run the cell again.";
  const d = diagnose(answer, reference, opts);
  return d.slip === "matches"
    ? `**✓ Right.** Your answer matches (relative error ${formatNumber(d.relError ?? 0, 2)}).`
    : `**✗ Not yet:** ${d.message}.`;
}
