// `npm install` runs this (postinstall): creates .venv with the pinned Jupyter stack.
// Safe to re-run: when requirements.txt has not changed since the last install it only checks.
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { python, root, venv, writeLabSettings } from "./env.mjs";
import { ensureLibrary } from "./library.mjs";

const MIN_PYTHON: [number, number] = [3, 10]; // jupyterlab 4.6 needs 3.10+

function fail(message: string): never {
  console.error(`\nset-up stopped: ${message}\n`);
  process.exit(1);
}

function run(cmd: string, args: string[]): void {
  const r = spawnSync(cmd, args, { stdio: "inherit", cwd: root });
  if (r.status !== 0) fail(`\`${cmd} ${args.join(" ")}\` exited with ${r.status ?? r.signal}`);
}

function findPython(): string {
  for (const candidate of [process.env.PYTHON, "python3", "python"]) {
    if (!candidate) continue;
    const r = spawnSync(candidate, ["-c", "import sys; print('%d.%d' % sys.version_info[:2])"], { encoding: "utf8" });
    if (r.status !== 0) continue;
    const [major, minor] = r.stdout.trim().split(".").map(Number);
    if (major < MIN_PYTHON[0] || (major === MIN_PYTHON[0] && minor < MIN_PYTHON[1]))
      fail(`${candidate} is Python ${major}.${minor}; Python ${MIN_PYTHON.join(".")} or newer is needed ` +
        `(Debian/Ubuntu: apt-get install python3 python3-venv; or set PYTHON=/path/to/python3.x).`);
    const venvOk = spawnSync(candidate, ["-c", "import venv, ensurepip"], { encoding: "utf8" });
    if (venvOk.status !== 0)
      fail(`${candidate} has no working venv module (Debian/Ubuntu: apt-get install python3-venv).`);
    return candidate;
  }
  return fail(`no python3 found on PATH; install Python ${MIN_PYTHON.join(".")}+ with venv ` +
    `(Debian/Ubuntu: apt-get install python3 python3-venv), or set PYTHON=/path/to/python3.`);
}

const requirements = join(root, "requirements.txt");
const stamp = join(venv, ".requirements.sha256");
const wanted = createHash("sha256").update(readFileSync(requirements)).digest("hex");

if (existsSync(python) && existsSync(stamp) && readFileSync(stamp, "utf8") === wanted) {
  console.log("set-up: .venv is up to date with requirements.txt");
} else {
  if (!existsSync(python)) {
    const base = findPython();
    console.log(`set-up: creating .venv with ${base}`);
    run(base, ["-m", "venv", venv]);
  }
  console.log("set-up: installing the pinned Jupyter stack into .venv (first time: about a minute)");
  run(python, ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "-r", requirements]);
  writeFileSync(stamp, wanted);
}

// JupyterLab's settings for `npm start`: no news pop-up, no update check (kept if already chosen).
for (const file of writeLabSettings()) console.log(`set-up: wrote ${file.slice(root.length + 1)}`);

// The library the kernel imports (build/lib, compiled from src/; tools/library.mts).
try {
  if (ensureLibrary() === null) console.log("set-up: build/lib is up to date with src/");
} catch (e) {
  fail(e instanceof Error ? e.message : String(e));
}
