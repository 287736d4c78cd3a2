// `npm run notebooks -- [notebook…] [--param name=value …] [--out DIR] [--in-place] [--jobs N]
//                      [--sweep[=fast]] [--exercise] [--engine E] [--warm] [--report FILE] [--list]`
// Executes notebooks headless, all of them by default. Parameters are checked against each
// notebook's parameters cell before anything runs.
//   --engine tslab  (the default) every run in a new tslab kernel, through nbclient (tools/execute.py)
//   --engine node   every run in a new Node worker thread (tools/cells/node.mts): the same cells,
//                   bundled with esbuild; most runs take well under a second instead of 5–10 s,
//                   but types are not checked there
//   --engine split  every run in Node, and the base run (the defaults, or the --param values) in the
//                   kernel as well: Node must show exactly the kernel's outputs (the exercise's types
//                   are checked by tools/typecheck-notebooks.mts, with its solution and wrong answers)
//   --sweep     also run every knob, one at a time, at its documented minimum, a few times its
//               default and its documented maximum (tools/ipynb.mts sweepPoints), plus batchSize=64;
//               --sweep=fast: only the batchSize and seed knobs
//   --exercise  also run the exercise with its solution line and its catalogued wrong answers
//   --warm      let the runs of one notebook after its first share a kernel: a third of the time,
//               but not independent (tslab keeps a function's old bindings across re-runs, so a
//               run can see values from the one before); by default every run gets a new kernel
//   --report F  a JSON record of every run
//   --list      print the runs it would make, and stop
// A line is printed as each run finishes (which notebook, which values, how long). A kernel that
// never answers is started once more (tools/execute.py waits 180 s for each); when neither answers,
// the run fails saying so: a busy machine, not a failing notebook, and the command that runs it again.
import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, existsSync, lstatSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { availableParallelism, loadavg } from "node:os";
import { createInterface } from "node:readline";
import { basename, dirname, join, relative, resolve } from "node:path";
import type { NodeRun } from "./cells/node.mjs";
import { compareOutputs } from "./compare-outputs.mjs";
import { buildDir, jupyterEnv, libDir, notebooksDir, python, root } from "./env.mjs";
import { ensureLibrary } from "./library.mjs";
import {
  exerciseEdits, exerciseVerdicts, findExercise, hasParametersCell, listNotebooks, NotebookError, parameterLiteral,
  parameters, prepareRun, readNotebook, sweepPoints, text, type Cell, type Exercise, type RunEdits,
} from "./ipynb.mjs";

const usage = "usage: npm run notebooks -- [notebook.ipynb …] [--param name=value …] [--out DIR] [--in-place] [--jobs N]" +
  " [--sweep[=fast]] [--exercise] [--engine tslab|node|split] [--warm] [--report FILE] [--list]";

function fail(message: string): never {
  console.error(`${message}\n${usage}`);
  process.exit(2);
}

interface Options {
  paths: string[]; params: Map<string, string>; out: string; inPlace: boolean; jobs: number;
  sweep: false | "full" | "fast"; exercise: boolean; engine: Engine | "split"; fresh: boolean; list: boolean; report?: string;
}
type Engine = "tslab" | "node";

