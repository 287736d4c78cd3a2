// The library the tslab kernel imports: src/ compiled by tsc (tsconfig.lib.json) into build/lib,
// one .js (CommonJS) and one .d.ts per source file. A notebook's `./lib/…` link points there
// (notebooks/lib, lab/lib, and the runner's copies), so the kernel type-checks a cell against
// declarations instead of type-checking all of src/ again in every kernel.
// `ensureLibrary()` rebuilds it when src/ (or the build's settings) changed since the last
// build; the kernel's launcher (tools/kernel.mjs), `npm start`, `npm test` and the runner call
// it, so "edit src/, restart the kernel" works. `npx tsx tools/library.mts` runs it by hand.
import { spawnSync } from "node:child_process";
import { existsSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { libDir, root } from "./env.mjs";
import * as stamp from "./library-stamp.mjs";

const config = join(root, "tsconfig.lib.json");
const { stampName, errorsName } = stamp;

// Whether build/lib holds the compiled current src/.
export const libraryIsCurrent = (): boolean => stamp.libraryIsCurrent(root, libDir);

// Builds build/lib when it is missing or older than src/; returns what tsc reported (null when
// build/lib was already current, "" for a clean build). The new build goes to a folder beside it
// first, so a kernel starting meanwhile never sees half a library. When src/ has type errors, tsc
// still writes the code as written: that build is used, so the kernel never runs an older src/,
// and the errors are returned (and logged) for the caller to show. Throws when tsc wrote nothing.
export function ensureLibrary(log: (line: string) => void = console.log): string | null {
  if (stamp.currentLibrary(root, libDir, log)) return null;
  const hash = stamp.sourceHash(root); // src/, the two tsconfigs, the compiler's version
  const next = `${libDir}.next-${process.pid}`;
  rmSync(next, { recursive: true, force: true });
  log(`library: compiling src/ into ${relative(root, libDir)}/ (src/ changed since the last build)`);
  const tsc = join(root, "node_modules", "typescript", "bin", "tsc");
  const r = spawnSync(process.execPath, [tsc, "-p", config, "--outDir", next], { cwd: root, encoding: "utf8" });
  const errors = r.status === 0 ? "" : `${r.stdout}${r.stderr}`.trim();
  if (!existsSync(join(next, "index.js"))) {
    rmSync(next, { recursive: true, force: true });
    throw new Error(`tsc could not compile src/ for the kernel (exit ${r.status ?? r.signal}):\n${errors}`);
  }
  if (errors) {
    log(`library: src/ has type errors; the kernel runs it as written until they are fixed:\n${errors}`);
    writeFileSync(join(next, errorsName), errors);
  }
  writeFileSync(join(next, stampName), hash);
  rmSync(libDir, { recursive: true, force: true });
  try {
    renameSync(next, libDir);
  } catch (e) {
    // another process (a kernel starting beside this one) put the same build in place first
    rmSync(next, { recursive: true, force: true });
    if (!libraryIsCurrent()) throw e;
  }
  return errors;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  try {
    const errors = ensureLibrary();
    if (existsSync(join(libDir, errorsName))) process.exit(1);
    if (errors === null) console.log(`library: ${relative(root, libDir)}/ is up to date with src/`);
  } catch (e) {
    console.error(e instanceof Error ? e.message : String(e));
    process.exit(1);
  }
}
