// The tslab kernel as jupyter/kernels/tslab/kernel.json starts it: first the library the
// notebooks import as ./lib/ is brought up to date with src/ (tools/library.mts; a no-op when
// nothing changed), then tslab itself, with the same arguments. Plain JavaScript, so that starting
// a kernel compiles nothing but what changed.
import { tsImport } from "tsx/esm/api";
import { createRequire } from "node:module";

const { ensureLibrary } = await tsImport("./library.mts", import.meta.url);
try {
  ensureLibrary((line) => console.error(line));
} catch (e) {
  // tsc wrote nothing: the kernel still starts, on the previous build, and says why.
  console.error(e instanceof Error ? e.message : String(e));
}
createRequire(import.meta.url)("tslab/dist/main.js").main();
