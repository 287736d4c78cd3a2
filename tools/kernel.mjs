// The tslab kernel as jupyter/kernels/tslab/kernel.json starts it: first the library the
// notebooks import as ./lib/ is brought up to date with src/, then tslab itself, with the same
// arguments. Plain JavaScript, so that starting a kernel compiles nothing but what changed: the
// check is tools/library-stamp.mjs, and only when src/ changed is tools/library.mts loaded (through
// tsx) to rebuild build/lib.
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { currentLibrary } from "./library-stamp.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const libDir = join(root, "build", "lib"); // tools/env.mts libDir
const log = (line) => console.error(line);
if (!currentLibrary(root, libDir, log)) {
  const { tsImport } = await import("tsx/esm/api");
  const { ensureLibrary } = await tsImport("./library.mts", import.meta.url);
  try {
    ensureLibrary(log);
  } catch (e) {
    // tsc wrote nothing: the kernel still starts, on the previous build, and says why.
    console.error(e instanceof Error ? e.message : String(e));
  }
}
const require = createRequire(import.meta.url);
// The library's code is loaded now, while the notebook is being read, rather than in its import
// cell (about 0.08 s): a notebook's ./lib is a link to build/lib, so its require finds this one.
// A library that does not load is left for that cell to report.
try {
  require(join(libDir, "index.js"));
} catch {
  // the import cell shows the error
}
require("tslab/dist/main.js").main();
