import type { GradCheckReport } from "./gradcheck.js";

// A gradient check's verdict on one array, for gradients of very different sizes. The relative
// error alone says "wrong" for a right gradient that is tiny but not zero: a batch norm's input
// at K = 2, where ∂E/∂Z is about ε/σ² times its usual size (notebook 07), gives a relative error
// of rounding noise over a small number, 1e-5 say. So an array passes when its relative error is
// below tol, or when its largest entry difference is within the check's resolution (the rounding
// noise of the finite difference, differenceResolution; gradcheck.ts): the check cannot tell the
// two gradients apart. An exact zero matched at rounding level (belowResolution) passes either way.
// tol > 0, default 1e-7. floor ≥ 0 (default 0) raises the resolution when the caller knows the loss
// is computed less exactly than ε|E|: through a batch norm whose input is far from 0, E is exact
// only to about ε·|Z|·s·|∂E/∂Ẑ| per entry, and a difference quotient to that over h.
export function passesCheck(
  report: Pick<GradCheckReport, "relError" | "absError" | "resolution">,
  tol = 1e-7,
  floor = 0,
): boolean {
  if (!(tol > 0 && Number.isFinite(tol))) throw new Error(`passesCheck: tol must be a positive finite number, got ${String(tol)}`);
  if (!(floor >= 0 && Number.isFinite(floor))) throw new Error(`passesCheck: floor must be a finite number ≥ 0, got ${String(floor)}`);
  return report.relError < tol || report.absError <= Math.max(report.resolution, floor);
}
