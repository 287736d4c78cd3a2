import type { Matrix } from "../core/matrix.js";

// The step of a centred difference through a normalization layer. A batch norm (or layer norm)
// divides each unit by its spread σ, so the loss bends on the scale of the smallest σ: its third
// derivative along an input grows like 1/σ³, and the centred difference's truncation error
// h²·E'''/6 with it. The best step balances that against rounding, ε|E|/h, and so scales like
// (ε/E''')^{1/3} ∝ σ (Nocedal and Wright, "Numerical Optimization", 2nd ed., 2006, §8.1; notebook 06
// measures both terms). So: h·min(1, min_j σ_j), with σ_j = √variance_j; the default h = 1e-5 when
// every σ_j ≥ 1. variance: the normalization's (1×m or K×1) variances, entries ≥ 0; h > 0. A
// variance of 0 (one sample, a constant unit) gives no scale: it is left out, and when every
// variance is 0 the step is h.
export function normalizationStep(variance: Matrix, h = 1e-5): number {
  if (!(h > 0 && Number.isFinite(h))) throw new Error(`normalizationStep: h must be a positive finite number, got ${String(h)}`);
  const negative = variance.data.findIndex((v) => v < 0);
  if (negative >= 0) throw new Error(`normalizationStep: a variance must be ≥ 0, entry ${negative} is ${variance.data[negative]}`);
  const spreads = Array.from(variance.data).filter((v) => v > 0).map(Math.sqrt);
  return h * Math.min(1, ...spreads);
}
