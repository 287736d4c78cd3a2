import { NonFiniteError, assertLearningRate, assertPositiveInt } from "./check.js";
import type { Matrix } from "./matrix.js";
import type { Network } from "./network.js";
import { Rng } from "./rng.js";
import { DIVERGED, DivergenceError, type TrainOptions } from "./train.js";

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
