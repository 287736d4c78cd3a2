import { broadcastRows } from "../core/linalg.js";
import type { Matrix } from "../core/matrix.js";

// Standardized inputs: every feature (column) shifted to mean 0 and scaled to standard deviation
// 1 over the samples (rows), (x − mean) / sd, so that the first layer's z has the size its
// initial weights were scaled for (notebook 09). sd is the population one (divided by K).
// X (K×n) → X (K×n), mean (1×n), sd (1×n). Throws when a column is constant, naming it: its sd
// is 0, or rounding noise at most 1e-12 of the column's largest |x|, and there is nothing to scale.
export function standardize(X: Matrix): { X: Matrix; mean: Matrix; sd: Matrix } {
  const K = X.rows;
  const mean = X.sum(0).scale(1 / K); // 1×n
  const centred = X.sub(broadcastRows(mean, K)); // K×n
  const sd = centred.mul(centred).sum(0).scale(1 / K).map(Math.sqrt); // 1×n
  const largest = new Float64Array(X.cols); // max |x| of each column
  X.data.forEach((x, i) => (largest[i % X.cols] = Math.max(largest[i % X.cols], Math.abs(x))));
  const flat = sd.data.findIndex((s, j) => !(s > 1e-12 * largest[j]));
  if (flat >= 0) {
    const where = K === 1 ? "its only row" : `all ${K} rows`;
    throw new Error(`standardize: column ${flat} of X is constant (${X.get(0, flat)} in ${where}), so it has no scale; leave it out`);
  }
  return { X: centred.div(broadcastRows(sd, K)), mean, sd };
}
