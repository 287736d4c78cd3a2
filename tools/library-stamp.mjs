// Whether build/lib holds the compiled current src/ (tools/library.mts builds it). Plain
// JavaScript, so that the kernel's launcher (tools/kernel.mjs) can ask before loading a TypeScript
// runner: tsx costs about 0.3 s of every kernel start, and the library is almost always current.
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

export const stampName = ".source-hash"; // in build/lib: the hash of what it was built from
export const errorsName = ".type-errors"; // in build/lib: tsc's messages, while src/ has type errors

// Every file of dir, by path, in a stable order.
function sourceFiles(dir) {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
    .flatMap((e) => (e.isDirectory() ? sourceFiles(join(dir, e.name)) : [join(dir, e.name)]));
}

// A hash of what the build in root depends on: each file of src/ (its path and contents), the two
// tsconfigs and the compiler's version.
export function sourceHash(root) {
  const h = createHash("sha256");
  const tsc = JSON.parse(readFileSync(join(root, "node_modules", "typescript", "package.json"), "utf8"));
  h.update(`typescript ${tsc.version}\n`);
  for (const f of [join(root, "tsconfig.lib.json"), join(root, "tsconfig.json"), ...sourceFiles(join(root, "src"))])
    h.update(`${relative(root, f)}\n`).update(readFileSync(f)).update("\n");
  return h.digest("hex");
}

// Whether libDir holds the compiled current src/ of root.
export function libraryIsCurrent(root, libDir) {
  const stamp = join(libDir, stampName);
  return existsSync(stamp) && readFileSync(stamp, "utf8") === sourceHash(root);
}

// libraryIsCurrent, and when it is and src/ still has type errors, their messages given to log
// (a kernel prints them at every start until they are fixed).
export function currentLibrary(root, libDir, log) {
  if (!libraryIsCurrent(root, libDir)) return false;
  const reported = join(libDir, errorsName);
  if (existsSync(reported)) log(`library: src/ still has type errors:\n${readFileSync(reported, "utf8")}`);
  return true;
}
