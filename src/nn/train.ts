import { NonFiniteError, ShapeError, assertLearningRate, assertPositiveInt } from "../core/errors.js";
import type { Matrix } from "../core/matrix.js";
import { Rng } from "../core/rng.js";
import type { LossFn, Reduction } from "./losses.js";
import type { Network } from "./network.js";
import type { Grads, Optimizer } from "./optimizers.js";
import type { Penalty } from "./penalties.js";

// Mini-batch training: either plain SGD with learning rate eta (Network.sgdStep), or an optimizer
// with state (optimizers.ts); one of the two.
export interface TrainOptions {
  epochs: number;
  batchSize: number; // the last batch of an epoch is smaller when K is not a multiple
  eta?: number; // learning rate η of plain SGD
  optimizer?: Optimizer; // instead of eta
  loss: LossFn;
  reduction: Reduction; // used for the gradients of each step
  penalty?: Penalty; // added to every step's loss and gradient (penalties.ts)
  seed: number; // for the shuffles
  objective?: Objective; // instead of the network's own loss and backward pass
  onStep?: (step: number) => void; // after each update, steps from 1
}

// What training minimises, when it is not the network's own loss: a hand-written (or wrong)
// backward pass to train with, and the loss it belongs to (notebook 03 trains each slip this way).
// lossAndGrads(Xb, Yb) gives a batch's loss and gradients by parameter name; loss(X, Y) the mean
// loss on all of X, Y, for the histories.
export interface Objective {
  lossAndGrads(X: Matrix, Y: Matrix): { loss: number; grads: Grads };
  loss(X: Matrix, Y: Matrix): number;
}

// Both histories are per-sample means, whatever the reduction, so that they can be compared
// across batch sizes: lossPerStep[s] is the mean loss of step s's batch before its update,
// lossPerEpoch[e] is the "mean" loss on the whole of X, Y after epoch e (in eval mode). A
// penalty is included in both.
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

// fn's result, or the DivergenceError that stopped it, as a value: for a notebook that shows a
// run that diverged instead of failing (introduced in 00). Any other error is thrown on.
export function catchDivergence<T>(fn: () => T): T | DivergenceError {
  try {
    return fn();
  } catch (e) {
    if (e instanceof DivergenceError) return e;
    throw e;
  }
}

// Mini-batch gradient descent on X (K×n₀), Y (K×n_L), updating net in place. Every epoch visits
// the samples in a fresh order, drawn from one Rng(seed) that advances from epoch to epoch: the
// same seed replays the same run exactly. Throws DivergenceError (see there) before applying the
// step whose batch loss diverged.
export function train(net: Network, X: Matrix, Y: Matrix, opts: TrainOptions): TrainHistory {
  const eta = learningRate("train", opts);
  const history: TrainHistory = { lossPerEpoch: [], lossPerStep: [] };
  let before = NaN; // the last batch loss seen
  eachBatch("train", X, Y, opts, (Xb, Yb, epoch, step) => {
    nonFiniteAsDivergence(epoch, step, () => before, eta, () =>
      update(net, Xb, Yb, opts, eta, (E) => {
        const mean = opts.reduction === "sum" ? E / Xb.rows : E;
        const first = history.lossPerStep[0] ?? mean;
        if (!(mean <= DIVERGED * Math.max(first, 1e-3))) throw new DivergenceError(epoch, step, before, mean, eta);
        history.lossPerStep.push(mean);
        before = mean;
      }),
    );
  }, (epoch, step) => {
    history.lossPerEpoch.push(nonFiniteAsDivergence(epoch, step, () => before, eta, () => wholeLoss(net, X, Y, opts)));
  });
  return history;
}

// The same training as train(), recording the mean loss on the WHOLE of X, Y (eval mode) before
// training and after every step: the curve to compare runs of different batch sizes step by step,
// since one step's batch loss says little about the training set when the batch is one sample
// (introduced in 04). Diverged: that loss non-finite or past DIVERGED × its start (at least 1e-3).
export interface TrainTrace {
  epochsSeen: number[]; // samples seen so far / N, from 0
  loss: number[]; // mean loss on X, Y at that point
}

