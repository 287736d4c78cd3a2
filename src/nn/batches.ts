import { assertPositiveInt } from "../core/errors.js";
import { Matrix } from "../core/matrix.js";
import { BatchNorm } from "./batchnorm.js";
import type { Mode } from "./layer.js";
import type { Network } from "./network.js";

// Predictions of a network whose output depends on the batch (batch norm in train mode), and the
// running statistics of its batch norms set from a whole data set (notebook 07, train and eval).

// X (N×n₀) → the network's outputs (N×n_L) with X cut into consecutive batches of `size` rows (the
// last one smaller when size does not divide N), each forwarded on its own in `mode`. In eval mode
// it is net.predict(X) whatever the size; in train mode a batch norm normalizes each batch by its
// own statistics, so the outputs depend on the size (and with size 1 every row gets β). The
// running statistics are left as they were. size: a positive integer.
export function forwardInBatches(net: Network, X: Matrix, size: number, mode: Mode): Matrix {
  assertPositiveInt("forwardInBatches", "size", size);
  const rows: number[][] = [];
  for (let start = 0; start < X.rows; start += size) {
    const batch = Array.from({ length: Math.min(size, X.rows - start) }, (_, i) => start + i);
    rows.push(...net.forward(X.selectRows(batch), mode).out.toRows());
  }
  return Matrix.fromRows(rows);
}

// A copy of net whose every batch norm has, as running statistics, the mean and the unbiased
// variance N/(N − 1)·σ² of its input over the whole of X (N×n₀), from one train-mode pass of X:
// the population statistics that the running averages estimate during training ("recomputing the
// batch-norm statistics after training"). With N = 1 the running variance is left as it was (as
// BatchNorm.updateRunningStats does). net is not changed.
export function withPopulationStatistics(net: Network, X: Matrix): Network {
  const copy = net.clone();
  const { caches } = copy.forward(X, "train");
  copy.layers.forEach((layer, l) => {
    if (!(layer instanceof BatchNorm)) return;
    const cache = caches[l] as ReturnType<BatchNorm["forward"]>;
    layer.runningMean.data.set(cache.mu.data);
    if (X.rows > 1) layer.runningVar.data.set(cache.variance.scale(X.rows / (X.rows - 1)).data);
  });
  return copy;
}
