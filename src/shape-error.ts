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
