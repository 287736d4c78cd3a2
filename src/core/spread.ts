import type { Matrix } from "./matrix.js";

// How much a quantity varies over repeated draws (the same sample in different batches, say):
// samples x_1 … x_n, matrices of one shape, n ≥ 2 →
//   mean      x̄ = (1/n)·Σ x_r                                  (the shape of the samples)
//   sd        √( Σ_r ‖x_r − x̄‖² / ((n − 1)·size) )            the entries' standard deviation,
//                                                               pooled over the entries
//   relative  √( Σ_r ‖x_r − x̄‖² / (n − 1) ) / ‖x̄‖              the spread of the whole array
//                                                               against its mean's size (Infinity
//                                                               when x̄ = 0 and the draws differ)
// with ‖·‖ the Frobenius norm (the root of the sum of squared entries). Throws for fewer than two
// samples or samples of different shapes.
export function spreadOf(samples: readonly Matrix[]): { mean: Matrix; sd: number; relative: number } {
  if (samples.length < 2) throw new Error(`spreadOf: expected at least 2 samples, got ${samples.length}`);
  const shape = samples[0].shape;
  const odd = samples.findIndex((x) => x.shape !== shape);
  if (odd >= 0) throw new Error(`spreadOf: sample ${odd} is ${samples[odd].shape}, sample 0 is ${shape}`);
  const n = samples.length;
  const mean = samples.reduce((a, b) => a.add(b)).scale(1 / n);
  const squares = samples.reduce((sum, x) => sum + x.sub(mean).data.reduce((s, v) => s + v * v, 0), 0);
  const norm = Math.sqrt(mean.data.reduce((s, v) => s + v * v, 0));
  const spread = Math.sqrt(squares / (n - 1));
  return {
    mean,
    sd: Math.sqrt(squares / ((n - 1) * mean.data.length)),
    relative: spread === 0 ? 0 : norm === 0 ? Infinity : spread / norm,
  };
}