function parseArgs(argv: string[]): Options {
  const o: Options = {
    paths: [], params: new Map(), out: join(buildDir, "executed"), inPlace: false, jobs: 1, sweep: false, exercise: false, engine: "tslab", fresh: true, list: false,
  };
  for (let i = 0; i < argv.length; i++) {
    // --flag value or --flag=value; for --param the value is itself name=value
    const eq = argv[i].startsWith("--") ? argv[i].indexOf("=") : -1;
    const [flag, inline] = eq > 0 ? [argv[i].slice(0, eq), argv[i].slice(eq + 1)] : [argv[i], undefined];
    const value = (): string => inline ?? argv[++i] ?? fail(`${flag} needs a value`);
    if (flag === "--param" || flag === "-p") {
      const pair = value();
      const at = pair.indexOf("=");
      if (at < 1) fail(`--param takes name=value, got "${pair}"`);
      const [name, v] = [pair.slice(0, at), pair.slice(at + 1)];
      const before = o.params.get(name);
      if (before !== undefined) fail(`--param ${name} is given twice (${name}=${before} and ${name}=${v}): give it once`);
      o.params.set(name, v);
    } else if (flag === "--out") o.out = resolve(value());
    else if (flag === "--report") o.report = resolve(value());
    else if (flag === "--in-place") o.inPlace = true;
    else if (flag === "--sweep") {
      if (inline !== undefined && inline !== "full" && inline !== "fast") fail(`--sweep takes no value, or =fast or =full; got ${inline}`);
      o.sweep = inline === "fast" ? "fast" : "full";
    }
    else if (flag === "--exercise") o.exercise = true;
    else if (flag === "--engine") {
      const e = value();
      if (e !== "tslab" && e !== "node" && e !== "split") fail(`--engine takes tslab, node or split; got ${e}`);
      o.engine = e;
    }
    else if (flag === "--warm") o.fresh = false;
    else if (flag === "--list") o.list = true;
    else if (flag === "--jobs") {
      o.jobs = Number(value());
      if (!Number.isInteger(o.jobs) || o.jobs < 1) fail("--jobs takes a whole number ≥ 1");
    } else if (flag.startsWith("-")) fail(`unknown option ${flag}`);
    else o.paths.push(resolve(flag));
  }
  if (o.inPlace && o.params.size) fail("--in-place refreshes the committed outputs, which are the defaults: it takes no --param");
  if (o.inPlace && (o.sweep || o.exercise)) fail("--in-place stores the defaults run only: it takes no --sweep or --exercise");
  if (o.inPlace && o.engine !== "tslab") fail("--in-place stores what the tslab kernel shows: it takes no --engine");
  if (o.sweep && o.params.size) fail("--sweep sets the knobs itself, one at a time: it takes no --param");
  if (!o.paths.length) o.paths = listNotebooks(notebooksDir);
  return o;
}

