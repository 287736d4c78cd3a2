import { ShapeError, assertLearningRate } from "../core/errors.js";
import { matmul, outer } from "../core/linalg.js";
import { Matrix } from "../core/matrix.js";
import type { Rng } from "../core/rng.js";
import { fastKernels } from "../fast/kernels.js";
import { type Kernels, referenceKernels } from "./kernels.js";
import type { Activation } from "./activations.js";
import { Dense } from "./dense.js";
import type { Init } from "./init.js";
import type { CacheOf, Layer, LayerCache, LayerGrads, Mode, Param } from "./layer.js";
import { type LossFn, type Reduction, lossGradient, reductionDivisor } from "./losses.js";
import { type Grads, gradientsFor } from "./optimizers.js";
import type { Penalty } from "./penalties.js";

export interface NetworkOptions {
  fast?: boolean; // the fast kernels (default) or the reference ones; the numbers are the same
}

export interface ObjectiveOptions {
  penalty?: Penalty; // added to the loss and to its gradient (penalties.ts)
}

// A sequence of layers. Samples are rows: X is K×n₀, the output is K×n_L. Parameters are named
// by layer: the l-th Dense layer has W<l> and b<l>, and a layer after it that has parameters
// (batch norm's gamma, beta) takes the same number.
export class Network<L extends Layer = Layer> {
  readonly layers: L[];
  readonly kernels: Kernels;
  private named?: { layers: L[]; list: Param[] }; // params(), and the layers they were named from

  // Throws when two neighbouring layers disagree on a width, or two parameters share a name.
  constructor(layers: L[], opts: NetworkOptions = {}) {
    if (layers.length === 0) throw new Error("Network: expected at least one layer");
    let width: number | undefined;
    let from = 0;
    layers.forEach((layer, l) => {
      if (width !== undefined && layer.inputs !== undefined && layer.inputs !== width) {
        const shapeOf = (at: Layer): string => at.params()[0]?.value.shape ?? at.kind; // W's, for a Dense layer
        throw new ShapeError(
          "Network",
          [shapeOf(layers[from]), shapeOf(layer)],
          `layer ${from + 1} (${layers[from].kind}) outputs ${width} values but layer ${l + 1} (${layer.kind}) takes ${layer.inputs}`,
        );
      }
      if (layer.outputs !== undefined) [width, from] = [layer.outputs, l];
    });
    this.layers = layers;
    this.kernels = opts.fast === false ? referenceKernels : fastKernels;
    const names = this.params().map((p) => p.name);
    const twice = names.find((name, i) => names.indexOf(name) !== i);
    if (twice !== undefined) {
      throw new Error(`Network: two layers would both name a parameter ${twice}; put each batch norm after its own Dense layer`);
    }
  }

  // sizes [n₀, n₁, …, n_L], one activation per layer → Dense layers n₀→n₁, …, n_{L−1}→n_L,
  // weights drawn by opts.init (default lecun, see init.ts), biases 0
  static init(sizes: number[], acts: Activation[], rng: Rng, opts: NetworkOptions & { init?: Init } = {}): Network<Dense> {
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
    return new Network(acts.map((act, l) => Dense.init(sizes[l], sizes[l + 1], act, rng, opts.init)), opts);
  }

  // X (K×n₀) → every layer's cache, and out (K×n_L). "train" (the default) uses the batch's own
  // statistics and dropout masks; "eval" is the network at prediction time.
  forward(X: Matrix, mode: Mode = "train"): { caches: CacheOf<L>[]; out: Matrix } {
    const caches: CacheOf<L>[] = [];
    let A = X;
    for (const layer of this.layers) {
      const cache = this.kernels.forward(layer, A, mode) as CacheOf<L>; // layer's own cache type
      caches.push(cache);
      A = cache.A;
    }
    return { caches, out: A };
  }

  // X (K×n₀) → K×n_L, in eval mode
  predict(X: Matrix): Matrix {
    return this.forward(X, "eval").out;
  }

