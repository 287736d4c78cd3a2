import { NonFiniteError } from "../core/errors.js";
import { floats } from "../core/floats.js";
import { Matrix } from "../core/matrix.js";
import { type Elementwise, activate, checkActivationUpstream } from "../nn/activations.js";
import { Dense, type DenseCache, type DenseGrads, checkDenseInput, checkDenseUpstream } from "../nn/dense.js";
import type { Layer, LayerCache, LayerGrads, Mode } from "../nn/layer.js";
import { type LossFn, type LossResult, type Reduction, checkDistributions, reductionDivisor, softmaxCrossEntropy } from "../nn/losses.js";
import type { Kernels } from "../nn/kernels.js";
import { matmulFast } from "./matmul-fast.js";

// The fast path of a Network (its default kernels): the teaching code's numbers, bit for bit,
// with less bookkeeping. Every entry is computed by the same operations in the same order as the
// reference (nn/dense.ts, nn/activations.ts, nn/losses.ts, and sgd in nn/optimizers.ts); only
// what is built around them changes. test/fast.test.ts compares the two bit for bit. Layers and
// losses without a fast twin run their own code.
export const fastKernels: Kernels = {
  name: "fast",
  forward: (layer: Layer, X: Matrix, mode: Mode): LayerCache =>
    layer instanceof Dense ? denseForward(layer, X) : layer.forward(X, mode),
  backward: (layer: Layer, cache: LayerCache, dA: Matrix, withDX: boolean): LayerGrads =>
    layer instanceof Dense ? denseBackward(layer, cache as DenseCache, dA, withDX) : layer.backward(cache, dA, withDX),
  loss: (fn: LossFn, out: Matrix, Y: Matrix, reduction: Reduction): LossResult =>
    fn === softmaxCrossEntropy ? softmaxCrossEntropyFast(out, Y, reduction) : fn(out, Y, reduction),
  sgd: sgdInPlace,
};

// Dense.forward: the product by matmulFast, and b added to every row in one loop instead of
// XW.add(broadcastRows(b, K)), which builds the K×m matrix 1·b through a product and checks it
// entry by entry. The numbers are the same: an entry of 1·b is 0 + 1·b_j = b_j (or +0 for
// b_j = −0, and XW + ±0 = XW, since a product's sum, started at +0, is never −0).
function denseForward(layer: Dense, X: Matrix): DenseCache {
  checkDenseInput(layer, X);
  const XW = matmulFast(X, layer.W);
  const [m, xw, bias, z] = [XW.cols, XW.data, layer.b.data, floats(XW.data.length)];
  for (let row = 0; row < z.length; row += m) {
    for (let j = 0; j < m; j++) z[row + j] = xw[row + j] + bias[j];
  }
  const Z = new Matrix(XW.rows, m, z);
  return { X, Z, A: activate(layer.act, Z) };
}

// Dense.backward with matmulFast, and an elementwise activation's dA ⊙ f′(a) in one pass: the
// same products as dA.mul(a.map(f′)), without the K×m matrix of f′ in between (its allocation
// and finiteness check cost as much as the products).
function denseBackward(layer: Dense, cache: DenseCache, dA: Matrix, withDX: boolean): DenseGrads {
  checkDenseUpstream(cache, dA);
  const act = layer.act;
  let dZ: Matrix;
  if (isElementwise(act)) {
    checkActivationUpstream(act.name, cache.A, dA);
    const [g, a, out, dfda] = [dA.data, cache.A.data, floats(dA.data.length), act.derivativeOfOutput];
    for (let k = 0; k < out.length; k++) out[k] = g[k] * dfda(a[k]);
    dZ = new Matrix(dA.rows, dA.cols, out);
  } else {
    dZ = act.backward(cache.Z, cache.A, dA);
  }
  return {
    dW: matmulFast(cache.X, dZ, true),
    db: dZ.sum(0),
    dX: withDX ? matmulFast(dZ, layer.W, false, true) : null,
  };
}

function isElementwise(act: Dense["act"]): act is Elementwise {
  return typeof (act as Partial<Elementwise>).derivativeOfOutput === "function";
}

// log softmax of each row in one pass per row over z's data, without copying rows out: the same
// max, the same sum of exp(z − max) in index order, the same two subtractions as logSoftmax.
export function logSoftmaxFast(z: Matrix): Matrix {
  const [m, d, out] = [z.cols, z.data, floats(z.data.length)];
  for (let row = 0; row < d.length; row += m) {
    let max = -Infinity;
    for (let k = row; k < row + m; k++) max = Math.max(max, d[k]);
    let sum = 0;
    for (let k = row; k < row + m; k++) sum += Math.exp(d[k] - max);
    const logSum = Math.log(sum);
    for (let k = row; k < row + m; k++) out[k] = d[k] - max - logSum;
  }
  return new Matrix(z.rows, m, out);
}

// softmaxCrossEntropy with the loss and the gradient each one loop over the entries, computing
// what y.mul(logP.scale(−1)).total() / divisor and logP.map(Math.exp).sub(y).scale(1 / divisor)
// compute, in the same order, without the four K×m matrices in between.
export function softmaxCrossEntropyFast(z: Matrix, y: Matrix, reduction: Reduction): LossResult {
  if (!z.sameShape(y)) return softmaxCrossEntropy(z, y, reduction); // throws its ShapeError
  const divisor = reductionDivisor("softmaxCrossEntropy", reduction, z.rows);
  checkDistributions("softmaxCrossEntropy", y);
  const [logP, t] = [logSoftmaxFast(z).data, y.data];
  const [scale, dZ] = [1 / divisor, floats(t.length)];
  let total = 0;
  for (let k = 0; k < t.length; k++) {
    total += t[k] * (logP[k] * -1);
    dZ[k] = (Math.exp(logP[k]) - t[k]) * scale;
  }
  return { loss: total / divisor, dZ: new Matrix(z.rows, z.cols, dZ) };
}

// W ← W − η·dW in place for every array, each new value computed twice, to check and then to
// write, rather than kept in a new array: as fast, and a step allocates no parameter-sized arrays
// (they are what makes the garbage collector run). A non-finite value stops it before anything is
// written, in the reference's words.
function sgdInPlace(params: Parameters<Kernels["sgd"]>[0], grads: readonly Matrix[], eta: number): void {
  params.forEach((p, i) => {
    const [w, dw] = [p.value.data, grads[i].data];
    for (let k = 0; k < w.length; k++) {
      const next = w[k] - dw[k] * eta;
      if (next - next !== 0) {
        throw new NonFiniteError(`sgdStep: ${p.name} would become non-finite; is eta = ${eta} too large?`);
      }
    }
  });
  params.forEach((p, i) => {
    const [w, dw] = [p.value.data, grads[i].data];
    for (let k = 0; k < w.length; k++) w[k] = w[k] - dw[k] * eta;
  });
}
