import { formatNumber } from "./format.js";

// Two numbers that a reader will compare, printed with the fewest decimals (at least `digits`)
// that tell them apart: "0.101 < 0.100", never "0.10 < 0.10". Equal numbers print equal.
export function formatPair(a: number, b: number, digits = 2): [string, string] {
  for (let d = digits; d <= 17; d++) {
    const pair: [string, string] = [formatNumber(a, d), formatNumber(b, d)];
    if (a === b || pair[0] !== pair[1]) return pair;
  }
  return [formatNumber(a, 17), formatNumber(b, 17)];
}
