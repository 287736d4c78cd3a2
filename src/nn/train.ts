import { NonFiniteError, assertLearningRate, assertPositiveInt } from "../core/errors.js";
import type { LossFn, Reduction } from "./losses.js";
import type { Matrix } from "../core/matrix.js";
import type { Network } from "./network.js";
import { Rng } from "../core/rng.js";
import { ShapeError } from "../core/errors.js";

export interface TrainOptions {
  epochs: number;
  batchSize: number; // the last batch of an epoch is smaller when K is not a multiple
  eta: number; // learning rate η
  loss: LossFn;
  reduction: Reduction; // used for the gradients of each step
  seed: number; // for the shuffles
}

// Both histories are per-sample means, whatever the reduction, so that they can be compared
// across batch sizes: lossPerStep[s] is the mean loss of step s's batch before its update,
// lossPerEpoch[e] is the "mean" loss on the whole of X, Y after epoch e.
export interface TrainHistory {
  lossPerEpoch: number[];
  lossPerStep: number[];
}

// Training that ran away: the loss became non-finite or grew past DIVERGED × its first value.
// Says where (epoch and step, from 1), the loss before and after, and the η used.
export class DivergenceError extends Error {
  constructor(
    readonly epoch: number,
    readonly step: number,
    readonly before: number,
    readonly after: number,
    readonly eta: number,
  ) {
    super(
      `train: training diverged at epoch ${epoch}, step ${step}: the mean loss went from ` +
        `${before.toPrecision(3)} to ${after.toPrecision(3)} with learning rate η = ${eta}; try a smaller η`,
    );
    this.name = "DivergenceError";
  }
}

// How far the per-sample loss may grow over the first step's before training counts as diverged.
export const DIVERGED = 1e3;

// Mini-batch stochastic gradient descent on X (K×n₀), Y (K×n_L), updating net in place.
// Every epoch visits the samples in a fresh order, drawn from one Rng(seed) that advances from
// epoch to epoch: the same seed replays the same run exactly.
export function train(net: Network, X: Matrix, Y: Matrix, opts: TrainOptions): TrainHistory {
  const { epochs, batchSize, eta, loss, reduction, seed } = opts;
  assertPositiveInt("train", "epochs", epochs);
  assertPositiveInt("train", "batchSize", batchSize);
  assertLearningRate("train", eta);
  if (X.rows !== Y.rows) throw new ShapeError("train", [X.shape, Y.shape], "X and Y need one row per sample");
  const rng = new Rng(seed);
  const history: TrainHistory = { lossPerEpoch: [], lossPerStep: [] };
  let step = 0;
  // A non-finite number anywhere in a step (an overflowing loss, an infinite weight) is the
  // same divergence as a loss that grew too much.
  const guarded = <T>(epoch: number, before: number, fn: () => T): T => {
    try {
      return fn();
    } catch (e) {
      if (e instanceof NonFiniteError) throw new DivergenceError(epoch, step, before, Infinity, eta);
      throw e;
    }
  };
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const order = rng.permutation(X.rows);
    for (let start = 0; start < order.length; start += batchSize) {
      step++;
      const batch = order.slice(start, start + batchSize);
      const Xb = X.selectRows(batch);
      const before = history.lossPerStep.at(-1) ?? NaN;
      const { loss: E, grads } = guarded(epoch, before, () =>
        net.lossAndGrads(Xb, Y.selectRows(batch), loss, reduction),
      );
      const perSample = reduction === "sum" ? E / Xb.rows : E;
      const first = history.lossPerStep[0] ?? perSample;
      if (!(perSample <= DIVERGED * Math.max(first, 1e-3))) {
        throw new DivergenceError(epoch, step, before, perSample, eta);
      }
      history.lossPerStep.push(perSample);
      guarded(epoch, perSample, () => net.sgdStep(grads, eta));
    }
    history.lossPerEpoch.push(guarded(epoch, history.lossPerStep.at(-1) ?? NaN, () => net.evaluate(X, Y, loss, "mean")));
  }
  return history;
}

// The same mini-batch SGD as train() (one Rng(seed), a fresh permutation per epoch, one step per
// batch), but recording the mean loss on the WHOLE of X, Y before training and after every step:
// the curve to compare runs of different batch sizes step by step, since one step's batch loss
// (train's lossPerStep) says little about the training set when the batch is one sample.
export interface TrainTrace {
  epochsSeen: number[]; // samples seen so far / N, from 0
  loss: number[]; // mean loss on X, Y at that point
}

// Throws DivergenceError (epoch and step from 1, the loss before and after, η) when the loss on
// X, Y becomes non-finite or grows past DIVERGED × its starting value (at least 1e-3).
export function trainTraced(net: Network, X: Matrix, Y: Matrix, opts: TrainOptions): TrainTrace {
  const { epochs, batchSize, eta, loss, reduction, seed } = opts;
  assertPositiveInt("trainTraced", "epochs", epochs);
  assertPositiveInt("trainTraced", "batchSize", batchSize);
  assertLearningRate("trainTraced", eta);
  const N = X.rows;
  const rng = new Rng(seed);
  const trace: TrainTrace = { epochsSeen: [0], loss: [net.evaluate(X, Y, loss, "mean")] };
  const limit = DIVERGED * Math.max(trace.loss[0], 1e-3);
  let seen = 0;
  let step = 0;
  for (let epoch = 1; epoch <= epochs; epoch++) {
    const order = rng.permutation(N);
    for (let start = 0; start < N; start += batchSize) {
      step++;
      const batch = order.slice(start, start + batchSize);
      const before = trace.loss[trace.loss.length - 1];
      let after: number;
      try {
        const { grads } = net.lossAndGrads(X.selectRows(batch), Y.selectRows(batch), loss, reduction);
        net.sgdStep(grads, eta);
        after = net.evaluate(X, Y, loss, "mean");
      } catch (e) {
        if (e instanceof NonFiniteError) throw new DivergenceError(epoch, step, before, Infinity, eta);
        throw e;
      }
      if (!(after <= limit)) throw new DivergenceError(epoch, step, before, after, eta);
      seen += batch.length;
      trace.epochsSeen.push(seen / N);
      trace.loss.push(after);
    }
  }
  return trace;
}
