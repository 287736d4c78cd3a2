// The Node engine: a notebook's code cells run in a Node worker thread instead of the tslab
// kernel. The cells become the live pages' module (module.mts: one scope, in order, the display
// functions of display.mts), bundled with esbuild against the same src/; each run gets a new
// worker, so nothing carries over from one run to the next. What the cells display becomes the
// notebook's outputs in the MIME types src/display.ts gives them in the kernel (the pages' renderer,
// tools/render/outputs.mts, makes them), so an executed
// copy compares output by output with a kernel run (the runner's --engine=split does).
// Not the same as the kernel: no type-checking (esbuild strips types; `npm test` checks every cell
// under strict and runs each notebook in the kernel too), a cell's last expression is not printed,
// and console.log prints String(value) rather than Node's inspect(): the notebooks show what they
// show through the display functions, and --engine split reports any output that differs.
import { build } from "esbuild";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Worker } from "node:worker_threads";
import { buildDir, root } from "../env.mjs";
import { text, type Notebook, type Output } from "../ipynb.mjs";
import type { Message } from "./display.mjs";
import { notebookModule } from "./module.mjs";
import { messageOutput } from "../render/messages.mjs";

export interface NodeRun {
  outputs: Map<number, Output[]>; // by the cell's index in the notebook that ran
  failure?: { cell: number | null; text: string };
  seconds: number;
}

// Bundles live in a folder of this process's own, removed when it exits: a bundle holds src/ as it
// was when it was built, so one from an earlier process could hold an older library.
let folder: string | undefined;
const bundles = new Map<string, Promise<string>>();

// The notebook's module, bundled once per distinct source (runs with the same cells share it).
function bundle(nb: Notebook): Promise<string> {
  const source = notebookModule(nb, { src: join(root, "src"), display: join(root, "tools", "cells", "display.mts") });
  const known = bundles.get(source);
  if (known) return known;
  if (!folder) {
    mkdirSync(buildDir, { recursive: true });
    const made = mkdtempSync(join(buildDir, "cells-"));
    process.on("exit", () => rmSync(made, { recursive: true, force: true }));
    folder = made;
  }
  const file = join(folder, `${bundles.size}.cjs`);
  const built = build({
    stdin: { contents: source, resolveDir: root, loader: "ts" },
    bundle: true, format: "cjs", platform: "node", target: "node20", write: false, logLevel: "silent",
  }).then((result) => {
    writeFileSync(file, result.outputFiles[0].text);
    return file;
  });
  bundles.set(source, built);
  return built;
}

// The Web Worker globals the module uses (self.onmessage, postMessage), given by a worker thread.
const bootstrap = `
const { parentPort, workerData } = require("node:worker_threads");
globalThis.self = globalThis;
globalThis.postMessage = (m) => parentPort.postMessage(m);
require(workerData.bundle);
self.onmessage({ data: {} });
`;

// Runs nb's code cells, its parameters cell as written. Throws only when the cells do not compile
// as one module; a failing cell is reported in the result.
export async function runInNode(nb: Notebook, timeoutMs: number): Promise<NodeRun> {
  const start = performance.now();
  const file = await bundle(nb);
  const outputs = new Map<number, Output[]>();
  return new Promise((done) => {
    const worker = new Worker(bootstrap, { eval: true, workerData: { bundle: file }, stdout: true, stderr: true });
    let printed = ""; // what bypassed the display functions (process.stdout/stderr), for a failure report
    const keep = (d: Buffer) => (printed = (printed + d.toString()).slice(-4000));
    worker.stdout.on("data", keep);
    worker.stderr.on("data", keep);
    let settled = false;
    const finish = (failure?: NodeRun["failure"]) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate(); // timers or handles a cell left behind must not keep it alive
      done({ outputs, failure, seconds: (performance.now() - start) / 1000 });
    };
    const timer = setTimeout(() => finish({ cell: null, text: `no answer within ${timeoutMs / 1000} s` }), timeoutMs);
    worker.on("message", (m: Message) => {
      if (m.kind === "done") finish();
      else if (m.kind === "error") finish({ cell: m.cell, text: m.stack ?? m.data });
      else {
        const list = outputs.get(m.cell) ?? [];
        const o = messageOutput(m);
        const last = list.at(-1);
        // consecutive prints of a cell make one stream output, as Jupyter stores them
        if (o.output_type === "stream" && last?.output_type === "stream") last.text = text(last.text) + text(o.text);
        else list.push(o);
        outputs.set(m.cell, list);
      }
    });
    worker.on("error", (e) => finish({ cell: null, text: `${e.stack ?? e.message}${printed ? `\n${printed}` : ""}` }));
    worker.on("exit", (code) => finish({ cell: null, text: `the worker exited (${code}) before the last cell finished${printed ? `:\n${printed}` : ""}` }));
  });
}
