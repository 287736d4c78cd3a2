import { describe, expect, it } from "vitest";
import { identity, sigmoid, tanh } from "../src/nn/activations.js";
import { blobs, xor } from "../src/nn/datasets.js";
import { mse, softmaxCrossEntropy } from "../src/nn/losses.js";
import { Network } from "../src/nn/network.js";
import { Rng } from "../src/core/rng.js";
import { DIVERGED, DivergenceError, train, type TrainOptions } from "../src/nn/train.js";
import { Matrix } from "../src/core/matrix.js";

const xorOptions: TrainOptions = { epochs: 1500, batchSize: 2, eta: 2, loss: mse, reduction: "mean", seed: 1 };

function trainXor(netSeed: number, opts: TrainOptions) {
  const net = Network.init([2, 4, 1], [tanh, sigmoid], new Rng(netSeed));
  const { X, Y } = xor();
  return { net, X, Y, history: train(net, X, Y, opts) };
}

describe("train", () => {
  it("learns XOR: the loss falls and the outputs round to the targets", () => {
    const { net, X, Y, history } = trainXor(7, xorOptions);
    expect(history.lossPerEpoch.length).toBe(1500);
    expect(history.lossPerStep.length).toBe(1500 * 2);
    expect(history.lossPerEpoch.at(-1)).toBeLessThan(0.01 * history.lossPerEpoch[0]);
    expect(net.predict(X).map(Math.round).toRows()).toEqual(Y.toRows());
  });

  it("separates blobs with a softmax head, with a smaller last batch (90 = 5·16 + 10)", () => {
    const { X, Y, labels } = blobs(30, 3, new Rng(3));
    const net = Network.init([2, 8, 3], [tanh, identity], new Rng(4));
    const history = train(net, X, Y, { epochs: 30, batchSize: 16, eta: 0.5, loss: softmaxCrossEntropy, reduction: "mean", seed: 5 });
    expect(history.lossPerStep.length).toBe(30 * 6);
    expect(history.lossPerEpoch.at(-1)).toBeLessThan(0.5 * history.lossPerEpoch[0]);
    const predicted = net.predict(X).toRows().map((row) => row.indexOf(Math.max(...row)));
    expect(predicted.filter((p, k) => p === labels[k]).length / labels.length).toBeGreaterThan(0.9);
  });

  it("records per-sample means whatever the reduction, so sum with η/K matches mean with η", () => {
    const mean = trainXor(7, { ...xorOptions, epochs: 20, batchSize: 4 }).history;
    const sum = trainXor(7, { ...xorOptions, epochs: 20, batchSize: 4, reduction: "sum", eta: (xorOptions.eta as number) / 4 }).history;
    sum.lossPerStep.forEach((e, s) => expect(e).toBeCloseTo(mean.lossPerStep[s], 12));
    sum.lossPerEpoch.forEach((e, s) => expect(e).toBeCloseTo(mean.lossPerEpoch[s], 12));
  });

  it("replays exactly as: one Rng(seed), a fresh permutation per epoch, batches in that order, one SGD step each", () => {
    const { X, Y } = blobs(5, 2, new Rng(1));
    const net = Network.init([2, 3, 2], [tanh, identity], new Rng(2));
    const byHand = net.clone();
    const opts: TrainOptions = { epochs: 3, batchSize: 4, eta: 0.3, loss: softmaxCrossEntropy, reduction: "mean", seed: 9 };
    const history = train(net, X, Y, opts);
    const rng = new Rng(opts.seed);
    const steps: number[] = [];
    for (let epoch = 0; epoch < opts.epochs; epoch++) {
      const order = rng.permutation(X.rows);
      for (let start = 0; start < X.rows; start += opts.batchSize) {
        const batch = order.slice(start, start + opts.batchSize);
        const { loss, grads } = byHand.lossAndGrads(X.selectRows(batch), Y.selectRows(batch), opts.loss, opts.reduction);
        steps.push(loss);
        byHand.sgdStep(grads, opts.eta as number);
      }
    }
    expect(history.lossPerStep).toEqual(steps);
    byHand.params().forEach((p, i) => expect(Array.from(p.value.data)).toEqual(Array.from(net.params()[i].value.data)));
  });

  it("a batch size beyond K is one full batch", () => {
    expect(trainXor(7, { ...xorOptions, epochs: 3, batchSize: 100 }).history.lossPerStep.length).toBe(3);
  });

  it("is deterministic: the same seeds give bit-identical weights and histories, other seeds differ", () => {
    const a = trainXor(7, { ...xorOptions, epochs: 50 });
    const b = trainXor(7, { ...xorOptions, epochs: 50 });
    expect(b.history).toEqual(a.history);
    b.net.params().forEach((p, i) => expect(Array.from(p.value.data)).toEqual(Array.from(a.net.params()[i].value.data)));
    const otherShuffle = trainXor(7, { ...xorOptions, epochs: 50, seed: 2 });
    const otherInit = trainXor(8, { ...xorOptions, epochs: 50 });
    expect(otherShuffle.history.lossPerStep).not.toEqual(a.history.lossPerStep);
    expect(otherInit.history.lossPerEpoch).not.toEqual(a.history.lossPerEpoch);
    expect(otherShuffle.net.layers[0].W.data).not.toEqual(a.net.layers[0].W.data);
  });

  it("rejects bad options clearly", () => {
    expect(() => trainXor(7, { ...xorOptions, batchSize: 0 })).toThrow("train: batchSize must be a positive integer, got 0");
    expect(() => trainXor(7, { ...xorOptions, epochs: 1.5 })).toThrow("train: epochs must be a positive integer, got 1.5");
    expect(() => trainXor(7, { ...xorOptions, eta: Infinity })).toThrow("train: the learning rate eta (η) must be a positive finite number, got Infinity");
    expect(() => trainXor(7, { ...xorOptions, seed: -3 })).toThrow(/Rng: seed/);
    for (const eta of [0, -0.5]) {
      expect(() => trainXor(7, { ...xorOptions, eta })).toThrow(`train: the learning rate eta (η) must be a positive finite number, got ${eta}`);
    }
  });

  it("stops a run that diverges with an error naming the epoch, the step, the losses and η", () => {
    // identity outputs: the squared error is unbounded, so a large η makes it explode
    const X = Matrix.fromRows([[1, 2], [3, -1], [-2, 0.5], [0.3, 4]]);
    const Y = Matrix.fromRows([[1], [0], [2], [-1]]);
    const net = Network.init([2, 3, 1], [tanh, identity], new Rng(1));
    let thrown: unknown;
    try {
      train(net, X, Y, { epochs: 50, batchSize: 4, eta: 50, loss: mse, reduction: "mean", seed: 1 });
    } catch (e) {
      thrown = e;
    }
    expect(thrown).toBeInstanceOf(DivergenceError);
    const d = thrown as DivergenceError;
    expect(d.message).toMatch(/^train: training diverged at epoch \d+, step \d+: the mean loss went from \S+ to \S+ with learning rate η = 50/);
    expect(d.eta).toBe(50);
    expect(d.after > DIVERGED * 1e-3 || !Number.isFinite(d.after)).toBe(true);
    // the same run with a sensible η trains
    const ok = train(Network.init([2, 3, 1], [tanh, identity], new Rng(1)), X, Y, { epochs: 50, batchSize: 4, eta: 0.05, loss: mse, reduction: "mean", seed: 1 });
    expect(ok.lossPerEpoch.at(-1)).toBeLessThan(ok.lossPerStep[0]);
  });
});
