import type { Activation } from "./activations.js";
import { NonFiniteError, assertLearningRate } from "../core/errors.js";
import { Dense, type DenseCache } from "./dense.js";
import { matmul, outer } from "../core/linalg.js";
import { reductionDivisor, type LossFn, type Reduction } from "./losses.js";
import { type Matmul, matmulFast } from "../fast/matmul-fast.js";
import { Matrix } from "../core/matrix.js";
import type { Rng } from "../core/rng.js";
import { ShapeError } from "../core/errors.js";

// Gradients of the loss with respect to every layer's W and b, in layer order.
export interface Grads {
  dW: Matrix[];
  db: Matrix[];
}

// A named parameter array, named as in the notebooks' formulas: W1, b1, W2, b2, … (1-based).
export interface Param {
  name: string;
  value: Matrix;
}

// A stack of Dense layers. Samples are rows: X is K×n₀, the output is K×n_L.
// Its matmul is the product every pass but lossAndGradsPerSample uses: matmulFast by default, or
// linalg's matmul, the clear reference, which gives the same numbers bit for bit, only slower.
export class Network {
  readonly layers: Dense[];
  readonly matmul: Matmul;

  constructor(layers: Dense[], mm: Matmul = matmulFast) {
    if (layers.length === 0) throw new Error("Network: expected at least one layer");
    for (let l = 0; l + 1 < layers.length; l++) {
      const [W, next] = [layers[l].W, layers[l + 1].W];
      if (W.cols !== next.rows) {
        throw new ShapeError(
          "Network",
          [W.shape, next.shape],
          `layer ${l + 1} outputs ${W.cols} values but layer ${l + 2} takes ${next.rows}`,
        );
      }
    }
    this.layers = layers;
    this.matmul = mm;
  }

  // sizes [n₀, n₁, …, n_L], one activation per layer → layers n₀→n₁, …, n_{L−1}→n_L
  static init(sizes: number[], acts: Activation[], rng: Rng, mm: Matmul = matmulFast): Network {
    if (sizes.length < 2 || acts.length !== sizes.length - 1) {
      throw new Error(
        `Network.init: expected at least 2 sizes and one activation per layer, got ${sizes.length} sizes and ${acts.length} activations`,
      );
    }
    sizes.forEach((n, l) => {
      if (!Number.isInteger(n) || n < 1) {
        const what = l === 0 ? "the input size" : l === sizes.length - 1 ? "the output size" : `layer ${l}'s width`;
        throw new Error(`Network.init: ${what} must be a positive integer, got ${String(n)} (sizes [${sizes.join(", ")}])`);
      }
    });
    return new Network(acts.map((act, l) => Dense.init(sizes[l], sizes[l + 1], act, rng)), mm);
  }

  // X (K×n₀) → every layer's cache, and out (K×n_L); mm is the matrix product to use
  forward(X: Matrix, mm: Matmul = this.matmul): { caches: DenseCache[]; out: Matrix } {
    const caches: DenseCache[] = [];
    let A = X;
    for (const layer of this.layers) {
      const cache = layer.forward(A, mm);
      caches.push(cache);
      A = cache.A;
    }
    return { caches, out: A };
  }

  // X (K×n₀) → K×n_L
  predict(X: Matrix): Matrix {
    return this.forward(X).out;
  }

  // X (K×n₀), Y (K×n_L) → the loss alone, without gradients
  evaluate(X: Matrix, Y: Matrix, loss: LossFn, reduction: Reduction): number {
    this.checkBatch("evaluate", X, Y, loss);
    return loss(this.predict(X), Y, reduction).loss;
  }

  // The batched backward pass: X (K×n₀), Y (K×n_L) → loss and gradients for all K samples at once.
  // Each layer turns dE/dA into dE/dW, dE/db and dE/dX, and dE/dX is the previous layer's dE/dA;
  // the first layer's dE/dX, a gradient for the data, is left out.
  lossAndGrads(X: Matrix, Y: Matrix, loss: LossFn, reduction: Reduction): { loss: number; grads: Grads } {
    this.checkBatch("lossAndGrads", X, Y, loss);
    const { caches, out } = this.forward(X);
    const result = loss(out, Y, reduction);
    const grads: Grads = { dW: [], db: [] };
    let dA = result.dYhat;
    for (let l = this.layers.length - 1; l >= 0; l--) {
      const { dW, db, dX } = this.layers[l].backward(caches[l], dA, this.matmul, l > 0);
      grads.dW[l] = dW;
      grads.db[l] = db;
      if (dX) dA = dX;
    }
    return { loss: result.loss, grads };
  }

