import { formatNumber } from "./format.js";

// Every claim a notebook makes is checked on the numbers it just computed. A claim that holds
// prints one line, "✓ statement (what was measured)"; a claim that fails throws, which fails the
// cell and so the notebook test in CI.

export class ClaimError extends Error {
  constructor(statement: string, measured: string) {
    super(`claim failed: ${statement}${measured ? ` (measured: ${measured})` : ""}`);
    this.name = "ClaimError";
  }
}

// The claim holds when `holds` is true; `measured` says what the check saw.
export function claim(statement: string, holds: boolean, measured = ""): void {
  if (!holds) throw new ClaimError(statement, measured);
  console.log(`✓ ${statement}${measured ? ` (${measured})` : ""}`);
}

// value < bound, both printed: "✓ the gradient check passes (3.12e-11 < 1.00e-7)".
export function claimBelow(statement: string, value: number, bound: number): void {
  claim(statement, value < bound, `${show(value)} < ${formatNumber(bound, 2)}`);
}

// value > bound: for the mistakes, whose error must be large.
export function claimAbove(statement: string, value: number, bound: number): void {
  claim(statement, value > bound, `${show(value)} > ${formatNumber(bound, 2)}`);
}

// A NaN or an infinity is shown as such (and fails either comparison) instead of throwing here.
const show = (x: number): string => (Number.isFinite(x) ? formatNumber(x, 2) : String(x));

// fn must throw an error of the given class whose message matches `pattern`; returns it so the
// notebook can show the message.
export function claimThrows<E extends Error>(
  statement: string,
  fn: () => unknown,
  errorClass: new (...args: never[]) => E,
  pattern?: RegExp,
): E {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  const ok = thrown instanceof errorClass && (pattern === undefined || pattern.test(thrown.message));
  const seen = thrown instanceof Error ? `${thrown.name}: ${thrown.message}` : thrown === undefined ? "nothing was thrown" : String(thrown);
  claim(statement, ok, seen);
  return thrown as E;
}
