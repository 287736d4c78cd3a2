// Runs one of the project's tools (tools/*.mts) through tsx, as the npm scripts do, capturing its output.
import { spawn, spawnSync } from "node:child_process";
import { copyFileSync, lstatSync, mkdirSync, symlinkSync } from "node:fs";
import { basename, join, relative } from "node:path";
import { createInterface } from "node:readline";
import { libDir } from "../tools/env.mjs";

export const root = join(import.meta.dirname, "..");
// `node --import tsx tool.mts`: what `tsx tool.mts` runs, in one process instead of two (the tsx
// command starts a second node with these hooks), about 0.2 s less for each of the tests' runs.
const node = (tool: string, args: string[]) => [process.execPath, ["--import", "tsx", join(root, "tools", tool), ...args]] as const;

// How long a test that starts tslab kernels may take: a kernel may take minutes to answer on a busy
// machine, and the runner waits for two starts (tools/execute.py) before it gives up.
export const KERNEL_TEST_MS = 600_000;

export function runTool(tool: string, args: string[], timeoutMs = 600_000, env: NodeJS.ProcessEnv = {}): { status: number | null; out: string } {
  const r = spawnSync(...node(tool, args), {
    cwd: root, encoding: "utf8", timeout: timeoutMs, env: { ...process.env, ...env },
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}

// The same, without blocking, and each line of the tool's standard output is handed to onLine
// as soon as it is printed (vitest shows what a test writes to process.stderr live).
export function runToolLive(tool: string, args: string[], onLine: (line: string) => void, timeoutMs = 900_000): Promise<{ status: number | null; out: string }> {
  return new Promise((done) => {
    const child = spawn(...node(tool, args), { cwd: root, stdio: ["ignore", "pipe", "pipe"], timeout: timeoutMs });
    let out = "";
    createInterface({ input: child.stdout }).on("line", (line) => {
      out += line + "\n";
      onLine(line);
    });
    child.stderr.on("data", (d: Buffer) => (out += d.toString()));
    child.on("close", (status) => done({ status, out }));
  });
}

// A copy of a notebook in dir, next to a `lib` link to build/lib (tslab compiles only files under the
// kernel's folder, so a copy elsewhere needs its own link to import the library).
export function copyWithLib(notebook: string, dir: string, name = basename(notebook)): string {
  mkdirSync(dir, { recursive: true });
  const lib = join(dir, "lib");
  try {
    lstatSync(lib);
  } catch {
    symlinkSync(relative(dir, libDir), lib);
  }
  const to = join(dir, name);
  copyFileSync(notebook, to);
  return to;
}
