// The library's one entry point: src/index.ts exports every module's public names, and an
// engineer's own ESM script (.mts, run with tsx) can import them from it.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import * as index from "../src/index.js";

const src = resolve(__dirname, "../src");
// helpers a module exports for another module of the library (the fast path's twins and checks)
const internal = new Set(["checkDenseInput", "checkDenseUpstream", "checkActivationUpstream", "logSoftmaxFast", "softmaxCrossEntropyFast"]);

function modules(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? modules(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

describe("src/index.ts", () => {
  const files = modules(src).filter((f) => !f.endsWith("index.ts") && !f.endsWith("display.ts"));

  it.each(files.map((f) => relative(src, f)))("exports every public name of %s", async (file) => {
    const mod = (await import(join(src, file))) as Record<string, unknown>;
    const missing = Object.keys(mod).filter((name) => !internal.has(name) && !(name in index));
    expect(missing).toEqual([]);
  });

  it("is importable from an ESM script run with tsx, named imports and all", () => {
    const dir = mkdtempSync(join(tmpdir(), "entry-"));
    const script = join(dir, "mine.mts");
    writeFileSync(
      script,
      `import { Matrix, Network, Rng, sigmoid, identity, mse, checkNetwork } from ${JSON.stringify(join(src, "index.ts"))};\n` +
        "const rng = new Rng(1);\n" +
        "const net = Network.init([2, 3, 1], [sigmoid, identity], rng);\n" +
        "const X = Matrix.random(4, 2, rng), Y = Matrix.random(4, 1, rng);\n" +
        'const worst = Math.max(...checkNetwork(net, X, Y, mse, "mean").map((r) => r.relError));\n' +
        'console.log(worst < 1e-7 ? "ok" : `bad ${worst}`);\n',
    );
    const tsx = resolve(__dirname, "../node_modules/.bin/tsx");
    const run = spawnSync(tsx, [script], { encoding: "utf8", timeout: 60_000 });
    expect(run.stderr).toBe("");
    expect(run.stdout.trim()).toBe("ok");
  });
});
