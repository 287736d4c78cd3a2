import { assertPositiveInt } from "./errors.js";

// Wall-clock timing of a few functions against each other, for a notebook's comparison on one
// machine (notebook 04 times a loop over samples against one matrix product); not a benchmark.

export interface TimeOptions {
  rounds?: number; // a function's time is the best of this many rounds, default 7
  roundMs?: number; // each round repeats a call for at least this long, default 15 ms
}

// Milliseconds per call of each function, by name. Each is called once first, so that the JIT
// has compiled it before the clock runs. Then, in every round, the functions take turns, each
// repeated until roundMs have passed: a busy machine slows all of them alike, and the best round
// is the one least disturbed. Throws on rounds that is not a positive integer or roundMs ≤ 0.
export function timeIt<Name extends string>(
  fns: Record<Name, () => unknown>,
  opts: TimeOptions = {},
): Record<Name, number> {
  const { rounds = 7, roundMs = 15 } = opts;
  assertPositiveInt("timeIt", "rounds", rounds);
  if (!(roundMs > 0 && Number.isFinite(roundMs))) {
    throw new Error(`timeIt: roundMs must be a positive finite number, got ${String(roundMs)}`);
  }
  const names = Object.keys(fns) as Name[];
  if (names.length === 0) throw new Error("timeIt: expected at least one function to time");
  for (const name of names) fns[name]();
  const best = Object.fromEntries(names.map((name) => [name, Infinity])) as Record<Name, number>;
  for (let r = 0; r < rounds; r++) {
    for (const name of names) best[name] = Math.min(best[name], msPerCall(fns[name], roundMs));
  }
  return best;
}

// fn repeated until at least roundMs have passed → the mean time of one call, in ms (> 0)
function msPerCall(fn: () => unknown, roundMs: number): number {
  const start = performance.now();
  let calls = 0;
  let now = start;
  do {
    fn();
    calls++;
    now = performance.now();
  } while (now - start < roundMs);
  return (now - start) / calls;
}
