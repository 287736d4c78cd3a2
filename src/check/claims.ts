import { formatNumber } from "../core/format.js";
import { formatPair } from "../core/format.js";
import { escapeMarkdown } from "../view/markdown.js";

// Every claim a notebook makes is checked on the numbers it just computed. A claim that holds
// returns a Check (what was stated, what was measured), which display.ts's checks() shows as one
// compact block per cell; a claim that fails throws, which fails the cell and so the notebook
// test in CI.

export interface Check {
  statement: string; // short, may hold inline math $…$
  measured: string; // what the check saw, e.g. "3.1e-11 < 1e-7"
}

export class ClaimError extends Error {
  constructor(statement: string, measured: string) {
    super(`claim failed: ${statement}${measured ? ` (measured: ${measured})` : ""}`);
    this.name = "ClaimError";
  }
}

// A claim's text with TeX written as it reads: tx`the mean fails for $E_\text{sum}$` keeps every
// backslash (it is String.raw), so no backslash is doubled; ${…} values are put in as usual.
export const tx = String.raw;

// The claim holds when `holds` is true; `measured` says what the check saw.
export function claim(statement: string, holds: boolean, measured = ""): Check {
  if (!holds) throw new ClaimError(statement, measured);
  return { statement, measured };
}

// value < bound, both printed: "3.12e-11 < 1.00e-7".
export function claimBelow(statement: string, value: number, bound: number): Check {
  return claim(statement, value < bound, compared(value, "<", bound));
}

// value > bound: for the mistakes, whose error must be large.
export function claimAbove(statement: string, value: number, bound: number): Check {
  return claim(statement, value > bound, compared(value, ">", bound));
}

// "value op bound" with the decimals that tell them apart ("0.101 < 0.100", not "0.10 < 0.10");
// an exact 0 as "0 (exact)", not "0.00", which reads like a rounded number; a NaN or an
// infinity is shown as such (and fails either comparison) instead of throwing here.
const compared = (value: number, op: string, bound: number): string =>
  value === 0
    ? `0 (exact) ${op} ${formatNumber(bound, 2)}`
    : Number.isFinite(value)
      ? formatPair(value, bound).join(` ${op} `)
      : `${String(value)} ${op} ${formatNumber(bound, 2)}`;

// fn must throw an error of the given class whose message matches `pattern`. The check's
// measured text is the error's message, and `error` is the error, for the notebook to show.
export function claimThrows<E extends Error>(
  statement: string,
  fn: () => unknown,
  errorClass: new (...args: never[]) => E,
  pattern?: RegExp,
): Check & { error: E } {
  let thrown: unknown;
  try {
    fn();
  } catch (e) {
    thrown = e;
  }
  const ok = thrown instanceof errorClass && (pattern === undefined || pattern.test(thrown.message));
  const seen =
    thrown instanceof Error
      ? `${thrown.name}: ${thrown.message}`
      : thrown === undefined
        ? "nothing was thrown"
        : String(thrown);
  return { ...claim(statement, ok, seen), error: thrown as E };
}


// The checks of one cell as one compact Markdown block: a line each, "✓ statement — measured",
// the measured part in a smaller, muted style (plain text where HTML is not rendered).
export function checksMarkdown(checks: readonly Check[]): string {
  if (checks.length === 0) throw new Error("checksMarkdown: expected at least one check");
  return checks
    .map(({ statement, measured }) =>
      `✓ ${escapeMarkdown(statement)}${measured ? ` <small>— ${escapeMarkdown(measured)}</small>` : ""}`,
    )
    .join("<br>\n");
}
