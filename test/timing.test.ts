import { describe, expect, it } from "vitest";
import { timeIt } from "../src/core/timing.js";

describe("timeIt", () => {
  it("calls every function and returns a positive time per call for each name", () => {
    const calls = { a: 0, b: 0 };
    const t = timeIt({ a: () => calls.a++, b: () => calls.b++ }, { rounds: 2, roundMs: 1 });
    expect(Object.keys(t)).toEqual(["a", "b"]);
    expect(t.a).toBeGreaterThan(0);
    expect(t.b).toBeGreaterThan(0);
    expect(calls.a).toBeGreaterThanOrEqual(3); // the warm-up and at least one call per round
    expect(calls.b).toBeGreaterThanOrEqual(3);
  });

  it("refuses bad options", () => {
    expect(() => timeIt({ a: () => 0 }, { rounds: 0 })).toThrow("timeIt: rounds must be a positive integer, got 0");
    expect(() => timeIt({ a: () => 0 }, { roundMs: 0 })).toThrow(/roundMs must be a positive finite number/);
    expect(() => timeIt({})).toThrow(/at least one function/);
  });
});
