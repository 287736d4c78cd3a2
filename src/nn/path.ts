import { ShapeError } from "../core/errors.js";
import type { Matrix } from "../core/matrix.js";
import type { Network } from "./network.js";
import { DivergenceError, type TrainHistory, type TrainOptions, catchDivergence, train } from "./train.js";

// Where training went, step by step, for comparing a run with a closed-form answer or with
// another run (notebook 08): the parameters after every step, their mean over the last steps,
// and the distance between two points.

// train() (train.ts), also recording where the parameters were after every step: path[s] holds
// copies of net.params()'s arrays (W1, b1, …, each of its own shape) after step s + 1, so a whole
// run has one entry per step, epochs · ⌈N/K⌉ in all. A run that diverges is not thrown away: train's
// DivergenceError is returned as diverged, with the path up to the last step taken (the diverging
// step is refused before it changes anything) and no history. opts.onStep, if given, is still called
// after each step. net is updated in place, as by train; any other error is thrown.
export function trainPath(
  net: Network,
  X: Matrix,
  Y: Matrix,
  opts: TrainOptions,
): { history?: TrainHistory; path: Matrix[][]; diverged?: DivergenceError } {
  const path: Matrix[][] = [];
  const record = (step: number): void => {
    path.push(net.params().map((p) => p.value.clone()));
    opts.onStep?.(step);
  };
  const result = catchDivergence(() => train(net, X, Y, { ...opts, onStep: record }));
  return result instanceof DivergenceError ? { path, diverged: result } : { history: result, path };
}

// The largest entry difference between two lists of arrays, array by array: max_i max |a_i − b_i|
// (two points of a path, or a point and a closed-form answer). Throws when the lists differ in
// length (Error) or two arrays in shape (ShapeError naming both).
export function arraysGap(a: readonly Matrix[], b: readonly Matrix[]): number {
  if (a.length !== b.length) throw new Error(`arraysGap: ${a.length} arrays against ${b.length}`);
  return Math.max(
    0,
    ...a.map((x, i) => {
      if (!x.sameShape(b[i])) throw new ShapeError("arraysGap", [x.shape, b[i].shape], `array ${i + 1} must have one shape in both lists`);
      return x.maxAbsDiff(b[i]);
    }),
  );
}

// The Euclidean distance between two lists of arrays, as if each list were one long vector:
// √(Σ_i ‖a_i − b_i‖²), ‖·‖ the root of the sum of squared entries (the Frobenius norm). The
// measure for noise, whose variance adds up over entries; arraysGap's refusals.
export function arraysDistance(a: readonly Matrix[], b: readonly Matrix[]): number {
  arraysGap(a, b); // the same lengths and shapes
  return Math.sqrt(a.reduce((sum, x, i) => {
    const d = x.sub(b[i]);
    return sum + d.mul(d).total();
  }, 0));
}

// The mean of the points path[from], …, path[path.length − 1], array by array: averaging the
// iterates of the last steps (Polyak and Juditsky, "Acceleration of stochastic approximation by
// averaging", SIAM J. Control Optim. 30, 1992) cancels most of the noise that mini-batches add
// around the point a run has reached. from: a step index in [0, path.length), default half-way.
export function pathMean(path: readonly (readonly Matrix[])[], from = Math.floor(path.length / 2)): Matrix[] {
  if (path.length === 0) throw new Error("pathMean: the path is empty");
  if (!Number.isInteger(from) || from < 0 || from >= path.length) {
    throw new RangeError(`pathMean: from must be a step index in [0, ${path.length}), got ${String(from)}`);
  }
  const tail = path.slice(from);
  return tail[0].map((first, i) => tail.slice(1).reduce((sum, point) => sum.add(point[i]), first).scale(1 / tail.length));
}
