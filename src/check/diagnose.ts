import { assertFinite } from "../core/errors.js";
import { formatNumber } from "../core/format.js";
import type { Matrix } from "../core/matrix.js";

// Names the likely slip in a gradient: compares a candidate with the true gradient (or with
// finite differences of the loss) and recognises the mistakes the series reproduces, among them
// a gradient that is (nearly) zero where the other is not: a vanishing factor, not a constant.

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
  // An absolute size (≥ 0, default 0) up to which an entry is 0 to rounding: for a reference
  // from finite differences, differenceResolution(E, h) (gradcheck.ts). A reference and a
  // candidate both within it match; one within it beside one above it is the slip "zero".
  resolution?: number;
}

export type Slip =
  | "matches"
  | "shape"
  | "per-sample"
  | "wrong-axis"
  | "transposed"
  | "factor"
  | "sign"
  | "known"
  | "zero"
  | "values";
export interface Diagnosis {
  slip: Slip;
  message: string;
  relError?: number; // candidate against reference, when their shapes agree (0 when belowResolution)
  factor?: number; // candidate = factor × reference, for "factor" and "sign"
  belowResolution?: boolean; // "matches" because both are within opts.resolution of 0
}

// A gradient whose largest entry is at most NEGLIGIBLE times the other's is (nearly) zero next
// to it, not off by a constant: no factor a batch gradient is off by is that small (1/K² is
// 1e-6 only at K = 1000), while a gradient that is 0 but for rounding (1e-16 of the other) is
// far below it.
const NEGLIGIBLE = 1e-6;

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
  const { K, perSample, known = [], tol = 1e-6, resolution = 0 } = opts;
  assertFinite("diagnose", "resolution", resolution);
  if (resolution < 0) throw new Error(`diagnose: resolution must be at least 0, got ${resolution}`);
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
    const slip = known.find((k) => k.value.sameShape(x) && relError(x, k.value) < tol);
    if (slip) return { slip: "known", message: `${expected}: ${slip.hint}` }; // a known slip of another shape
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
  const [xMax, rMax] = [x.maxAbs(), r.maxAbs()];
  if (xMax <= resolution && rMax <= resolution) {
    return { slip: "matches", message: "matches: both are zero to the resolution", relError: 0, belowResolution: true };
  }
  if (r.rows === r.cols && relError(x.T(), r) < tol) {
    return { slip: "transposed", message: "the right numbers, transposed", relError: e };
  }
  for (const k of known) {
    if (k.value.sameShape(x) && relError(x, k.value) < tol) return { slip: "known", message: k.hint, relError: e };
  }
  if (xMax <= NEGLIGIBLE * rMax || xMax <= resolution) {
    const largest = xMax === 0 ? "zero," : `(nearly) zero — the largest is ${formatNumber(xMax, 2)}`;
    return {
      slip: "zero",
      message: `every entry is ${largest} while the gradient's largest is ${formatNumber(rMax, 2)}: a factor that vanishes (σ′ of a saturated unit, a symmetric start) or a term left out`,
      relError: e,
    };
  }
  if (rMax <= NEGLIGIBLE * xMax || rMax <= resolution) {
    const largest = `its largest entry is ${formatNumber(rMax, 2)}`;
    const zero = rMax === 0 ? "exactly zero" : rMax <= resolution ? `zero to rounding (${largest})` : `(nearly) zero (${largest})`;
    return {
      slip: "zero",
      message: `the gradient is ${zero}, yours is not (its largest is ${formatNumber(xMax, 2)}): here the loss barely moves with this parameter (a bias just before batch norm, a saturated unit), so look for a factor that vanishes or terms that should cancel`,
      relError: e,
    };
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
  if (d.slip !== "matches") return `**✗ Not yet:** ${d.message}.`;
  return d.belowResolution
    ? `**✓ Right.** Your answer is zero, as the gradient is (both below the finite difference's resolution, ${formatNumber(opts.resolution ?? 0, 2)}).`
    : `**✓ Right.** Your answer matches (relative error ${formatNumber(d.relError ?? 0, 2)}).`;
}
