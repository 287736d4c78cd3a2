// `npm run notebooks -- [notebook…] [--param name=value …] [--out DIR] [--in-place] [--jobs N]
//                      [--sweep[=fast]] [--exercise] [--warm] [--report FILE] [--list]`
// Executes notebooks headless (nbclient + the tslab kernel, tools/execute.py), all of them by default.
// Parameters are checked against each notebook's parameters cell before anything runs.
//   --sweep     also run every knob, one at a time, at its documented minimum, a few times its
//               default and its documented maximum (tools/ipynb.mts sweepPoints), plus batchSize=64;
//               --sweep=fast: only the batchSize and seed knobs
//   --exercise  also run the exercise with its solution line and its catalogued wrong answers
//   --warm      let the runs of one notebook after its first share a kernel: a third of the time,
//               but not independent (tslab keeps a function's old bindings across re-runs, so a
//               run can see values from the one before); by default every run gets a new kernel
//   --report F  a JSON record of every run
//   --list      print the runs it would make, and stop
// A line is printed as each run finishes (which notebook, which values, how long).
import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, existsSync, lstatSync, mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { basename, dirname, join, relative, resolve } from "node:path";
import { buildDir, jupyterEnv, notebooksDir, python, root } from "./env.mjs";
import {
  exerciseEdits, exerciseVerdicts, findExercise, hasParametersCell, listNotebooks, NotebookError, parameterLiteral,
  parameters, readNotebook, sweepPoints, type Exercise,
} from "./ipynb.mjs";

const usage = "usage: npm run notebooks -- [notebook.ipynb …] [--param name=value …] [--out DIR] [--in-place] [--jobs N]" +
  " [--sweep[=fast]] [--exercise] [--warm] [--report FILE] [--list]";

function fail(message: string): never {
  console.error(`${message}\n${usage}`);
  process.exit(2);
}

interface Options {
  paths: string[]; params: Map<string, string>; out: string; inPlace: boolean; jobs: number;
  sweep: false | "full" | "fast"; exercise: boolean; fresh: boolean; list: boolean; report?: string;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    paths: [], params: new Map(), out: join(buildDir, "executed"), inPlace: false, jobs: 1, sweep: false, exercise: false, fresh: true, list: false,
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
  if (o.sweep && o.params.size) fail("--sweep sets the knobs itself, one at a time: it takes no --param");
  if (!o.paths.length) o.paths = listNotebooks(notebooksDir);
  return o;
}

// A folder the runner may write into, checked before anything runs; it gets a `lib` link to
// src/ so an executed copy there can be reopened and re-run in JupyterLab.
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
      symlinkSync(relative(dir, join(root, "src")), lib);
    } catch { /* only a convenience */ }
  }
}

interface Run {
  id: number;
  notebook: string; // path
  label: string; // "defaults", "batchSize=64", "exercise", or the --param list
  inject: string;
  output: string;
  exercise?: Exercise;
  replace?: { cell: number; source: string };
  append?: { after: number; sources: string[]; tag: string };
  problem?: string; // found before running: the run is not made and counts as failed
}
interface Result { ok: boolean; seconds: number; cpu?: number; fresh: boolean; message?: string }

const display = (path: string) => relative(root, path) || path;
const labelOf = (pairs: [string, string][]) => pairs.map(([k, v]) => `${k}=${v}`).join(" ");
const safe = (label: string) => label.replace(/[^\w=.+-]+/g, "_");

