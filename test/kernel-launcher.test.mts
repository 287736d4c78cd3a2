// The kernel's launcher (tools/kernel.mjs) in a folder of its own: with the library current it
// starts tslab straight away, without loading tsx or tools/library.mts (and prints the type errors
// src/ still has); once a file of src/ changed it rebuilds through tools/library.mts first.
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { errorsName, libraryIsCurrent, sourceHash, stampName } from "../tools/library-stamp.mjs";
import { root } from "./run-tool.mjs";

let dir = "";
const lib = () => join(dir, "build", "lib");
const launch = () => spawnSync(process.execPath, [join(dir, "tools", "kernel.mjs")], { encoding: "utf8", timeout: 60_000 });

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "launcher-"));
  for (const d of ["tools", "src/core", "build/lib", "node_modules/typescript", "node_modules/tslab/dist"])
    mkdirSync(join(dir, d), { recursive: true });
  for (const f of ["kernel.mjs", "library-stamp.mjs"]) copyFileSync(join(root, "tools", f), join(dir, "tools", f));
  symlinkSync(join(root, "node_modules", "tsx"), join(dir, "node_modules", "tsx"));
  writeFileSync(join(dir, "node_modules", "typescript", "package.json"), '{"version": "5.0.0"}');
  writeFileSync(join(dir, "node_modules", "tslab", "dist", "main.js"), 'exports.main = () => console.log("tslab main");');
  // a stand-in for the rebuild: says it ran, and stamps the library as current
  writeFileSync(join(dir, "tools", "library.mts"), [
    'import { writeFileSync } from "node:fs";',
    'import { sourceHash } from "./library-stamp.mjs";',
    "export function ensureLibrary(log: (line: string) => void): string {",
    `  writeFileSync(${JSON.stringify(join(dir, "build", "lib", stampName))}, sourceHash(${JSON.stringify(dir)}));`,
    '  log("rebuilt");',
    '  return "";',
    "}"].join("\n"));
  for (const f of ["tsconfig.json", "tsconfig.lib.json"]) writeFileSync(join(dir, f), "{}");
  writeFileSync(join(dir, "src", "core", "matrix.ts"), "export const one = 1;\n");
  writeFileSync(join(lib(), stampName), sourceHash(dir));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe("the kernel's launcher", () => {
  it("starts tslab at once when build/lib is current", () => {
    expect(libraryIsCurrent(dir, lib())).toBe(true);
    const r = launch();
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe("tslab main\n");
    expect(r.stderr).toBe("");
  });

  it("prints the type errors src/ still has, at every start", () => {
    writeFileSync(join(lib(), errorsName), "src/core/matrix.ts(1,14): error TS2322");
    for (let k = 0; k < 2; k++) {
      const r = launch();
      expect(r.stdout).toBe("tslab main\n");
      expect(r.stderr).toContain("library: src/ still has type errors:\nsrc/core/matrix.ts(1,14): error TS2322");
    }
  });

  it("rebuilds through tools/library.mts when a file of src/ changed, then starts tslab", () => {
    writeFileSync(join(dir, "src", "core", "matrix.ts"), "export const one = 2;\n");
    expect(libraryIsCurrent(dir, lib())).toBe(false);
    const first = launch();
    expect(first.status, first.stderr).toBe(0);
    expect(first.stderr).toBe("rebuilt\n");
    expect(first.stdout).toBe("tslab main\n");
    expect(libraryIsCurrent(dir, lib())).toBe(true);
    expect(launch().stderr).toBe(""); // current again: no rebuild
  });

  it("counts a new file, a renamed one and a changed tsconfig as a change", () => {
    const changes = [
      () => writeFileSync(join(dir, "src", "core", "extra.ts"), ""),
      () => writeFileSync(join(dir, "src", "core", "renamed.ts"), "export const one = 1;\n"),
      () => writeFileSync(join(dir, "tsconfig.lib.json"), '{"compilerOptions": {}}'),
    ];
    for (const change of changes) {
      change();
      expect(libraryIsCurrent(dir, lib())).toBe(false);
      writeFileSync(join(lib(), stampName), sourceHash(dir));
    }
  });
});