  // X (K×n₀), Y (K×n_L) → the loss alone (plus the penalty, if any), without gradients; in
  // "train" mode by default, the loss whose gradient lossAndGrads returns
  evaluate(X: Matrix, Y: Matrix, loss: LossFn, reduction: Reduction, opts: ObjectiveOptions & { mode?: Mode } = {}): number {
    this.checkBatch("evaluate", X, Y, loss);
    const E = this.kernels.loss(loss, this.forward(X, opts.mode ?? "train").out, Y, reduction).loss;
    return opts.penalty ? E + opts.penalty.value(this.params()) : E;
  }

  // The batched backward pass: X (K×n₀), Y (K×n_L) → loss and gradients for all K samples at
  // once, in train mode, and the caches of the forward pass. Each layer turns ∂E/∂A into its
  // parameters' gradients and ∂E/∂X, and ∂E/∂X is the previous layer's ∂E/∂A; the first layer's
  // ∂E/∂X, a gradient for the data, is left out.
  lossAndGrads(
    X: Matrix,
    Y: Matrix,
    loss: LossFn,
    reduction: Reduction,
    opts: ObjectiveOptions = {},
  ): { loss: number; grads: Grads; caches: CacheOf<L>[] } {
    this.checkBatch("lossAndGrads", X, Y, loss);
    const { caches, out } = this.forward(X);
    const result = this.kernels.loss(loss, out, Y, reduction);
    const perLayer: LayerGrads[] = [];
    let dA = lossGradient(result);
    for (let l = this.layers.length - 1; l >= 0; l--) {
      perLayer[l] = this.kernels.backward(this.layers[l], caches[l], dA, l > 0);
      const dX = perLayer[l].dX;
      if (dX) dA = dX;
    }
    const grads = this.collect(perLayer);
    return { ...this.penalized(result.loss, grads, opts.penalty), caches };
  }

  // The reference: one sample at a time, as in Nielsen's network.py. For each row k, forward the
  // 1×n₀ sample, backpropagate its error δ (1×m) layer by layer and accumulate
  //   nablaW += x_kᵀ δ_k (an outer product),  nablaB += δ_k
  // (a layer other than Dense adds its own gradients); for "mean" divide by K at the end, then
  // add the penalty's gradient once. Equals lossAndGrads up to rounding. It uses the reference
  // code whatever the network's kernels are, so that this path checks the fast one. A layer whose
  // samples depend on each other (batch norm) has no per-sample gradient: it is refused by name.
  lossAndGradsPerSample(
    X: Matrix,
    Y: Matrix,
    loss: LossFn,
    reduction: Reduction,
    opts: ObjectiveOptions = {},
  ): { loss: number; grads: Grads } {
    this.checkBatch("lossAndGradsPerSample", X, Y, loss);
    this.layers.forEach((layer, l) => {
      if (!layer.forSample) {
        throw new Error(
          `lossAndGradsPerSample: layer ${l + 1} (${layer.kind}) makes every output row depend on the whole batch, so the batched gradient is not a sum of per-sample ones; use lossAndGrads`,
        );
      }
    });
    const K = X.rows;
    const divisor = reductionDivisor("lossAndGradsPerSample", reduction, K);
    const params = this.params();
    const nabla = params.map((p) => Matrix.zeros(p.value.rows, p.value.cols)); // in params' order
    let total = 0;
    for (let k = 0; k < K; k++) {
      const layers = this.layers.map((layer) => layer.forSample!(k)); // checked above
      const caches: LayerCache[] = [];
      let A = X.getRow(k);
      for (const layer of layers) {
        caches.push(layer.forward(A, "train"));
        A = caches[caches.length - 1].A;
      }
      const result = loss(A, Y.getRow(k), "sum");
      total += result.loss;
      let dA = lossGradient(result);
      let at = params.length; // where layer l's parameters end in params
      for (let l = layers.length - 1; l >= 0; l--) {
        const layer = layers[l];
        const own = layer.params().length;
        at -= own;
        if (layer instanceof Dense) {
          const { X: x, Z: z, A: a } = caches[l] as CacheOf<Dense>;
          const delta = layer.act.backward(z, a, dA);
          nabla[at] = nabla[at].add(outer(x, delta)); // nablaW += x_kᵀ δ_k
          nabla[at + 1] = nabla[at + 1].add(delta); // nablaB += δ_k
          dA = matmul(delta, layer.W, false, true); // δ·Wᵀ: the error at the layer's input
        } else {
          const g = layer.backward(caches[l], dA, true);
          layer.params().forEach((p, i) => (nabla[at + i] = nabla[at + i].add(g[`d${p.name}`] as Matrix)));
          dA = g.dX as Matrix; // asked for
        }
      }
    }
    const grads: Grads = {};
    params.forEach((p, i) => (grads[p.name] = nabla[i].scale(1 / divisor)));
    return this.penalized(total / divisor, grads, opts.penalty);
  }