// Everything is checked before the first kernel starts.
function plan(o: Options): Run[] {
  const runs: Run[] = [];
  const add = (r: Omit<Run, "id">) => runs.push({ ...r, id: runs.length });
  const multi = o.sweep || o.exercise;
  const outFor = (label: string, path: string) =>
    join(o.inPlace ? join(buildDir, "in-place") : multi ? join(o.out, safe(label)) : o.out, basename(path));
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
        return `${name} = ${parameterLiteral(p, raw)};`;
      } catch (e) {
        return fail(`${display(path)}: ${(e as Error).message}`);
      }
    };
    // tslab prints a cell's last expression; `void 0` keeps the assignments from echoing.
    const inject = (pairs: [string, string][]) =>
      pairs.length ? `// Injected by npm run notebooks\n${pairs.map(([k, v]) => literal(k, v)).join("\n")}\nvoid 0;` : "";
    const given = [...o.params];
    const base = given.length ? labelOf(given) : "defaults";
    add({ notebook: path, label: base, inject: inject(given), output: outFor(base, path) });
    if (o.sweep) {
      const points: [string, string][] = sweepPoints(declared)
        .filter((p) => o.sweep === "full" || p.name === "batchSize" || p.name === "seed").map((p) => [p.name, p.value]);
      // A batch larger than several notebooks' data sets, and wide enough to elide matrices.
      const batchSize = declared.find((p) => p.name === "batchSize");
      const inDomain = (p: NonNullable<typeof batchSize>, v: string) => { try { parameterLiteral(p, v); return true; } catch { return false; } };
      if (batchSize && inDomain(batchSize, "64") && !points.some(([k, v]) => k === "batchSize" && v === "64")) points.push(["batchSize", "64"]);
      for (const pair of points) add({ notebook: path, label: labelOf([pair]), inject: inject([pair]), output: outFor(labelOf([pair]), path) });
    }
    if (o.exercise) {
      const ex = findExercise(nb);
      if (ex && ex.problems.length === 0) {
        const edits = exerciseEdits(ex);
        add({ notebook: path, label: "exercise", inject: inject(given), output: outFor("exercise", path), exercise: ex, ...edits });
      } else if (ex) {
        // Not run: reported as a failed run, so the other notebooks' runs still happen.
        add({ notebook: path, label: "exercise", inject: "", output: outFor("exercise", path), problem: `the exercise does not follow the convention: ${ex.problems.join("; ")}` });
      }
    }
  }
  const outs = new Set(runs.map((r) => dirname(r.output)));
  for (const dir of outs) writableFolder(dir, o.inPlace ? "the staging folder" : "--out");
  return runs;
}

