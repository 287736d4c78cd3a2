// Every shape-error path: a ShapeError naming the operation and the shapes involved.
import { describe, expect, it } from "vitest";
import { sigmoid, softmax } from "../src/nn/activations.js";
import { broadcastCols, broadcastRows } from "../src/core/linalg.js";
import { Dense } from "../src/nn/dense.js";
import { gradCheck } from "../src/check/gradcheck.js";
import { matmul, outer } from "../src/core/linalg.js";
import { mse, softmaxCrossEntropy } from "../src/nn/losses.js";
import { Matrix } from "../src/core/matrix.js";
import { Network } from "../src/nn/network.js";
import { Rng } from "../src/core/rng.js";
import { ShapeError } from "../src/core/errors.js";
import { train } from "../src/nn/train.js";
import { expectShapeError } from "./helpers.js";

const m = (r: number, c: number): Matrix => Matrix.fill(r, c, (i, j) => i + j / 10);
const net = Network.init([2, 3, 1], [sigmoid, sigmoid], new Rng(1));

// [op, shapes expected in the message, the misuse]
const cases: [string, string[], () => unknown][] = [
  ["add", ["3×5", "3×1"], () => m(3, 5).add(m(3, 1))],
  ["sub", ["3×5", "3×1"], () => m(3, 5).sub(m(3, 1))],
  ["mul", ["3×5", "1×5"], () => m(3, 5).mul(m(1, 5))],
  ["div", ["2×2", "2×3"], () => m(2, 2).div(m(2, 3))],
  ["maxAbsDiff", ["2×2", "2×3"], () => m(2, 2).maxAbsDiff(m(2, 3))],
  ["matmul", ["3×5", "3×1"], () => matmul(m(3, 5), m(3, 1))],
  // shapes are shown after the transposes: op(A) = 5×3, op(B) = 5×1
  ["matmul", ["5×3", "5×1"], () => matmul(m(3, 5), m(1, 5), true, true)],
  ["outer", ["2×3", "3×1"], () => outer(m(2, 3), m(3, 1))],
  ["outer", ["3×1", "2×2"], () => outer(m(3, 1), m(2, 2))],
  ["broadcastRows", ["2×3"], () => broadcastRows(m(2, 3), 4)],
  ["broadcastCols", ["1×3"], () => broadcastCols(m(1, 3), 4)],
  ["mse", ["3×2", "3×1"], () => mse(m(3, 2), m(3, 1), "sum")],
  ["softmaxCrossEntropy", ["4×3", "4×2"], () => softmaxCrossEntropy(m(4, 3), m(4, 2), "mean")],
  ["sigmoid.backward", ["2×2", "2×3"], () => sigmoid.backward(m(2, 3), m(2, 3), m(2, 2))],
  ["softmax.backward", ["2×2", "2×3"], () => softmax.backward(m(2, 3), m(2, 3), m(2, 2))],
  ["Dense", ["3×2", "1×3"], () => new Dense(m(3, 2), m(1, 3), sigmoid)],
  ["Dense", ["3×2", "2×2"], () => new Dense(m(3, 2), m(2, 2), sigmoid)],
  ["Dense.forward", ["4×5", "3×2"], () => new Dense(m(3, 2), m(1, 2), sigmoid).forward(m(4, 5))],
  [
    "Dense.backward",
    ["4×3", "4×2"],
    () => {
      const layer = new Dense(m(3, 2), m(1, 2), sigmoid);
      return layer.backward(layer.forward(m(4, 3)), m(4, 3));
    },
  ],
  ["Network", ["2×3", "4×1"], () => new Network([new Dense(m(2, 3), m(1, 3), sigmoid), new Dense(m(4, 1), m(1, 1), sigmoid)])],
  ["Dense.forward", ["4×5", "2×3"], () => net.predict(m(4, 5))],
  ["lossAndGrads", ["4×2", "3×1"], () => net.lossAndGrads(m(4, 2), m(3, 1), mse, "sum")],
  ["lossAndGradsPerSample", ["4×2", "3×1"], () => net.lossAndGradsPerSample(m(4, 2), m(3, 1), mse, "sum")],
  ["evaluate", ["4×2", "3×1"], () => net.evaluate(m(4, 2), m(3, 1), mse, "mean")],
  ["mse", ["4×1", "4×2"], () => net.lossAndGrads(m(4, 2), m(4, 2), mse, "mean")],
  ["sgdStep", ["2×3", "3×2"], () => net.sgdStep({ W1: m(3, 2), b1: m(1, 3), W2: m(3, 1), b2: m(1, 1) }, 0.1)],
  [
    "gradCheck",
    ["2×2", "2×3"],
    () => gradCheck([{ name: "W", value: m(2, 2) }], () => 0, [m(2, 3)]),
  ],
  [
    "train",
    ["4×2", "5×1"],
    () => train(net, m(4, 2), m(5, 1), { epochs: 1, batchSize: 2, eta: 0.1, loss: mse, reduction: "mean", seed: 0 }),
  ],
];

describe("every shape mismatch is a ShapeError naming the operation and the shapes", () => {
  it.each(cases)("%s: %j", (op, shapes, misuse) => {
    expectShapeError(misuse, op, shapes);
  });

  it("explains what was expected, after the shapes", () => {
    const err = expectShapeError(() => matmul(m(3, 5), m(3, 1)), "matmul", ["3×5", "3×1"]);
    expect(err.message).toBe("matmul: 3×5 vs 3×1 (inner sizes 5 and 3 must agree)");
    expect(new ShapeError("sub", ["3×5", "3×1"]).message).toBe("sub: 3×5 vs 3×1");
  });

  it("a rejected sgdStep changes no parameter, not even those before the bad one", () => {
    const before = net.params().map((p) => p.value.clone());
    expect(() => net.sgdStep({ W1: m(2, 3), b1: m(1, 3), W2: m(3, 1), b2: m(1, 2) }, 0.1)).toThrow(ShapeError);
    net.params().forEach((p, i) => expect(p.value.data).toEqual(before[i].data));
  });
});

describe("bad values name their operation", () => {
  it("Network.init names the layer whose size is wrong", () => {
    expect(() => Network.init([2, 0, 2], [sigmoid, sigmoid], new Rng(1))).toThrow(
      "Network.init: layer 1's width must be a positive integer, got 0 (sizes [2, 0, 2])",
    );
    expect(() => Network.init([2, 3, 1.5], [sigmoid, sigmoid], new Rng(1))).toThrow(/^Network.init: the output size must be/);
    expect(() => Network.init([-1, 3], [sigmoid], new Rng(1))).toThrow(/^Network.init: the input size must be/);
  });

  it("scale, addScalar and div name themselves", () => {
    const M = Matrix.ones(2, 2);
    expect(() => M.scale(NaN)).toThrow("scale: the factor must be a finite number, got NaN");
    expect(() => M.addScalar(-Infinity)).toThrow("addScalar: the number added must be a finite number, got -Infinity");
    expect(() => M.div(Matrix.fromRows([[1, 2], [0, 4]]))).toThrow("div: division by zero, entry (1,0) of the divisor is 0");
    expect(() => Matrix.fromRows([[1e308, 1]]).add(Matrix.fromRows([[1e308, 1]]))).toThrow(/^add: Matrix 1×2: entry \(0,0\) is Infinity/);
  });
});
