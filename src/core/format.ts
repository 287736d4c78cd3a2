import { assertFinite } from "./errors.js";

// A number for people: fixed-point with `digits` decimals for ordinary magnitudes, scientific
// (mantissa with `digits` decimals, "3.20e-9") when fixed-point would hide the value —
// a 3e-9 gradient must not print as 0.00 — or when it would be too long.
export function formatNumber(x: number, digits: number): string {
  assertFinite("formatNumber", "x", x);
  if (!Number.isInteger(digits) || digits < 0 || digits > 20) {
    throw new Error(`formatNumber: digits must be an integer from 0 to 20, got ${String(digits)}`);
  }
  const a = Math.abs(x);
  const scientific = x !== 0 && (a < 10 ** -digits || a >= 1e6);
  return scientific ? x.toExponential(digits) : x.toFixed(digits);
}

// Which of n rows (or columns) to show when at most max fit: all of them when n ≤ max, otherwise
// the first max − 2, a gap (null) and the last one, max in all. option names max in errors.
export function elide(n: number, max: number, option: string): (number | null)[] {
  const all = Array.from({ length: n }, (_, i) => i);
  if (n <= max) return all;
  if (!Number.isInteger(max) || max < 3) {
    throw new Error(`${option} must be an integer of at least 3 to elide anything, got ${String(max)}`);
  }
  return [...all.slice(0, max - 2), null, n - 1];
}

// Two numbers that a reader will compare, printed with the fewest decimals (at least `digits`)
// that tell them apart: "0.101 < 0.100", never "0.10 < 0.10". Equal numbers print equal.
export function formatPair(a: number, b: number, digits = 2): [string, string] {
  for (let d = digits; d <= 17; d++) {
    const pair: [string, string] = [formatNumber(a, d), formatNumber(b, d)];
    if (a === b || pair[0] !== pair[1]) return pair;
  }
  return [formatNumber(a, 17), formatNumber(b, 17)];
}