// One Python worker (tools/execute.py) holds one kernel at a time and runs jobs sent to it.
class Worker {
  private child: ChildProcess;
  private pending?: (r: Reply) => void;
  private stderr = "";
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
      done?.({ ok: false, seconds: 0, fresh: true, failure: { cell: null, added: null, first: "", text: this.exited } });
    });
  }

  private exited?: string;

  run(r: Run, restart: boolean): Promise<Reply> {
    this.current = r.notebook;
    return new Promise((done) => {
      if (this.exited) return done({ ok: false, seconds: 0, fresh: true, failure: { cell: null, added: null, first: "", text: this.exited } });
      this.pending = done;
      const job = { id: r.id, source: r.notebook, output: r.output, restart, inject: r.inject || null, replace: r.replace ?? null, append: r.append ?? null };
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

interface Failure { cell: number | null; added: string | null; first: string; text: string }
interface Reply { ok: boolean; seconds: number; cpu?: number; fresh: boolean; failure?: Failure }

function describeFailure(r: Run, f: Failure): string {
  const where = f.cell !== null ? `cell ${f.cell}` : f.added ?? "before any cell ran";
  return `FAILED ${display(r.notebook)} (${r.label})\n  ${where}${f.first ? ` (first line: ${JSON.stringify(f.first)})` : ""}\n` +
    f.text.split("\n").map((l) => `  | ${l}`).join("\n");
}

const o = parseArgs(process.argv.slice(2));
if (!existsSync(python)) fail("the Jupyter stack is not installed in .venv yet: run `npm install` first");
const runs = plan(o);
if (o.list) {
  for (const r of runs) console.log(`${display(r.notebook)}  ${r.label}`);
  console.log(`${runs.length} runs`);
  process.exit(0);
}
const results = new Map<number, Result>();
const suiteStart = performance.now();
const pending = runs.filter((r) => !r.problem);
let finished = 0;
const width = Math.max(...runs.map((r) => basename(r.notebook).length));
for (const r of runs.filter((r) => r.problem)) {
  const message = `FAILED ${display(r.notebook)} (${r.label})\n  ${r.problem}`;
  results.set(r.id, { ok: false, seconds: 0, fresh: false, message });
  console.log(`FAILED ${basename(r.notebook).padEnd(width)}  ${r.label.padEnd(12)}   not run: see below  [${++finished}/${runs.length}]`);
  console.error(message);
}

// Scheduling: a worker keeps taking runs of the notebook its kernel holds; when there are none
// left it moves to the notebook with the most runs left (a new kernel). The first run of every
// notebook in a worker, and every run unless --warm, gets a new kernel.
function next(w: Worker): { run: Run; restart: boolean } | undefined {
  if (!pending.length) return undefined;
  let at = o.fresh ? -1 : pending.findIndex((r) => r.notebook === w.current);
  if (at < 0) {
    const left = new Map<string, number>();
    for (const r of pending) left.set(r.notebook, (left.get(r.notebook) ?? 0) + 1);
    const busiest = [...left].sort((a, b) => b[1] - a[1])[0][0];
    at = pending.findIndex((r) => r.notebook === busiest);
  }
  const run = pending.splice(at, 1)[0];
  return { run, restart: o.fresh || run.notebook !== w.current };
}

await Promise.all(Array.from({ length: Math.min(o.jobs, pending.length) }, async () => {
  const w = new Worker();
  for (let job = next(w); job; job = next(w)) {
    const { run: r, restart } = job;
    const reply = await w.run(r, restart);
    let message = reply.failure ? describeFailure(r, reply.failure) : undefined;
    if (reply.ok && r.exercise) {
      const problems = exerciseVerdicts(readNotebook(r.output), r.exercise);
      if (problems.length) message = `FAILED ${display(r.notebook)} (exercise)\n${problems.map((p) => `  ${p}`).join("\n")}`;
    }
    const ok = reply.ok && !message;
    // In place, the source is replaced only after a clean run: a failure never costs committed outputs.
    if (ok && o.inPlace) copyFileSync(r.output, r.notebook);
    results.set(r.id, { ok, seconds: reply.seconds, cpu: reply.cpu, fresh: reply.fresh, message });
    finished++;
    const shown = o.inPlace && ok ? r.notebook : r.output;
    console.log(`${ok ? "ok    " : "FAILED"} ${basename(r.notebook).padEnd(width)}  ${r.label.padEnd(12)} ${reply.seconds.toFixed(1).padStart(5)} s` +
      `${reply.fresh ? "" : " (warm kernel)"}  [${finished}/${runs.length}]  → ${display(shown)}`);
    if (message) console.error(message);
  }
  await w.close();
}));

const failed = runs.filter((r) => !results.get(r.id)?.ok);
const seconds = (performance.now() - suiteStart) / 1000;
const cpu = [...results.values()].reduce((t, r) => t + (r.cpu ?? 0), 0);
if (o.report) {
  mkdirSync(dirname(o.report), { recursive: true });
  writeFileSync(o.report, JSON.stringify({
    seconds, cpu, runs: runs.map((r) => ({ notebook: display(r.notebook), label: r.label, output: display(r.output), ...results.get(r.id) })),
  }, null, 1));
}
const notebooks = new Set(runs.map((r) => r.notebook)).size;
console.log(`${runs.length - failed.length} of ${runs.length} runs (${notebooks} notebook${notebooks > 1 ? "s" : ""}) without error in ${seconds.toFixed(1)} s` +
  (cpu > 0 ? ` (kernels: ${cpu.toFixed(0)} CPU s)` : "") +
  (o.params.size ? ` with ${labelOf([...o.params])}` : ""));
if (failed.length) console.log(`failed: ${failed.map((r) => `${basename(r.notebook)} (${r.label})`).join(", ")}`);
process.exit(failed.length ? 1 : 0);