// A folder the runner may write into, checked before anything runs; it gets a `lib` link to
// build/lib so an executed copy there can be reopened and re-run in JupyterLab.
function writableFolder(dir: string, what: string): void {
  const probe = join(dir, `.write-test-${process.pid}`);
  try {
    mkdirSync(dir, { recursive: true });
    writeFileSync(probe, "");
    rmSync(probe);
  } catch (e) {
    fail(`${what} ${relative(process.cwd(), dir) || "."} is not a folder this runner can write to (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  const lib = join(dir, "lib");
  try {
    lstatSync(lib);
  } catch {
    try {
      symlinkSync(relative(dir, libDir), lib);
    } catch { /* only a convenience */ }
  }
}

interface Run {
  id: number;
  notebook: string; // path
  label: string; // "defaults", "batchSize=64", "exercise", or the --param list
  engine: Engine;
  edits: RunEdits;
  output: string;
  exercise?: Exercise;
  twin?: number; // --engine split: the same run in the other engine, whose outputs must be the same
  // the base run, for reading: each plot gets the image/png JupyterLab would add (tools/plot-png.mts);
  // with --engine split only the Node run's copy, drawn in this process (the kernel's worker starts a
  // process for them, about 1.5 s a notebook)
  pictures: boolean;
  problem?: string; // found before running: the run is not made and counts as failed
}
interface Result {
  ok: boolean; seconds: number; cpu?: number; fresh: boolean; starts?: number; message?: string; sameAsKernel?: boolean;
  unstarted?: boolean; // no kernel answered
}

const display = (path: string) => relative(root, path) || path;
const labelOf = (pairs: [string, string][]) => pairs.map(([k, v]) => `${k}=${v}`).join(" ");
const safe = (label: string) => label.replace(/[^\w=.+-]+/g, "_");

// Everything is checked before the first run starts.
function plan(o: Options): Run[] {
  const runs: Run[] = [];
  const multi = o.sweep || o.exercise;
  const add = (r: Omit<Run, "id" | "engine" | "output" | "pictures">, base: string) => {
    const dir = (engine: Engine) => join(o.inPlace ? join(buildDir, "in-place") : o.out, o.engine === "split" && engine === "node" ? "node" : "",
      multi ? safe(r.label) : "");
    const one = (engine: Engine): Run => {
      const pictures = r.label === base && !(o.engine === "split" && engine === "tslab");
      const run = { ...r, id: runs.length, engine, output: join(dir(engine), basename(r.notebook)), pictures };
      runs.push(run);
      return run;
    };
    if (o.engine !== "split") return void one(o.engine);
    const node = one("node");
    if (r.label === base) {
      const kernel = one("tslab");
      [node.twin, kernel.twin] = [kernel.id, node.id];
    }
  };
  for (const path of o.paths) {
    if (!existsSync(path)) fail(`no notebook at ${display(path)}`);
    if (!path.endsWith(".ipynb")) fail(`${display(path)} is not a notebook (.ipynb)`);
    let nb;
    try {
      nb = readNotebook(path, display(path));
    } catch (e) {
      if (e instanceof NotebookError) fail(e.message);
      throw e;
    }
    const needParams = o.params.size > 0 || o.sweep;
    if (needParams && !hasParametersCell(nb)) {
      fail(`${display(path)} has no code cell tagged "parameters", so it takes no --param${o.sweep ? " and has no knobs to sweep" : ""}`);
    }
    let declared: ReturnType<typeof parameters> = [];
    try {
      declared = hasParametersCell(nb) ? parameters(nb, display(path)) : [];
    } catch (e) {
      fail((e as Error).message);
    }
    const literal = (name: string, raw: string): string => {
      const p = declared.find((d) => d.name === name);
      if (!p) fail(`${display(path)} has no parameter "${name}"; its parameters: ${declared.map((d) => d.name).join(", ")}`);
      try {
        return parameterLiteral(p, raw);
      } catch (e) {
        return fail(`${display(path)}: ${(e as Error).message}`);
      }
    };
    // The parameters cell runs with these values in place of its defaults (tools/ipynb.mts withParameters).
    const values = (pairs: [string, string][]) => new Map(pairs.map(([k, v]) => [k, literal(k, v)]));
    const given = [...o.params];
    const base = given.length ? labelOf(given) : "defaults";
    add({ notebook: path, label: base, edits: { params: values(given) } }, base);
    if (o.sweep) {
      const points: [string, string][] = sweepPoints(declared)
        .filter((p) => o.sweep === "full" || p.name === "batchSize" || p.name === "seed").map((p) => [p.name, p.value]);
      // A batch larger than several notebooks' data sets, and wide enough to elide matrices.
      const batchSize = declared.find((p) => p.name === "batchSize");
      const inDomain = (p: NonNullable<typeof batchSize>, v: string) => { try { parameterLiteral(p, v); return true; } catch { return false; } };
      if (batchSize && inDomain(batchSize, "64") && !points.some(([k, v]) => k === "batchSize" && v === "64")) points.push(["batchSize", "64"]);
      for (const pair of points) add({ notebook: path, label: labelOf([pair]), edits: { params: values([pair]) } }, base);
    }
    if (o.exercise) {
      const ex = findExercise(nb);
      if (ex && ex.problems.length === 0) {
        add({ notebook: path, label: "exercise", edits: { params: values(given), ...exerciseEdits(ex) }, exercise: ex }, base);
      } else if (ex) {
        // Not run: reported as a failed run, so the other notebooks' runs still happen.
        add({ notebook: path, label: "exercise", edits: {}, problem: `the exercise does not follow the convention: ${ex.problems.join("; ")}` }, base);
      }
    }
  }
  const outs = new Set(runs.map((r) => dirname(r.output)));
  for (const dir of outs) writableFolder(dir, o.inPlace ? "the staging folder" : "--out");
  return runs;
}

// start: no kernel answered at any of the worker's tries (tools/execute.py), the wait of each
interface Failure { cell: number | null; text: string; start?: { tries: number; timeouts: number[]; errors: string[] } }
interface Reply { ok: boolean; seconds: number; cpu?: number; fresh: boolean; starts?: number; failure?: Failure }

// One Python worker (tools/execute.py) holds one kernel at a time and runs jobs sent to it.
class Kernel {
  private child: ChildProcess;
  private pending?: (r: Reply) => void;
  private stderr = "";
  private exited?: string;
  current?: string; // the notebook whose runs its kernel holds

  constructor() {
    this.child = spawn(python, [join(root, "tools", "execute.py")], { stdio: ["pipe", "pipe", "pipe"], env: jupyterEnv() });
    createInterface({ input: this.child.stdout! }).on("line", (line) => {
      const reply = JSON.parse(line) as Reply;
      const done = this.pending;
      this.pending = undefined;
      done?.(reply);
    });
    this.child.stderr!.on("data", (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-4000);
    });
    this.child.stdin!.on("error", () => { /* the worker exited; reported by "exit" */ });
    this.child.on("exit", (code) => {
      this.exited = `the Python worker exited (${code}):\n${this.stderr}`;
      const done = this.pending;
      this.pending = undefined;
      done?.({ ok: false, seconds: 0, fresh: true, failure: { cell: null, text: this.exited } });
    });
  }

  // Executes the prepared notebook at r.output in place, in the folder of r's notebook.
  run(r: Run, restart: boolean): Promise<Reply> {
    this.current = r.notebook;
    return new Promise((done) => {
      if (this.exited) return done({ ok: false, seconds: 0, fresh: true, failure: { cell: null, text: this.exited } });
      this.pending = done;
      const job = {
        id: r.id, source: r.output, folder: dirname(r.notebook), output: r.output, restart,
        ...(r.pictures ? { pictures: [join(root, "node_modules", ".bin", "tsx"), join(root, "tools", "plot-png.mts")] } : {}),
      };
      this.child.stdin!.write(JSON.stringify(job) + "\n");
    });
  }

  // Ends the worker and waits for it: it shuts its kernel down on the way out, which a runner
  // that exited first would leave running.
  close(): Promise<void> {
    if (this.exited) return Promise.resolve();
    const gone = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
    this.child.stdin!.end();
    return gone;
  }
}

const NODE_TIMEOUT_MS = 600_000;

// Executes the prepared notebook at r.output in a Node worker thread, writing its outputs there.
async function runNode(r: Run): Promise<Reply> {
  const nb = readNotebook(r.output);
  let run: NodeRun;
  try {
    const { runInNode } = await import("./cells/node.mjs"); // esbuild and TypeScript load only when needed
    run = await runInNode(nb, NODE_TIMEOUT_MS);
  } catch (e) {
    return { ok: false, seconds: 0, fresh: true, failure: { cell: null, text: `the cells do not compile as one module: ${(e as Error).message}` } };
  }
  const last = run.failure ? run.failure.cell ?? -1 : Infinity; // cells after a failure did not run
  let count = 0;
  nb.cells.forEach((cell, i) => {
    if (cell.cell_type !== "code" || i > last) return;
    cell.outputs = run.outputs.get(i) ?? [];
    cell.execution_count = ++count;
  });
  if (r.pictures && !run.failure) await (await import("./plot-png.mjs")).addPlotPictures(nb);
  writeFileSync(r.output, JSON.stringify(nb, null, 1) + "\n");
  return { ok: !run.failure, seconds: run.seconds, fresh: true, ...(run.failure ? { failure: run.failure } : {}) };
}

// The command that makes this one run again, alone.
function rerunCommand(r: Run): string {
  const args = [relative(process.cwd(), r.notebook) || r.notebook];
  if (r.label === "exercise") args.push("--exercise");
  else if (r.label !== "defaults") args.push(...r.label.split(" ").map((pair) => `--param ${pair}`));
  return `npm run notebooks -- ${args.join(" ")}`;
}

// No kernel answered: a busy machine, not a failing notebook. Says so, with the load, and how to
// run this notebook again alone.
function describeStartFailure(r: Run, start: NonNullable<Failure["start"]>): string {
  const [load] = loadavg();
  const cores = availableParallelism();
  const waits = start.timeouts.map((t) => `${t} s`).join(" and ");
  return `FAILED ${display(r.notebook)} (${r.label})\n` +
    `  before any cell ran: the tslab kernel never answered, at ${start.tries} start${start.tries > 1 ? "s" : ""} ` +
    `(waited ${waits}).\n` +
    `  This is not a failing notebook: the machine is busy (load average ${load.toFixed(1)} over the last minute, ` +
    `on ${cores} cores).\n` +
    `  Run this notebook again alone, when the machine is calmer:\n    ${rerunCommand(r)}\n` +
    start.errors.map((l) => `  | ${l}`).join("\n");
}

function describeFailure(r: Run, f: Failure, origin: (number | null)[], added: (string | undefined)[], cells: Cell[]): string {
  if (f.start) return describeStartFailure(r, f.start);
  const first = f.cell !== null ? text(cells[f.cell]?.source).split("\n").find((l) => l.trim()) ?? "" : "";
  const where = f.cell === null ? "before any cell ran" : origin[f.cell] !== null ? `cell ${origin[f.cell]}` : added[f.cell] ?? `cell ${f.cell}`;
  return `FAILED ${display(r.notebook)} (${r.label}${r.engine === "node" ? ", node" : ""})\n  ${where}${first ? ` (first line: ${JSON.stringify(first)})` : ""}\n` +
    f.text.split("\n").map((l) => `  | ${l}`).join("\n");
}

const o = parseArgs(process.argv.slice(2));
const runs = plan(o);
if (runs.some((r) => r.engine === "tslab") && !existsSync(python)) fail("the Jupyter stack is not installed in .venv yet: run `npm install` first");
// the kernel imports the compiled library: bring it up to date once, before kernels start in parallel
if (runs.some((r) => r.engine === "tslab") && !o.list) {
  try {
    ensureLibrary();
  } catch (e) {
    fail(e instanceof Error ? e.message : String(e));
  }
}
if (o.list) {
  for (const r of runs) console.log(`${display(r.notebook)}  ${r.label}  (${r.engine})`);
  console.log(`${runs.length} runs`);
  process.exit(0);
}
const results = new Map<number, Result>();
const suiteStart = performance.now();
// The kernel's runs first: they take the longest, and a slot can then finish with quick Node runs.
const pending = runs.filter((r) => !r.problem).sort((a, b) => Number(a.engine === "node") - Number(b.engine === "node"));
let finished = 0;
const width = Math.max(...runs.map((r) => basename(r.notebook).length));
const line = (ok: boolean, r: Run, what: string) =>
  console.log(`${ok ? "ok    " : "FAILED"} ${basename(r.notebook).padEnd(width)}  ${r.label.padEnd(12)} ${r.engine.padEnd(5)} ${what}`);
for (const r of runs.filter((r) => r.problem)) {
  const message = `FAILED ${display(r.notebook)} (${r.label})\n  ${r.problem}`;
  results.set(r.id, { ok: false, seconds: 0, fresh: false, message });
  line(false, r, `  not run: see below  [${++finished}/${runs.length}]`);
  console.error(message);
}

// --engine split: once both runs of a pair are done and clean, the Node run's outputs must be the kernel's.
function compareTwins(r: Run): void {
  if (r.twin === undefined) return;
  const [node, kernel] = r.engine === "node" ? [r, runs[r.twin]] : [runs[r.twin], r];
  const [a, b] = [results.get(node.id), results.get(kernel.id)];
  if (!a?.ok || !b?.ok) return;
  const diffs = compareOutputs(basename(r.notebook), readNotebook(kernel.output), readNotebook(node.output));
  a.sameAsKernel = diffs.length === 0;
  if (a.sameAsKernel) return;
  a.ok = false;
  a.message = `FAILED ${display(r.notebook)} (${r.label}): the Node engine's outputs differ from the kernel's ` +
    `(${display(kernel.output)} vs ${display(node.output)})\n${diffs.join("\n")}`;
  line(false, node, "outputs differ from the kernel's: see below");
  console.error(a.message);
}

// Scheduling: a slot keeps taking runs of the notebook its kernel holds (--warm); otherwise the
// next run in order. Every kernel run gets a new kernel unless --warm.
function next(kernel: Kernel | undefined): { run: Run; restart: boolean } | undefined {
  if (!pending.length) return undefined;
  const at = !o.fresh && kernel ? Math.max(0, pending.findIndex((r) => r.engine === "tslab" && r.notebook === kernel.current)) : 0;
  const run = pending.splice(at, 1)[0];
  return { run, restart: o.fresh || run.notebook !== kernel?.current };
}

await Promise.all(Array.from({ length: Math.min(o.jobs, pending.length) }, async () => {
  let kernel: Kernel | undefined;
  for (let job = next(kernel); job; job = next(kernel)) {
    const { run: r, restart } = job;
    const prepared = prepareRun(readNotebook(r.notebook), r.edits);
    writeFileSync(r.output, JSON.stringify(prepared.nb, null, 1) + "\n");
    let reply: Reply;
    if (r.engine === "tslab") {
      kernel ??= new Kernel();
      reply = await kernel.run(r, restart);
    } else reply = await runNode(r);
    let message = reply.failure ? describeFailure(r, reply.failure, prepared.origin, prepared.added, prepared.nb.cells) : undefined;
    if (reply.ok && r.exercise) {
      const problems = exerciseVerdicts(readNotebook(r.output), r.exercise);
      if (problems.length) message = `FAILED ${display(r.notebook)} (exercise, ${r.engine})\n${problems.map((p) => `  ${p}`).join("\n")}`;
    }
    const ok = reply.ok && !message;
    // In place, the source is replaced only after a clean run: a failure never costs committed outputs.
    if (ok && o.inPlace) copyFileSync(r.output, r.notebook);
    results.set(r.id, { ok, seconds: reply.seconds, cpu: reply.cpu, fresh: reply.fresh, starts: reply.starts, message,
      ...(reply.failure?.start ? { unstarted: true } : {}) });
    finished++;
    const shown = o.inPlace && ok ? r.notebook : r.output;
    const kernelNote = !reply.fresh ? " (warm kernel)" : (reply.starts ?? 1) > 1 && !reply.failure?.start
      ? ` (the kernel answered at start ${reply.starts}: the first never did)` : "";
    line(ok, r, `${reply.seconds.toFixed(1).padStart(5)} s${kernelNote}  [${finished}/${runs.length}]  → ${display(shown)}`);
    if (message) console.error(message);
    compareTwins(r);
  }
  await kernel?.close();
}));

const failed = runs.filter((r) => !results.get(r.id)?.ok);
const seconds = (performance.now() - suiteStart) / 1000;
const cpu = [...results.values()].reduce((t, r) => t + (r.cpu ?? 0), 0);
if (o.report) {
  mkdirSync(dirname(o.report), { recursive: true });
  writeFileSync(o.report, JSON.stringify({
    seconds, cpu, runs: runs.map((r) => ({ notebook: display(r.notebook), label: r.label, engine: r.engine, output: display(r.output), ...results.get(r.id) })),
  }, null, 1));
}
const notebooks = new Set(runs.map((r) => r.notebook)).size;
const compared = [...results.values()].filter((r) => r.sameAsKernel !== undefined).length;
console.log(`${runs.length - failed.length} of ${runs.length} runs (${notebooks} notebook${notebooks > 1 ? "s" : ""}) without error in ${seconds.toFixed(1)} s` +
  (cpu > 0 ? ` (kernels: ${cpu.toFixed(0)} CPU s)` : "") +
  (compared ? `; ${compared} Node run${compared > 1 ? "s" : ""} compared with the kernel's` : "") +
  (o.params.size ? ` with ${labelOf([...o.params])}` : ""));
if (failed.length) console.log(`failed: ${failed.map((r) => `${basename(r.notebook)} (${r.label}, ${r.engine})`).join(", ")}`);
const unstarted = failed.filter((r) => results.get(r.id)?.unstarted);
if (unstarted.length) {
  console.log(`${unstarted.length} of these failed before any cell ran, because no kernel answered: the machine is busy. ` +
    `Run each again alone:\n${unstarted.map((r) => `  ${rerunCommand(r)}`).join("\n")}`);
}
process.exit(failed.length ? 1 : 0);