  // One step of gradient descent, in place: W ← W − η·dW for every array (optimizers.ts has the
  // others). Every new value is computed and checked before any is written, so a step that would
  // make a parameter non-finite changes nothing and throws a NonFiniteError naming it.
  sgdStep(grads: Grads, eta: number): void {
    assertLearningRate("sgdStep", eta);
    const params = this.params();
    this.kernels.sgd(params, gradientsFor("sgdStep", params, grads), eta);
  }

  // After a training step: the layers that keep statistics of the batches they saw (batch norm's
  // running mean and variance) fold in those of this forward pass.
  updateRunningStats(caches: readonly LayerCache[]): void {
    this.layers.forEach((layer, l) => {
      layer.updateRunningStats?.(caches[l]);
    });
  }

  // [W1, b1, W2, b2, …]: the live matrices, so changing their data changes the network. They are
  // named once for a list of layers, not at every call (a training step asks several times, and
  // naming them anew was about a tenth of a small network's step); a layer replaced in `layers` has them
  // named again. Each Param is frozen, since every call shares it.
  params(): Param[] {
    const named = this.named;
    const same = named !== undefined && named.layers.length === this.layers.length &&
      named.layers.every((layer, l) => layer === this.layers[l]);
    if (!same) {
      let dense = 0;
      const list = this.layers.flatMap((layer) => {
        if (layer instanceof Dense) dense++;
        return layer.params().map((p) => Object.freeze({ ...p, name: `${p.name}${Math.max(dense, 1)}` }));
      });
      this.named = { layers: [...this.layers], list };
    }
    return this.named!.list.slice();
  }

  clone(): Network<L> {
    return new Network(this.layers.map((layer) => layer.clone() as L), { fast: this.kernels === fastKernels });
  }

  // Layer gradients → Grads in the order of params()
  private collect(perLayer: readonly LayerGrads[]): Grads {
    const grads: Grads = {};
    const names = this.params().map((p) => p.name);
    let i = 0;
    this.layers.forEach((layer, l) => {
      for (const p of layer.params()) grads[names[i++]] = perLayer[l][`d${p.name}`] as Matrix; // every layer returns them
    });
    return grads;
  }

  // loss + penalty, and each gradient + the penalty's
  private penalized(loss: number, grads: Grads, penalty: Penalty | undefined): { loss: number; grads: Grads } {
    if (!penalty) return { loss, grads };
    const params = this.params();
    for (const p of params) {
      const extra = penalty.grad(p);
      if (extra) grads[p.name] = grads[p.name].add(extra);
    }
    return { loss: loss + penalty.value(params), grads };
  }

  private checkBatch(op: string, X: Matrix, Y: Matrix, loss: LossFn): void {
    if (X.rows !== Y.rows) {
      throw new ShapeError(op, [X.shape, Y.shape], "X and Y need one row per sample");
    }
    const last = [...this.layers].reverse().find((layer): layer is L & { act: Activation } => "act" in layer);
    if (loss.fromLogits && last !== undefined && last.act.name !== "identity") {
      throw new Error(`${op}: ${loss.name} takes logits, so the last activation must be identity, got ${last.act.name}`);
    }
  }
}

// Grads as a list in the order of Network.params(): [dW1, db1, dW2, db2, …]
export function gradList(grads: Grads): Matrix[] {
  return Object.values(grads);
}
