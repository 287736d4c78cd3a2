// `npm run notebooks -- [notebook…] [--param name=value …] [--out DIR] [--in-place] [--jobs N]`
// Executes notebooks headless (nbclient + the tslab kernel, tools/execute.py), all of them by default.
// Parameters are checked against each notebook's parameters cell before anything runs.
import { spawn } from "node:child_process";
import { copyFileSync, existsSync } from "node:fs";
import { basename, join, relative, resolve } from "node:path";
import { buildDir, jupyterEnv, notebooksDir, python, root } from "./env.mjs";
import { listNotebooks, parameterLiteral, parameters, readNotebook } from "./ipynb.mjs";

const usage = "usage: npm run notebooks -- [notebook.ipynb …] [--param name=value …] [--out DIR] [--in-place] [--jobs N]";

function fail(message: string): never {
  console.error(`${message}\n${usage}`);
  process.exit(2);
}

interface Options { paths: string[]; params: Map<string, string>; out: string; inPlace: boolean; jobs: number }

function parseArgs(argv: string[]): Options {
  const o: Options = { paths: [], params: new Map(), out: join(buildDir, "executed"), inPlace: false, jobs: 1 };
  for (let i = 0; i < argv.length; i++) {
    // --flag value or --flag=value; for --param the value is itself name=value
    const eq = argv[i].startsWith("--") ? argv[i].indexOf("=") : -1;
    const [flag, inline] = eq > 0 ? [argv[i].slice(0, eq), argv[i].slice(eq + 1)] : [argv[i], undefined];
    const value = (): string => inline ?? argv[++i] ?? fail(`${flag} needs a value`);
    if (flag === "--param" || flag === "-p") {
      const pair = value();
      const at = pair.indexOf("=");
      if (at < 1) fail(`--param takes name=value, got "${pair}"`);
      o.params.set(pair.slice(0, at), pair.slice(at + 1));
    } else if (flag === "--out") o.out = resolve(value());
    else if (flag === "--in-place") o.inPlace = true;
    else if (flag === "--jobs") {
      o.jobs = Number(value());
      if (!Number.isInteger(o.jobs) || o.jobs < 1) fail("--jobs takes a whole number ≥ 1");
    } else if (flag.startsWith("-")) fail(`unknown option ${flag}`);
    else o.paths.push(resolve(flag));
  }
  if (o.inPlace && o.params.size) fail("--in-place refreshes the committed outputs, which are the defaults: it takes no --param");
  if (!o.paths.length) o.paths = listNotebooks(notebooksDir);
  return o;
}

// Everything is checked before the first kernel starts.
function plan(o: Options): { path: string; injected: string }[] {
  return o.paths.map((path) => {
    if (!existsSync(path) || !path.endsWith(".ipynb")) fail(`no notebook at ${path}`);
    const declared = parameters(readNotebook(path), relative(root, path));
    const lines: string[] = [];
    for (const [name, raw] of o.params) {
      const p = declared.find((d) => d.name === name);
      if (!p) fail(`${relative(root, path)} has no parameter "${name}"; its parameters: ${declared.map((d) => d.name).join(", ")}`);
      try {
        lines.push(`${name} = ${parameterLiteral(p, raw)};`);
      } catch (e) {
        fail((e as Error).message);
      }
    }
    // tslab prints a cell's last expression; `void 0` keeps the assignments from echoing.
    return { path, injected: lines.length ? `// Injected by npm run notebooks\n${lines.join("\n")}\nvoid 0;` : "" };
  });
}

function execute(path: string, injected: string, output: string): Promise<{ ok: boolean; seconds: number }> {
  const start = performance.now();
  const args = [join(root, "tools", "execute.py"), path, output, ...(injected ? [injected] : [])];
  return new Promise((done) => {
    const child = spawn(python, args, { stdio: ["ignore", "inherit", "inherit"], env: jupyterEnv() });
    child.on("exit", (code) => done({ ok: code === 0, seconds: (performance.now() - start) / 1000 }));
  });
}

const o = parseArgs(process.argv.slice(2));
if (!existsSync(python)) fail("the Jupyter stack is not installed in .venv yet: run `npm install` first");
const jobs = plan(o);
const queue = [...jobs];
const failed: string[] = [];
const suiteStart = performance.now();
await Promise.all(Array.from({ length: Math.min(o.jobs, jobs.length) }, async () => {
  for (let job = queue.shift(); job; job = queue.shift()) {
    // In place, the source is replaced only after a clean run: a failure never costs committed outputs.
    const output = join(o.inPlace ? join(buildDir, "in-place") : o.out, basename(job.path));
    const { ok, seconds } = await execute(job.path, job.injected, output);
    if (ok && o.inPlace) copyFileSync(output, job.path);
    console.log(`${ok ? "ok    " : "FAILED"} ${relative(root, job.path)}  ${seconds.toFixed(1)} s  → ${relative(root, o.inPlace && ok ? job.path : output)}`);
    if (!ok) failed.push(relative(root, job.path));
  }
}));
console.log(`${jobs.length - failed.length} of ${jobs.length} notebooks ran without error in ${((performance.now() - suiteStart) / 1000).toFixed(1)} s` +
  (o.params.size ? ` with ${[...o.params].map(([k, v]) => `${k}=${v}`).join(", ")}` : ""));
process.exit(failed.length ? 1 : 0);
