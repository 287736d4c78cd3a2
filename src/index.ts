// The whole library except display.ts, which needs the tslab kernel.
export * from "./activations.js";
export * from "./broadcast.js";
export * from "./check.js";
export * from "./dense.js";
export * from "./datasets.js";
export * from "./format.js";
export * from "./gradcheck.js";
export * from "./linalg.js";
export * from "./losses.js";
export * from "./matrix.js";
export * from "./network.js";
export * from "./plot.js";
export * from "./rng.js";
export * from "./shape-error.js";
export * from "./tex.js";
export * from "./train.js";
export * from "./claims.js";