export function trainTraced(net: Network, X: Matrix, Y: Matrix, opts: TrainOptions): TrainTrace {
  const eta = learningRate("trainTraced", opts);
  const trace: TrainTrace = { epochsSeen: [0], loss: [wholeLoss(net, X, Y, opts)] };
  const limit = DIVERGED * Math.max(trace.loss[0], 1e-3);
  let seen = 0;
  eachBatch("trainTraced", X, Y, opts, (Xb, Yb, epoch, step) => {
    const before = trace.loss[trace.loss.length - 1];
    const after = nonFiniteAsDivergence(epoch, step, () => before, eta, () => {
      update(net, Xb, Yb, opts, eta, () => undefined);
      return wholeLoss(net, X, Y, opts);
    });
    if (!(after <= limit)) throw new DivergenceError(epoch, step, before, after, eta);
    seen += Xb.rows;
    trace.epochsSeen.push(seen / X.rows);
    trace.loss.push(after);
  });
  return trace;
}

// The learning rate named in divergence errors; exactly one of eta and optimizer must be given.
function learningRate(op: string, opts: TrainOptions): number {
  if ((opts.eta === undefined) === (opts.optimizer === undefined)) {
    throw new Error(`${op}: give either eta (plain SGD) or an optimizer, not ${opts.eta === undefined ? "neither" : "both"}`);
  }
  if (opts.optimizer) return opts.optimizer.eta;
  assertLearningRate(op, opts.eta as number);
  return opts.eta as number;
}

// Epochs of shuffled mini-batches: visit(Xb, Yb, epoch, step) for each, epochs and steps from 1,
// then epochEnd(epoch, step).
function eachBatch(
  op: string,
  X: Matrix,
  Y: Matrix,
  opts: TrainOptions,
  visit: (Xb: Matrix, Yb: Matrix, epoch: number, step: number) => void,
  epochEnd?: (epoch: number, step: number) => void,
): void {
  assertPositiveInt(op, "epochs", opts.epochs);
  assertPositiveInt(op, "batchSize", opts.batchSize);
  if (X.rows !== Y.rows) throw new ShapeError(op, [X.shape, Y.shape], "X and Y need one row per sample");
  const rng = new Rng(opts.seed);
  let step = 0;
  for (let epoch = 1; epoch <= opts.epochs; epoch++) {
    const order = rng.permutation(X.rows);
    for (let start = 0; start < order.length; start += opts.batchSize) {
      const batch = order.slice(start, start + opts.batchSize);
      visit(X.selectRows(batch), Y.selectRows(batch), epoch, ++step);
      opts.onStep?.(step);
    }
    epochEnd?.(epoch, step);
  }
}

// One update on a batch, with the gradient computed where the optimizer asks for it (plain SGD:
// here). seen(E) gets the batch's loss before any parameter changes, and may throw to stop the
// step; then the layers with running statistics (batch norm) fold in the batch's.
function update(net: Network, Xb: Matrix, Yb: Matrix, opts: TrainOptions, eta: number, seen: (E: number) => void): void {
  const gradient = (): Grads => {
    if (opts.objective) {
      const { loss, grads } = opts.objective.lossAndGrads(Xb, Yb);
      seen(loss);
      return grads;
    }
    const { loss, grads, caches } = net.lossAndGrads(Xb, Yb, opts.loss, opts.reduction, { penalty: opts.penalty });
    seen(loss);
    net.updateRunningStats(caches);
    return grads;
  };
  if (opts.optimizer) opts.optimizer.step(net.params(), gradient);
  else net.sgdStep(gradient(), eta);
}

// The mean loss (with the penalty) on the whole of X, Y, in eval mode, or the objective's.
function wholeLoss(net: Network, X: Matrix, Y: Matrix, opts: TrainOptions): number {
  return opts.objective ? opts.objective.loss(X, Y) : net.evaluate(X, Y, opts.loss, "mean", { penalty: opts.penalty, mode: "eval" });
}

// A non-finite number anywhere in fn (an overflowing loss, an infinite weight) is the same
// divergence as a loss that grew too much; before() is the last loss seen.
function nonFiniteAsDivergence<T>(epoch: number, step: number, before: () => number, eta: number, fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof NonFiniteError) throw new DivergenceError(epoch, step, before(), Infinity, eta);
    throw e;
  }
}
