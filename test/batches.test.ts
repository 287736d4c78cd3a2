import { describe, expect, it } from "vitest";
import { Matrix } from "../src/core/matrix.js";
import { Rng } from "../src/core/rng.js";
import { identity, tanh } from "../src/nn/activations.js";
import { forwardInBatches, withPopulationStatistics } from "../src/nn/batches.js";
import { BatchNorm } from "../src/nn/batchnorm.js";
import { Dense } from "../src/nn/dense.js";
import { ActivationLayer, type Layer } from "../src/nn/layer.js";
import { Network } from "../src/nn/network.js";

function network(seed: number) {
  const rng = new Rng(seed);
  const layers: Layer[] = [Dense.init(2, 3, identity, rng), new BatchNorm(3), new ActivationLayer(tanh), Dense.init(3, 2, identity, rng)];
  return { net: new Network(layers), X: Matrix.random(10, 2, rng).addScalar(4) };
}

describe("forwardInBatches", () => {
  it("eval mode: the prediction, whatever the size", () => {
    const { net, X } = network(1);
    for (const size of [1, 3, 10, 25]) expect(forwardInBatches(net, X, size, "eval").data).toEqual(net.predict(X).data);
  });

  it("train mode: each batch by its own statistics; the last batch smaller; size 1 gives one row for all", () => {
    const { net, X } = network(2);
    const out = forwardInBatches(net, X, 4, "train"); // batches of 4, 4, 2
    expect(out.shape).toBe("10×2");
    expect(out.selectRows([4, 5, 6, 7]).data).toEqual(net.forward(X.selectRows([4, 5, 6, 7]), "train").out.data);
    expect(out.selectRows([8, 9]).data).toEqual(net.forward(X.selectRows([8, 9]), "train").out.data);
    expect(forwardInBatches(net, X, 10, "train").data).toEqual(net.forward(X, "train").out.data);
    const alone = forwardInBatches(net, X, 1, "train").toRows();
    expect(alone.every((r) => r.join() === alone[0].join())).toBe(true);
    const bn = net.layers[1] as BatchNorm;
    expect(bn.runningMean.maxAbs()).toBe(0); // left as it was
    expect(() => forwardInBatches(net, X, 0, "train")).toThrow("forwardInBatches: size must be a positive integer, got 0");
  });
});

describe("withPopulationStatistics", () => {
  it("sets the running mean and unbiased variance of each batch norm's input over X; eval then matches train mode on X", () => {
    const { net, X } = network(3);
    const copy = withPopulationStatistics(net, X);
    const bn = copy.layers[1] as BatchNorm;
    const Z = (copy.layers[0] as Dense).forward(X).Z;
    const mu = Z.sum(0).scale(1 / 10);
    expect(bn.runningMean.allClose(mu, 1e-14)).toBe(true);
    const centred = Z.map((z, _i, j) => z - mu.get(0, j));
    expect(bn.runningVar.allClose(centred.mul(centred).sum(0).scale(1 / 9), 1e-12)).toBe(true);
    // eval with these statistics differs from train mode on all of X only by the N/(N − 1) in σ²
    const train = net.forward(X, "train").out;
    expect(copy.predict(X).maxAbsDiff(train)).toBeGreaterThan(0);
    expect(copy.predict(X).maxAbsDiff(train)).toBeLessThan(0.2);
    expect((net.layers[1] as BatchNorm).runningMean.maxAbs()).toBe(0); // net untouched
  });

  it("one sample: the mean is set, the variance left as it was", () => {
    const { net, X } = network(4);
    const copy = withPopulationStatistics(net, X.selectRows([0]));
    const bn = copy.layers[1] as BatchNorm;
    expect(bn.runningVar.data).toEqual(Float64Array.from([1, 1, 1]));
    expect(bn.runningMean.data).toEqual((copy.layers[0] as Dense).forward(X.selectRows([0])).Z.data);
  });
});
