import { assertFinite, assertPositiveInt } from "../core/errors.js";
import { Matrix } from "../core/matrix.js";
import type { Rng } from "../core/rng.js";

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
