import { assertFinite, assertPositiveInt } from "../core/errors.js";
import { Matrix } from "../core/matrix.js";
import type { Rng } from "../core/rng.js";
import type { Layer } from "./layer.js";
import type { Network } from "./network.js";

// How a layer's weights start: n inputs, m outputs → W (n×m). Biases start at 0 in every scheme.
// The random schemes draw the entries in row-major order from the Rng, so a seed replays them.
// The variance argument behind the scaled ones (notebook 09): for independent zero-mean entries,
// Var z = n · Var w · Var x, so Var w = 1/n keeps the forward variance, and the backward pass's
// δ = (δ_next Wᵀ) ⊙ f′ has Var δ = m · Var w · Var δ_next, which wants 1/m.
export interface Init {
  readonly name: string;
  (n: number, m: number, rng: Rng): Matrix;
}

function scheme(name: string, draw: (n: number, m: number, rng: Rng) => Matrix): Init {
  const init = (n: number, m: number, rng: Rng): Matrix => {
    assertPositiveInt(`init ${name}`, "n", n);
    assertPositiveInt(`init ${name}`, "m", m);
    return draw(n, m, rng);
  };
  return Object.defineProperty(init, "name", { value: name }) as Init;
}

// Every weight 0: every unit of the layer computes the same thing, for ever (notebook 09).
export const zeros: Init = scheme("zeros", (n, m) => Matrix.zeros(n, m));

// Every weight c: as symmetric as zeros.
export function constant(c: number): Init {
  assertFinite("constant", "c", c);
  return scheme(`constant(${c})`, (n, m) => Matrix.fill(n, m, () => c));
}

// Independent normal(0, σ) weights, whatever n and m are (σ = 0.01 is a common tiny start).
export function normal(sigma: number): Init {
  assertFinite("normal", "sigma", sigma);
  if (!(sigma > 0)) throw new Error(`normal: sigma must be positive, got ${sigma}`);
  return scheme(`normal(${sigma})`, (n, m, rng) => Matrix.random(n, m, rng, sigma));
}

// normal(0, 1/√n): Var w = 1/n, the forward argument alone (LeCun, Bottou, Orr and Müller,
// "Efficient BackProp", 1998, §4.6). The library's default.
export const lecun: Init = scheme("lecun", (n, m, rng) => Matrix.random(n, m, rng, 1 / Math.sqrt(n)));

// normal(0, √(2/(n + m))): Var w = 2/(n + m), halfway between the forward pass's 1/n and the
// backward pass's 1/m (Glorot and Bengio, "Understanding the difficulty of training deep
// feedforward neural networks", AISTATS 2010, eq. 12; they draw it uniform, the variance is the same).
export const xavier: Init = scheme("xavier", (n, m, rng) => Matrix.random(n, m, rng, Math.sqrt(2 / (n + m))));

// normal(0, √(2/n)): ReLU zeroes half of z, so Var a = Var z / 2 and Var w = 2/n keeps the
// variance (He, Zhang, Ren and Sun, "Delving Deep into Rectifiers", ICCV 2015, eq. 10).
export const he: Init = scheme("he", (n, m, rng) => Matrix.random(n, m, rng, Math.sqrt(2 / n)));

// The units of hidden Dense layer l (1-based, as in W<l>) that cannot be told apart: groups of two
// or more units whose incoming weights (columns of W_l, n_{l−1} each), bias entries (of b_l) and
// outgoing weights (rows of W_{l+1}, n_{l+1} each) are all exactly equal. Swapping two such units
// leaves the network the same function, so their δ columns, and with them their gradients, are
// equal too: they start identical and stay identical under gradient descent, whatever the data
// (notebook 09; the symmetry that random initialisation breaks). Each group is sorted, and the
// groups come in order of their first unit: [] when every unit is its own.
// Throws: l not an integer in 1..L−1 for a network of L Dense layers; l = L, the output layer,
// which has no outgoing weights; a layer other than an activation between Dense l and Dense l + 1
// (batch norm, dropout), whose own per-unit behaviour this does not compare.
export function symmetricUnits(net: Network, l: number): number[][] {
  const op = "symmetricUnits";
  const dense = net.layers.flatMap((layer, i) => (layer.kind === "Dense" ? [i] : []));
  const L = dense.length;
  if (L < 2) throw new Error(`${op}: the network has one Dense layer, W1, whose units are its outputs: there is no hidden layer`);
  if (!Number.isInteger(l) || l < 1 || l > L) {
    throw new Error(`${op}: l must be the number of a hidden Dense layer, 1..${L - 1} (W1..W${L - 1}), got ${String(l)}`);
  }
  if (l === L) {
    throw new Error(
      `${op}: W${L} belongs to the last Dense layer, whose units are the network's outputs: it has no outgoing weights (no W${L + 1}) to compare; ask for a hidden layer, 1..${L - 1}`,
    );
  }
  net.layers.slice(dense[l - 1] + 1, dense[l]).forEach((layer, i) => {
    if (layer.kind !== "Activation") {
      throw new Error(
        `${op}: layer ${dense[l - 1] + i + 2} (${layer.kind}) sits between W${l} and W${l + 1}; only activation layers are handled there`,
      );
    }
  });
  const [W, b] = weightsAndBias(net.layers[dense[l - 1]]); // n×m, 1×m
  const [next] = weightsAndBias(net.layers[dense[l]]); // m×p
  const groups = new Map<string, number[]>(); // by the unit's numbers, in order of first unit
  for (let j = 0; j < W.cols; j++) {
    const incoming = Array.from({ length: W.rows }, (_, i) => W.get(i, j));
    const outgoing = Array.from(next.data.subarray(j * next.cols, (j + 1) * next.cols));
    // String(x) is the shortest text that reads back as x: two units share a key only when every
    // number is equal (0 and −0 count as equal, as they do in every product here)
    const key = [...incoming, b.get(0, j), ...outgoing].join(",");
    groups.set(key, [...(groups.get(key) ?? []), j]);
  }
  return [...groups.values()].filter((units) => units.length > 1);
}

// a Dense layer's [W, b], by the names its params() gives them
function weightsAndBias(layer: Layer): [Matrix, Matrix] {
  const find = (name: string): Matrix => {
    const p = layer.params().find((q) => q.name === name);
    if (!p) throw new Error(`symmetricUnits: the ${layer.kind} layer has no parameter ${name}`);
    return p.value;
  };
  return [find("W"), find("b")];
}
