import { describe, expect, it } from "vitest";
import { identity, tanh } from "../src/nn/activations.js";
import { blobs } from "../src/nn/datasets.js";
import { softmaxCrossEntropy } from "../src/nn/losses.js";
import { Network } from "../src/nn/network.js";
import { Rng } from "../src/core/rng.js";
import { trainTraced } from "../src/nn/train.js";
import { DivergenceError, train, type TrainOptions } from "../src/nn/train.js";

const { X, Y } = blobs(7, 3, new Rng(1)); // N = 21
const fresh = () => Network.init([2, 4, 3], [tanh, identity], new Rng(2));
const opts: TrainOptions = { epochs: 3, batchSize: 5, eta: 0.05, loss: softmaxCrossEntropy, reduction: "sum", seed: 4 };

describe("trainTraced", () => {
  it("takes exactly train()'s steps, so both end with the same weights", () => {
    const a = fresh();
    const b = fresh();
    const history = train(a, X, Y, opts);
    const trace = trainTraced(b, X, Y, opts);
    b.params().forEach(({ value }, i) => expect(value.data).toEqual(a.params()[i].value.data));
    expect(trace.loss.at(-1)).toBeCloseTo(history.lossPerEpoch.at(-1)!, 14);
  });

  it("records the whole set's mean loss before training and after each of the ⌈N/K⌉·epochs steps", () => {
    const net = fresh();
    const start = net.evaluate(X, Y, softmaxCrossEntropy, "mean");
    const trace = trainTraced(net, X, Y, opts);
    expect(trace.loss.length).toBe(1 + 3 * Math.ceil(21 / 5));
    expect(trace.loss[0]).toBe(start);
    expect(trace.epochsSeen[0]).toBe(0);
    expect(trace.epochsSeen[1]).toBeCloseTo(5 / 21, 15);
    expect(trace.epochsSeen.at(-1)).toBe(3);
    expect(trace.loss.at(-1)).toBeLessThan(start);
  });

  it("throws DivergenceError, naming η, when the loss runs away", () => {
    expect(() => trainTraced(fresh(), X, Y, { ...opts, eta: 1e6 })).toThrow(DivergenceError);
    expect(() => trainTraced(fresh(), X, Y, { ...opts, eta: 1e6 })).toThrow(/η = 1000000/);
  });

  it("refuses a learning rate ≤ 0 and a batch size of 0", () => {
    expect(() => trainTraced(fresh(), X, Y, { ...opts, eta: 0 })).toThrow(/learning rate/);
    expect(() => trainTraced(fresh(), X, Y, { ...opts, batchSize: 0 })).toThrow(/batchSize/);
  });
});
