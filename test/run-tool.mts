// Runs one of the project's tools (tools/*.mts) the way npm scripts do, capturing its output.
import { spawnSync } from "node:child_process";
import { join } from "node:path";

export const root = join(import.meta.dirname, "..");

export function runTool(tool: string, args: string[], timeoutMs = 600_000): { status: number | null; out: string } {
  const r = spawnSync(join(root, "node_modules", ".bin", "tsx"), [join(root, "tools", tool), ...args], {
    cwd: root, encoding: "utf8", timeout: timeoutMs,
  });
  return { status: r.status, out: `${r.stdout}${r.stderr}` };
}
