import { formatNumber } from "../core/format.js";
import type { Network } from "../nn/network.js";
import { DivergenceError, type TrainHistory } from "../nn/train.js";
import { claim, tx, type Check } from "./claims.js";
import { relError } from "./diagnose.js";

// How close two computations that should agree are, and how close they can be in float64: the
// rounding budgets the notebooks' claims compare with (introduced in 00), and the gap between two
// networks' parameters (01 and 05 compare a step on the summed loss with one on the mean), and
// between two training runs.

// ε = 2⁻⁵², the gap between 1 and the next double.
export const EPS = Number.EPSILON;

// A few roundings of a sum of n terms whose magnitudes are of the order of scale: recursive
// summation is off by at most γ_{n−1}·Σ|x_i| with γ_k = k·u/(1 − k·u), u = ε/2 (Higham, Accuracy and
// Stability of Numerical Algorithms, 2nd ed., 2002, §4.2, eq. 4.4); 4·n·ε·scale leaves a margin
// of 8 for the products and the roundings around the sum.
export function sumRoundoff(n: number, scale: number): number {
  return 4 * n * EPS * scale;
}

// k roundings of a number of size x: k·ε·|x|.
export function ulps(k: number, x: number): number {
  return k * EPS * Math.abs(x);
}

// What a centred difference with step h can be off by, for a loss of size E whose third derivative
// is of order 1: truncation h² plus rounding ε·E/h, with a factor 100 (Nocedal and Wright,
// Numerical Optimization, 2nd ed., 2006, §8.1; notebook 06 measures both terms).
export function centredDifferenceError(h: number, E = 1): number {
  return 100 * (h * h + (EPS * Math.abs(E)) / h);
}

// The largest difference between two networks' parameters, array by array: the largest entry
// difference ("abs"), or the library's relative error relError ("rel"). The networks must have the
// same parameter names and shapes; anything else is refused by name.
export function paramGap(a: Network, b: Network, measure: "abs" | "rel" = "abs"): number {
  const [pa, pb] = [a.params(), b.params()];
  const names = (ps: typeof pa) => ps.map((p) => `${p.name} ${p.value.shape}`).join(", ");
  if (names(pa) !== names(pb)) throw new Error(`paramGap: the networks differ: ${names(pa)} vs ${names(pb)}`);
  return Math.max(...pa.map((p, i) => (measure === "abs" ? p.value.maxAbsDiff(pb[i].value) : relError(p.value, pb[i].value))));
}

// The largest relative error (gradCheck's measure) that a RIGHT gradient of a loss of size E can
// show in a gradient check with step h, when the array's largest gradient entry is gScale: the
// centred difference's own error (centredDifferenceError) relative to gScale, and never below
// floor, so that a check does not demand more than a double delivers on nearly flat losses.
export function gradCheckBound(h: number, E: number, gScale: number, floor = 1e-7): number {
  return Math.max(floor, centredDifferenceError(h, E) / gScale);
}

// A training run as train() leaves it: its history, or the DivergenceError that stopped it (what
// catchDivergence returns).
export type TrainRun = TrainHistory | DivergenceError;

// How far apart two training runs are: the largest relative gap |a − b| / max(|a|, |b|) between
// their losses after each epoch (0 where the losses are equal). Two runs that diverged at the same
// step are the same run (0); a run that diverged and one that did not, or two that diverged at
// different steps, are apart (Infinity). Histories of different lengths are refused.
export function runGap(a: TrainRun, b: TrainRun): number {
  if (a instanceof DivergenceError || b instanceof DivergenceError) {
    return a instanceof DivergenceError && b instanceof DivergenceError && a.step === b.step ? 0 : Infinity;
  }
  const [la, lb] = [a.lossPerEpoch, b.lossPerEpoch];
  if (la.length !== lb.length) throw new Error(`runGap: the runs have ${la.length} and ${lb.length} epochs`);
  return Math.max(0, ...la.map((v, e) => (v === lb[e] ? 0 : Math.abs(v - lb[e]) / Math.max(Math.abs(v), Math.abs(lb[e])))));
}

// How much a loss may change and still be rounding, not learning: 1e-12 of its size.
export const LOSS_NOISE = 1e-12;

// The checks of a training run (introduced in 00): `replay`, the same run again from the same
// seed, is the same run to the last bit (a divergence too: at the same step); and, by cases,
// what the loss did between `before` (the loss before training) and the last epoch: it fell
// (training lowered E), ended above its start (η too large), or moved less than
// LOSS_NOISE·before (η too small to move E). eta is the run's learning rate, for the statements.
export function trainingRunChecks(run: TrainRun, replay: TrainRun, before: number, eta: number): Check[] {
  const replays = "the same seed replays the run exactly";
  const same = runGap(run, replay) === 0;
  if (run instanceof DivergenceError) return [claim(replays, same, `diverges again at step ${run.step}`)];
  const losses = run.lossPerEpoch;
  const last = losses[losses.length - 1];
  const drop = before - last;
  const noise = LOSS_NOISE * before;
  const change = `${formatNumber(before, 4)} → ${formatNumber(last, 4)}, change ${formatNumber(-drop, 2)}`;
  return [
    claim(replays, same, `${losses.length} equal loss${losses.length === 1 ? "" : "es"}`),
    drop > noise
      ? claim(tx`training lowered $E$`, true, change)
      : drop < -noise
        ? claim(tx`with $\eta = ${eta}$, $E$ ends above its start: $\eta$ is too large`, true, change)
        : claim(tx`$\eta = ${eta}$ is too small to move $E$ beyond rounding`, true, change),
  ];
}
