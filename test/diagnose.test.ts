import { describe, expect, it } from "vitest";
import { answerVerdict, diagnose, relError } from "../src/check/diagnose.js";
import { Matrix } from "../src/core/matrix.js";
import { Rng } from "../src/core/rng.js";

const rng = new Rng(11);
const K = 5;
const perSample = Matrix.random(K, 3, rng); // rows: per-sample bias gradients
const db = perSample.sum(0); // 1×3, the true gradient of the summed loss
const W = Matrix.random(4, 3, rng);

describe("diagnose", () => {
  it("says matches for the right gradient, also with finite-difference noise", () => {
    expect(diagnose(db, db).slip).toBe("matches");
    expect(diagnose(db.map((v) => v * (1 + 1e-9)), db).slip).toBe("matches");
  });

  it("names each catalogued slip", () => {
    const cases: [Matrix, string, RegExp][] = [
      [db.scale(K), "factor", /K times too large/],
      [db.scale(1 / K), "factor", /K = 5 times too small/],
      [db.scale(1 / (K * K)), "factor", /divided by K twice/],
      [db.scale(2), "factor", /twice too large/],
      [db.scale(-1), "sign", /sign is flipped/],
      [db.scale(3.7), "factor", /3\.7000 times/],
      [perSample, "per-sample", /one row per sample/],
      [perSample.sum(1), "wrong-axis", /summed over the neurons/],
      [db.T(), "transposed", /transposed/],
      [W.T(), "shape", /expected 1×3, got 3×4/],
    ];
    for (const [candidate, slip, message] of cases) {
      const d = diagnose(candidate, db, { K, perSample });
      expect(d.slip, message.source).toBe(slip);
      expect(d.message).toMatch(message);
    }
    const both = diagnose(db.T().scale(K), db, { K });
    expect(both.slip).toBe("transposed");
    expect(both.message).toBe("expected 1×3, got 3×1: transposed, and 5 = K times too large: a sum over the batch where the loss is a mean");
    const square = Matrix.random(3, 3, rng);
    expect(diagnose(square.T(), square).slip).toBe("transposed");
  });

  it("recognises a known wrong answer by value, and falls back to 'values' otherwise", () => {
    const noSigmaPrime = Matrix.random(1, 3, rng);
    const d = diagnose(noSigmaPrime, db, { known: [{ value: noSigmaPrime, hint: "σ′ is missing" }] });
    expect(d).toMatchObject({ slip: "known", message: "σ′ is missing" });
    expect(diagnose(Matrix.random(1, 3, rng), db).slip).toBe("values");
  });

  it("measures relative error as gradCheck does", () => {
    expect(relError(Matrix.row([1, 2]), Matrix.row([1, 2]))).toBe(0);
    expect(relError(Matrix.row([1, 0]), Matrix.row([-1, 0]))).toBe(1);
  });
});

describe("answerVerdict", () => {
  it("says not answered, right, or the diagnosis, and never throws", () => {
    expect(answerVerdict(undefined, db)).toMatch(/^\*\*Not answered yet/);
    expect(answerVerdict(db, db)).toMatch(/^\*\*✓ Right/);
    expect(answerVerdict(db.scale(K), db, { K })).toMatch(/^\*\*✗ Not yet:\*\* 5 = K times too large/);
  });
});
