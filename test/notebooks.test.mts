// Every notebook, executed headless in the tslab kernel at its defaults and across a sweep of
// batch sizes and a second seed; then the committed outputs must equal the fresh defaults run.
import { describe, expect, it } from "vitest";
import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import { compareOutputs } from "../tools/compare-outputs.mjs";
import { listNotebooks, parameters, readNotebook } from "../tools/ipynb.mjs";
import { root, runTool } from "./run-tool.mjs";

const notebooks = listNotebooks(join(root, "notebooks"));
const defaultBatchSizes = new Set(notebooks.map((p) => parameters(readNotebook(p), p).find((q) => q.name === "batchSize")?.defaultSource));
const sweep: { label: string; params: string[] }[] = [
  { label: "defaults", params: [] },
  ...["1", "3", "64"].filter((k) => !defaultBatchSizes.has(k)).map((k) => ({ label: `batchSize=${k}`, params: [`batchSize=${k}`] })),
  { label: "seed=2", params: ["seed=2"] },
];
const outDir = (label: string) => join(root, "build", "test", label.replace(/[^\w=]/g, "_"));

describe.sequential("notebooks run headless", () => {
  it("the series has notebooks, each with batchSize and seed parameters", () => {
    expect(notebooks.length).toBeGreaterThanOrEqual(5);
    for (const p of notebooks) expect(parameters(readNotebook(p), p).map((q) => q.name)).toEqual(expect.arrayContaining(["batchSize", "seed"]));
  });
  for (const { label, params } of sweep) {
    it(`every notebook runs without error at ${label}`, () => {
      const { status, out } = runTool("notebooks.mts", ["--jobs", "2", "--out", outDir(label), ...params.flatMap((p) => ["--param", p])]);
      expect(status, out).toBe(0);
    }, 900_000);
  }
  for (const path of notebooks) {
    it(`${basename(path)}: committed outputs equal a fresh run at the defaults`, () => {
      const fresh = join(outDir("defaults"), basename(path));
      expect(existsSync(fresh), "the defaults run did not produce this notebook").toBe(true);
      const diffs = compareOutputs(basename(path), readNotebook(path), readNotebook(fresh));
      expect(diffs.join("\n"), "committed outputs differ from a fresh run; refresh them with `npm run notebooks -- --in-place`").toBe("");
    });
  }
});
