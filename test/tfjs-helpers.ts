// What the TensorFlow.js comparisons share (tfjs.test.ts, tfjs-layers.test.ts, tfjs-losses.test.ts):
// the CPU backend with gradients registered, and conversions between Matrix and float32 tensors.
// tfjs computes in float32, so inputs are made float32-representable and agreement is expected to
// about 1e-5 relative for a loss and 1e-4 for a gradient.
import * as tf from "@tensorflow/tfjs-core";
// tfjs-core's Node bundle registers no gradients; the union package @tensorflow/tfjs would. They
// live in a global registry, so registering them from the ESM module is enough.
import "@tensorflow/tfjs-core/dist/register_all_gradients";
import "@tensorflow/tfjs-backend-cpu";
import { beforeAll } from "vitest";
import { Matrix } from "../src/core/matrix.js";

export function useTfjsCpu(): void {
  beforeAll(async () => {
    tf.env().set("IS_TEST", true); // silences the "install the node backend" warning
    await tf.setBackend("cpu");
  });
}

export const toFloat32 = (M: Matrix): Matrix => M.map(Math.fround);
export const toTensor = (M: Matrix): tf.Tensor2D => tf.tensor2d(Float32Array.from(M.data), [M.rows, M.cols]);
export const fromTensor = (t: tf.Tensor): Matrix =>
  new Matrix(t.shape[0] ?? 1, t.shape[1] ?? 1, Float64Array.from(t.dataSync()));
