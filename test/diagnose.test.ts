import { describe, expect, it } from "vitest";
import { answerVerdict, diagnose, relError } from "../src/check/diagnose.js";
import { differenceResolution, numericalGradient } from "../src/check/gradcheck.js";
import { broadcastRows } from "../src/core/linalg.js";
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

describe("diagnose: (nearly) zero gradients", () => {
  it("calls a candidate negligible next to the reference zero, not a constant factor", () => {
    const tiny = diagnose(db.scale(-6.2e-33), db, { K });
    expect(tiny.slip).toBe("zero");
    expect(tiny.message).toMatch(/^every entry is \(nearly\) zero — the largest is \S+e-3\d while the gradient's largest is \S+: /);
    expect(tiny.message).toMatch(/σ′ of a saturated unit, a symmetric start\) or a term left out$/);
    expect(tiny.message).not.toMatch(/times the right one/);
    expect(diagnose(Matrix.zeros(1, 3), db).message).toMatch(/^every entry is zero, while the gradient's largest is/);
    // the line: 1e-6 of the reference is zero, 1e-5 still a constant factor
    expect(diagnose(db.scale(1e-7), db).slip).toBe("zero");
    expect(diagnose(db.scale(1e-5), db)).toMatchObject({ slip: "factor", factor: expect.closeTo(1e-5, 15) });
  });

  it("says so when the reference is zero and the candidate is not", () => {
    const d = diagnose(db, Matrix.zeros(1, 3));
    expect(d.slip).toBe("zero");
    expect(d.message).toMatch(/^the gradient is exactly zero, yours is not \(its largest is \S+\): /);
    const noise = Matrix.row([2e-12, -1e-12, 0]); // a finite difference of a zero gradient
    expect(diagnose(db, noise, { resolution: 1e-9 }).message).toMatch(/^the gradient is zero to rounding \(its largest entry is 2\.00e-12\)/);
    expect(diagnose(db, noise).message).toMatch(/^the gradient is \(nearly\) zero \(its largest entry is 2\.00e-12\)/);
    expect(diagnose(db, db.scale(1e-7)).slip).toBe("zero"); // not "1e7 times the right one"
  });

  it("matches a zero candidate with a zero reference below the resolution it is given", () => {
    const noise = Matrix.row([2e-12, -1e-12, 0]);
    expect(diagnose(Matrix.zeros(1, 3), noise).slip).not.toBe("matches"); // 2e-12 might be a gradient
    const d = diagnose(Matrix.zeros(1, 3), noise, { resolution: 1e-9 });
    expect(d).toMatchObject({ slip: "matches", relError: 0, belowResolution: true });
    expect(diagnose(Matrix.row([1e-10, 0, 0]), noise, { resolution: 1e-9 }).slip).toBe("matches");
    // a candidate above the resolution is not zero; one within it is, next to a reference above it
    expect(diagnose(Matrix.row([1e-3, 0, 0]), noise, { resolution: 1e-9 }).slip).toBe("zero");
    expect(diagnose(Matrix.row([1e-9, 0, 0]), db.scale(1e-4), { resolution: 2e-9 }).message).toMatch(/^every entry is \(nearly\) zero/);
    expect(() => diagnose(db, db, { resolution: -1 })).toThrow("diagnose: resolution must be at least 0, got -1");
  });
});

describe("answerVerdict", () => {
  // E(b) = Σ tanh(Z − 1·mean(Z))², Z = X + 1·b: shifting b_j shifts column j and its mean
  // alike, so ∂E/∂b = 0, and its finite differences are rounding noise
  const Kz = 6;
  const Xz = Matrix.random(Kz, 3, new Rng(9));
  const b = Matrix.random(1, 3, new Rng(109));
  const lossAt = () => {
    const Z = Xz.add(broadcastRows(b, Kz));
    return Z.sub(broadcastRows(Z.sum(0).scale(1 / Kz), Kz)).map((z) => Math.tanh(z) ** 2).total();
  };
  const reference = numericalGradient(b, lossAt);

  it("says right for a zero answer to a zero gradient, given the finite difference's resolution", () => {
    expect(reference.maxAbs()).toBeGreaterThan(0); // rounding noise: the case that read as wrong
    const resolution = differenceResolution(lossAt());
    expect(answerVerdict(Matrix.zeros(1, 3), reference, { resolution })).toMatch(
      /^\*\*✓ Right\.\*\* Your answer is zero, as the gradient is \(both below the finite difference's resolution, \S+\)\.$/,
    );
    expect(answerVerdict(Matrix.row([0.1, -0.1, 0]), reference, { resolution })).toMatch(/^\*\*✗ Not yet:\*\* the gradient is zero to rounding/);
  });

  it("names a (nearly) zero answer", () => {
    expect(answerVerdict(db.scale(-6.2e-33), db, { K })).toMatch(/^\*\*✗ Not yet:\*\* every entry is \(nearly\) zero/);
  });

  it("says not answered, right, or the diagnosis, and never throws", () => {
    expect(answerVerdict(undefined, db)).toMatch(/^\*\*Not answered yet/);
    expect(answerVerdict(db, db)).toMatch(/^\*\*✓ Right/);
    expect(answerVerdict(db.scale(K), db, { K })).toMatch(/^\*\*✗ Not yet:\*\* 5 = K times too large/);
  });
});

describe("a known slip whose shape is not the gradient's", () => {
  it("is named with its hint, after the shapes", () => {
    const reference = Matrix.column([1, 2, 3]); // m×1, as in a column layout's ∂E/∂b
    const wrongAxis = Matrix.row([4, 5]); // 1×K: summed over the neurons instead
    const d = diagnose(wrongAxis, reference, { known: [{ value: wrongAxis, hint: "summed over the neurons; the samples are sum(1) here" }] });
    expect(d.slip).toBe("known");
    expect(d.message).toBe("expected 3×1, got 1×2: summed over the neurons; the samples are sum(1) here");
    expect(diagnose(wrongAxis, reference).slip).toBe("shape");
  });
});
