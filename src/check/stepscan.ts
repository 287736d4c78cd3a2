// A difference quotient scanned over many steps h: its error at each step, the best step, and how
// the error scales with h (the slope of log error against log h). Notebook 06 introduces it, in
// §1 (float64) and §2 (float32).

// How far a difference quotient q is from the exact derivative g: |q − g| / |g|. Made for a log
// plot: an exact hit counts as 1e-17 (below any float64 rounding; a log axis has no 0), and a
// quotient that is not a finite number (0/0 when the step rounded away in float32) counts as 1,
// a check that says nothing. Throws when g is 0 or not finite (no relative error exists).
export function quotientError(q: number, g: number): number {
  if (!(Number.isFinite(g) && g !== 0)) {
    throw new Error(`quotientError: the exact derivative g must be finite and nonzero, got ${String(g)}`);
  }
  return Number.isFinite(q) ? Math.max(Math.abs(q - g) / Math.abs(g), 1e-17) : 1;
}

// values (length n) → length n: entry i is the largest of values[i − radius … i + radius] (cut off
// at the ends).
export function rollingMax(values: readonly number[], radius: number): number[] {
  if (!(Number.isInteger(radius) && radius >= 0)) {
    throw new Error(`rollingMax: radius must be an integer ≥ 0, got ${String(radius)}`);
  }
  return values.map((_, i) => Math.max(...values.slice(Math.max(0, i - radius), i + radius + 1)));
}

export interface StepScan {
  hs: number[]; // the steps, in the order given
  errors: number[]; // quotientError at each step
  envelope: number[]; // at each step, the worst error of it and its neighbours (rollingMax)
  best: number; // the step where the envelope is smallest (the first such, in the order of hs)
  bestError: number; // the envelope there
}

// quotient(h) for every step h, each compared with the exact derivative g. Round-off makes the
// error jagged and one step can be lucky, so the best step is judged by the envelope, the worst of
// 2·radius + 1 neighbouring steps (five by default): a step is best when its neighbours are good
// too. Throws on an empty list, a step that is not positive and finite, or a bad g (see
// quotientError).
export function scanSteps(hs: readonly number[], quotient: (h: number) => number, g: number, radius = 2): StepScan {
  if (hs.length === 0) throw new Error("scanSteps: expected at least one step h");
  hs.forEach((h, i) => {
    if (!(h > 0 && Number.isFinite(h))) throw new Error(`scanSteps: step ${i} must be positive and finite, got ${String(h)}`);
  });
  const errors = hs.map((h) => quotientError(quotient(h), g));
  const envelope = rollingMax(errors, radius);
  const bestError = Math.min(...envelope);
  return { hs: [...hs], errors, envelope, best: hs[envelope.indexOf(bestError)], bestError };
}

// The slope of log₁₀(error) against log₁₀(h), by least squares over the steps that pass keep: 2
// where the error falls like h², 1 like h, −1 where it grows like 1/h as h shrinks. Throws when
// fewer than two distinct steps pass, or when an error that passes is not positive and finite.
export function logLogSlope(scan: Pick<StepScan, "hs" | "errors">, keep: (h: number) => boolean): number {
  if (scan.hs.length !== scan.errors.length) {
    throw new Error(`logLogSlope: ${scan.hs.length} steps but ${scan.errors.length} errors`);
  }
  const pts = scan.hs
    .map((h, i) => [Math.log10(h), Math.log10(scan.errors[i]), i])
    .filter(([lh]) => keep(10 ** lh));
  const bad = pts.find(([x, y]) => !(Number.isFinite(x) && Number.isFinite(y)));
  if (bad) {
    const i = bad[2];
    throw new Error(
      `logLogSlope: step ${i} has h = ${scan.hs[i]}, error = ${scan.errors[i]}; both must be positive and finite for a log`,
    );
  }
  const mx = pts.reduce((a, [x]) => a + x, 0) / pts.length;
  const my = pts.reduce((a, [, y]) => a + y, 0) / pts.length;
  const sxx = pts.reduce((a, [x]) => a + (x - mx) ** 2, 0);
  if (pts.length < 2 || !(sxx > 0)) {
    throw new Error(`logLogSlope: expected at least two distinct steps to fit, got ${pts.length} step(s)`);
  }
  return pts.reduce((a, [x, y]) => a + (x - mx) * (y - my), 0) / sxx;
}
