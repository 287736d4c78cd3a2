import * as prand from "pure-rand";
import { assertPositiveInt } from "./errors.js";

// A seeded random number generator: the same seed gives the same numbers on every machine.
// It wraps pure-rand's Mersenne Twister (MT19937), whose seeding mixes even small seeds well;
// everything below is built from its 32-bit outputs with integer arithmetic, so no platform
// randomness leaks in.
export class Rng {
  private readonly gen: prand.RandomGenerator;

  // seed: an integer in [0, 2^32).
  constructor(seed: number) {
    if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) {
      throw new Error(`Rng: seed must be an integer in [0, 2^32), got ${String(seed)}`);
    }
    this.gen = prand.mersenne(seed | 0);
  }

  // A float in [0, 1) with 53 random bits: 27 bits from one draw, 26 from the next
  // (a double has a 53-bit mantissa, one 32-bit draw would leave most of it zero).
  uniform(): number {
    const hi = (this.gen.unsafeNext() >>> 5) * 2 ** 26;
    const lo = this.gen.unsafeNext() >>> 6;
    return (hi + lo) / 2 ** 53;
  }

  // One normal(mean, sd) sample by Box–Muller, from two uniforms.
  // The second Box–Muller value is discarded so every call consumes exactly four draws.
  normal(mean = 0, sd = 1): number {
    const u1 = 1 - this.uniform(); // in (0, 1], so the log is finite
    const u2 = this.uniform();
    return mean + sd * Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  // An integer in [0, n), unbiased (pure-rand rejects the uneven tail of the 32-bit range).
  int(n: number): number {
    assertPositiveInt("Rng.int", "n", n);
    return prand.unsafeUniformIntDistribution(0, n - 1, this.gen);
  }

  // A shuffled copy of a (Fisher–Yates); a itself is left alone.
  shuffle<T>(a: readonly T[]): T[] {
    const out = a.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  // A random ordering of 0, 1, …, n−1.
  permutation(n: number): number[] {
    assertPositiveInt("Rng.permutation", "n", n);
    return this.shuffle(Array.from({ length: n }, (_, i) => i));
  }
}
