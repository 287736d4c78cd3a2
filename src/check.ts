// Argument checks shared by the whole library, so that bad input fails loudly, in one wording,
// instead of turning into a NaN three functions later.

// where: the function being called; what: the argument's name.
export function assertPositiveInt(where: string, what: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`${where}: ${what} must be a positive integer, got ${String(n)}`);
  }
}

export function assertFinite(where: string, what: string, x: number): void {
  if (typeof x !== "number" || !Number.isFinite(x)) {
    throw new Error(`${where}: ${what} must be a finite number, got ${String(x)}`);
  }
}