  // The reference: one sample at a time, as in Nielsen's network.py. For each row k, forward the
  // 1×n₀ sample, backpropagate its error δ (1×m) layer by layer and accumulate
  //   nablaW += x_kᵀ δ_k (an outer product),  nablaB += δ_k;
  // for "mean" divide by K at the end. Equals lossAndGrads up to rounding. Its products are
  // linalg's reference matmul and outer, whatever this.matmul is, so that this path checks the fast one.
  lossAndGradsPerSample(X: Matrix, Y: Matrix, loss: LossFn, reduction: Reduction): { loss: number; grads: Grads } {
    this.checkBatch("lossAndGradsPerSample", X, Y, loss);
    const K = X.rows;
    const divisor = reductionDivisor("lossAndGradsPerSample", reduction, K);
    const nablaW = this.layers.map((layer) => Matrix.zeros(layer.W.rows, layer.W.cols));
    const nablaB = this.layers.map((layer) => Matrix.zeros(1, layer.b.cols));
    let total = 0;
    for (let k = 0; k < K; k++) {
      const { caches, out } = this.forward(X.getRow(k), matmul);
      const result = loss(out, Y.getRow(k), "sum");
      total += result.loss;
      let dA = result.dYhat;
      for (let l = this.layers.length - 1; l >= 0; l--) {
        const layer = this.layers[l];
        const { X: x, Z: z, A: a } = caches[l];
        const delta = layer.act.backward(z, a, dA);
        nablaW[l] = nablaW[l].add(outer(x, delta));
        nablaB[l] = nablaB[l].add(delta);
        dA = matmul(delta, layer.W, false, true); // δ·Wᵀ: the error at the layer's input
      }
    }
    return {
      loss: total / divisor,
      grads: { dW: nablaW.map((g) => g.scale(1 / divisor)), db: nablaB.map((g) => g.scale(1 / divisor)) },
    };
  }

  // One step of gradient descent, in place: W ← W − η dW, b ← b − η db.
  sgdStep(grads: Grads, eta: number): void {
    assertLearningRate("sgdStep", eta);
    const params = this.params();
    const gradients = gradList(grads);
    if (gradients.length !== params.length) {
      throw new Error(`sgdStep: expected gradients for ${params.length} parameter arrays, got ${gradients.length}`);
    }
    // every new value is computed and checked before any is written, so a failure changes nothing.
    // It is computed twice, to check and then to write, rather than kept in a new array: as fast,
    // and a step allocates no parameter-sized arrays (they are what makes the garbage collector run)
    params.forEach(({ name, value }, i) => {
      const g = gradients[i];
      if (!g.sameShape(value)) {
        throw new ShapeError("sgdStep", [value.shape, g.shape], `the gradient for ${name} must have its shape`);
      }
      if (!updateIsFinite(value.data, g.data, eta)) {
        throw new NonFiniteError(`sgdStep: ${name} would become non-finite; is eta = ${eta} too large?`);
      }
    });
    params.forEach(({ value }, i) => {
      const [w, dw] = [value.data, gradients[i].data];
      for (let k = 0; k < w.length; k++) w[k] = w[k] - eta * dw[k];
    });
  }

  // [W1, b1, W2, b2, …]: the live matrices, so changing their data changes the network
  params(): Param[] {
    return this.layers.flatMap((layer, l) => [
      { name: `W${l + 1}`, value: layer.W },
      { name: `b${l + 1}`, value: layer.b },
    ]);
  }

  clone(): Network {
    return new Network(this.layers.map((layer) => layer.clone()), this.matmul);
  }

  private checkBatch(op: string, X: Matrix, Y: Matrix, loss: LossFn): void {
    if (X.rows !== Y.rows) {
      throw new ShapeError(op, [X.shape, Y.shape], "X and Y need one row per sample");
    }
    const last = this.layers[this.layers.length - 1].act;
    if (loss.fromLogits === true && last.name !== "identity") {
      throw new Error(`${op}: ${loss.name} takes logits, so the last activation must be identity, got ${last.name}`);
    }
  }
}

// Grads in the order of Network.params(): [dW1, db1, dW2, db2, …]
export function gradList(grads: Grads): Matrix[] {
  if (grads.dW.length !== grads.db.length) {
    throw new Error(`gradList: ${grads.dW.length} dW but ${grads.db.length} db arrays, expected one of each per layer`);
  }
  return grads.dW.flatMap((dW, l) => [dW, grads.db[l]]);
}

// w, dw (same length), η → whether every w − η·dw is finite: x − x is 0 for a finite x, NaN otherwise
function updateIsFinite(w: Float64Array, dw: Float64Array, eta: number): boolean {
  for (let k = 0; k < w.length; k++) {
    const next = w[k] - eta * dw[k];
    if (next - next !== 0) return false;
  }
  return true;
}
