// The library's one entry point: everything but display.ts (the tslab kernel's display), by layer.
// Notebooks import it as ./lib/index.js; a script of your own as src/index.ts (ESM or CommonJS).
// Every name is listed, so that an ESM importer sees them (test/entry.test.ts keeps the list whole).

// The numbers: matrices, linear algebra, errors, formatting, random numbers, timing
export {
  assertPositiveInt, NonFiniteError, assertFinite, assertLearningRate, ShapeError,
} from "./core/errors.js";
export { formatNumber, elide, formatPair } from "./core/format.js";
export { Matrix } from "./core/matrix.js";
export { floats, floatsOf, SLAB, PIECE } from "./core/floats.js";
export { matmul, matmulShape, outer, kron, broadcastRows, broadcastCols } from "./core/linalg.js";
export { Rng } from "./core/rng.js";
export { timeIt, type TimeOptions } from "./core/timing.js";
export { spreadOf } from "./core/spread.js";
export { SingularMatrixError, solve } from "./core/solve.js";

// The network: activations, layers, initialisation, losses, penalties, optimizers, training, data
export {
  sigmoidScalar, sigmoid, tanh, relu, identity, logSoftmax, softmax, activate, type Activation,
  type Elementwise,
} from "./nn/activations.js";
export {
  ActivationLayer, type Mode, type Param, type LayerCache, type LayerGrads, type Layer,
  type CacheOf,
} from "./nn/layer.js";
export { zeros, constant, normal, lecun, xavier, he, type Init } from "./nn/init.js";
export { Dense, type DenseCache, type DenseGrads } from "./nn/dense.js";
export {
  BatchNorm, type BatchNormCache, type BatchNormGrads, type BatchNormOptions,
} from "./nn/batchnorm.js";
export { Dropout, type DropoutCache, type DropoutGrads } from "./nn/dropout.js";
export {
  lossGradient, mse, softmaxCrossEntropy, crossEntropy, bceWithLogits, binaryCrossEntropy,
  reductionDivisor, checkDistributions, type Reduction, type OutputLoss, type LogitLoss,
  type LossResult, type OutputLossFn, type LogitLossFn, type LossFn,
} from "./nn/losses.js";
export { l2, type Penalty } from "./nn/penalties.js";
export {
  gradientsFor, applyUpdate, sgd, momentum, nesterov, adam, type Grads, type Optimizer,
  type WeightDecay, type NesterovForm,
} from "./nn/optimizers.js";
export { referenceKernels, type Kernels } from "./nn/kernels.js";
export { Network, gradList, type NetworkOptions, type ObjectiveOptions } from "./nn/network.js";
export {
  DivergenceError, DIVERGED, catchDivergence, train, trainTraced, type TrainOptions,
  type Objective, type TrainHistory, type TrainTrace,
} from "./nn/train.js";
export { softmaxJacobian, softmaxBackwardByJacobian, numericalJacobian } from "./nn/softmax-jacobian.js";
export { xor, oneHot, blobs, spirals, type Dataset } from "./nn/datasets.js";
export {
  deltas, rms, layerScales, predictedScales, meanRatio, summarizeScales, type LayerScale,
  type ScaleSummary,
} from "./nn/deltas.js";
export { standardize } from "./nn/standardize.js";
export {
  LAYOUTS, axisWords, hasBatchAxis, sumsOverBatch, randomMapInputs, backpropMap, type Layout,
  batchAxisFacts, largestGap, type BatchAxisFacts,
  type Axis, type MapSum, type Factor, type Term, type CallUse, type Rendering, type MapStep,
  type GlossaryEntry, type MapInputs, type BackpropMap,
} from "./nn/map.js";
export { forwardInBatches, withPopulationStatistics } from "./nn/batches.js";
export { onlyRow } from "./nn/sample-term.js";
export { ridge, withOnes } from "./nn/ridge.js";
export { trainPath, arraysGap, arraysDistance, pathMean } from "./nn/path.js";
export { LayerNorm, type LayerNormCache, type LayerNormGrads } from "./nn/layernorm.js";
export {
  BATCH_NORM_SLIPS, SlippedBatchNorm, withBatchNormSlip, checkBatchNormSlip, type BatchNormSlip,
  type SlippedBatchNormCache, type SlipCheck,
} from "./nn/batchnorm-slips.js";

// Checking: finite differences, diagnosis of slips, rounding budgets, the notebooks' claims
export {
  differenceResolution, termRatio, gradCheck, numericalGradient, lossShifted, difference,
  checkNetwork, kinkSides, type GradCheckReport, type Checked, type GradCheckOptions,
  type DifferenceOptions,
} from "./check/gradcheck.js";
export {
  relError, diagnose, answerVerdict, type KnownSlip, type DiagnoseOptions, type Slip,
  type Diagnosis,
} from "./check/diagnose.js";
export {
  EPS, sumRoundoff, ulps, centredDifferenceError, paramGap, gradCheckBound, runGap, LOSS_NOISE,
  trainingRunChecks, type TrainRun,
} from "./check/compare.js";
export { quotientError, rollingMax, scanSteps, logLogSlope, type StepScan } from "./check/stepscan.js";
export { symmetricUnits } from "./check/symmetry.js";
export {
  ClaimError, tx, claim, claimBelow, claimAbove, claimThrows, checksMarkdown, type Check,
} from "./check/claims.js";
export { passesCheck } from "./check/verdict.js";
export { batchNormRoundoff, batchNormLossRoundoff, normalizationDifferenceError } from "./check/batchnorm-roundoff.js";
export { normalizationStep } from "./check/step.js";

// Showing: formulas with live values, TeX, Markdown tables, charts
export {
  LINE_EM, roughEm, val, num, sized, layout, math, type Piece, type MathValue,
} from "./view/equation.js";
export { texShape, texSized, texNumber, matrixScale, texMatrix, checkTex } from "./view/tex.js";
export { escapeMarkdown, markdownTable } from "./view/markdown.js";
export {
  lineChart, lineChartTwoWays, divergenceNote, logAxis, scatter, READABLE, stepPanels, decadeTicks,
  type Json, type VegaLiteSpec, type ChartOptions, type Series, type Point, type LineOptions,
  type TwoWaySeries, type PanelRun, type PanelOptions,
} from "./view/plot.js";
export { wholeNumberX } from "./view/axes.js";
export {
  SHAPE_COLORS, textWidth, shapesScene, shapesChart, sceneSpec, type ShapesOptions, type SceneRect,
  type SceneLine, type SceneText, type SceneBox, type Scene,
} from "./view/shapes.js";
export { layoutsTable, numpyTable, glossaryTable, SERIES_SYMBOLS, notationTable } from "./view/map-tables.js";

// Speed: the fast path (a Network's default kernels, bit for bit the teaching code)
export { gemmWasm, type GemmWasm } from "./fast/gemm-wasm.js";
export { matmulFast, SMALL_PRODUCT, type Matmul } from "./fast/matmul-fast.js";
export { fastKernels } from "./fast/kernels.js";
