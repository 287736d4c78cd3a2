import { assertFinite, assertPositiveInt } from "./check.js";
import type { LossFn, Reduction } from "./losses.js";
import type { Matrix } from "./matrix.js";
import type { Network } from "./network.js";
import { Rng } from "./rng.js";
import { ShapeError } from "./shape-error.js";

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

// Mini-batch stochastic gradient descent on X (K×n₀), Y (K×n_L), updating net in place.
// Every epoch visits the samples in a fresh order, drawn from one Rng(seed) that advances from
// epoch to epoch: the same seed replays the same run exactly.
export function train(net: Network, X: Matrix, Y: Matrix, opts: TrainOptions): TrainHistory {
  const { epochs, batchSize, eta, loss, reduction, seed } = opts;
  assertPositiveInt("train", "epochs", epochs);
  assertPositiveInt("train", "batchSize", batchSize);
  assertFinite("train", "eta", eta);
  if (X.rows !== Y.rows) throw new ShapeError("train", [X.shape, Y.shape], "X and Y need one row per sample");
  const rng = new Rng(seed);
  const history: TrainHistory = { lossPerEpoch: [], lossPerStep: [] };
  for (let epoch = 0; epoch < epochs; epoch++) {
    const order = rng.permutation(X.rows);
    for (let start = 0; start < order.length; start += batchSize) {
      const batch = order.slice(start, start + batchSize);
      const Xb = X.selectRows(batch);
      const { loss: E, grads } = net.lossAndGrads(Xb, Y.selectRows(batch), loss, reduction);
      history.lossPerStep.push(reduction === "sum" ? E / Xb.rows : E);
      net.sgdStep(grads, eta);
    }
    history.lossPerEpoch.push(net.evaluate(X, Y, loss, "mean"));
  }
  return history;
}
