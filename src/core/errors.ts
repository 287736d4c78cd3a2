// The library's errors, and the argument checks shared by the whole library, so that bad input fails loudly, in one wording,
// instead of turning into a NaN three functions later.

// where: the function being called; what: the argument's name.
export function assertPositiveInt(where: string, what: string, n: number): void {
  if (!Number.isInteger(n) || n < 1) {
    throw new Error(`${where}: ${what} must be a positive integer, got ${String(n)}`);
  }
}

// A NaN or an infinity where a finite number was needed; train() turns one into a divergence.
export class NonFiniteError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "NonFiniteError";
  }
}

export function assertFinite(where: string, what: string, x: number): void {
  if (typeof x !== "number" || !Number.isFinite(x)) {
    throw new NonFiniteError(`${where}: ${what} must be a finite number, got ${String(x)}`);
  }
}

// A learning rate: η = 0 would not learn and η < 0 climbs the loss, so both are refused.
export function assertLearningRate(where: string, eta: number): void {
  if (typeof eta !== "number" || !Number.isFinite(eta) || eta <= 0) {
    throw new Error(`${where}: the learning rate eta (η) must be a positive finite number, got ${String(eta)}`);
  }
}

// A shape mismatch, reported as the operation and every shape involved: "sub: 3×5 vs 3×1",
// optionally followed by what was expected: "matmul: 3×5 vs 3×1 (inner sizes 5 and 3 must agree)".
export class ShapeError extends Error {
  readonly op: string;
  readonly shapes: string[];

  constructor(op: string, shapes: string[], expected?: string) {
    const detail = expected === undefined ? "" : ` (${expected})`;
    super(`${op}: ${shapes.join(" vs ")}${detail}`);
    this.name = "ShapeError";
    this.op = op;
    this.shapes = shapes;
  }
}
