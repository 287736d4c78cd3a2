// `npm run reset -- [notebook …] [--yes]`: puts the committed version of notebooks back into lab/,
// the working copies `npm start` opens. A copy you edited is first saved in lab/backups/.
// Names may be shortened: `01`, `01-bias-gradient-shape`, `lab/01-bias-gradient-shape.ipynb`.
// Without a name, every notebook. Asks before replacing anything, unless --yes.
import { basename, relative } from "node:path";
import { createInterface } from "node:readline/promises";
import { labDir, notebooksDir, root } from "./env.mjs";
import { listNotebooks } from "./ipynb.mjs";
import { copyState, restore } from "./workcopy.mjs";

const usage = "usage: npm run reset -- [notebook …] [--yes]   (e.g. npm run reset -- 01)";
const args = process.argv.slice(2);
const yes = args.some((a) => a === "--yes" || a === "-y");
const unknown = args.filter((a) => a.startsWith("-") && a !== "--yes" && a !== "-y");
if (unknown.length) {
  console.error(`unknown option ${unknown.join(", ")}\n${usage}`);
  process.exit(2);
}
const committed = listNotebooks(notebooksDir).map((p) => basename(p));
const wanted = args.filter((a) => !a.startsWith("-"));
const names = wanted.length === 0 ? committed : wanted.map((w) => {
  const key = basename(w).replace(/\.ipynb$/, "");
  const found = committed.filter((n) => n === `${key}.ipynb` || n.startsWith(key));
  if (found.length !== 1) {
    console.error(`${found.length ? "more than one" : "no"} notebook matches "${w}"; the notebooks: ${committed.join(", ")}\n${usage}`);
    process.exit(2);
  }
  return found[0];
});

const rel = (p: string): string => relative(root, p);
const states = names.map((n) => ({ name: n, state: copyState(n) }));
const replaced = states.filter((s) => s.state === "edited" || s.state === "outputs");
for (const s of states.filter((x) => x.state === "same")) console.log(`${rel(labDir)}/${s.name}: already the committed version`);
if (replaced.length) {
  console.log("These working copies differ from the committed notebooks:");
  for (const s of replaced) console.log(`  ${rel(labDir)}/${s.name}  (${s.state === "edited" ? "cells edited" : "outputs or metadata changed"})`);
  console.log(`Each will be saved in ${rel(labDir)}/backups/ and replaced by the version in ${rel(notebooksDir)}/.`);
  console.log("Close these notebooks in JupyterLab first (or JupyterLab will ask which version to keep).");
  if (!yes) {
    if (!process.stdin.isTTY) {
      console.error("Nothing changed: not asked interactively. Run again with --yes to go ahead.");
      process.exit(1);
    }
    const rl = createInterface({ input: process.stdin, output: process.stdout });
    const answer = (await rl.question("Go ahead? [y/N] ")).trim().toLowerCase();
    rl.close();
    if (answer !== "y" && answer !== "yes") {
      console.log("Nothing changed.");
      process.exit(1);
    }
  }
}
for (const s of states.filter((x) => x.state !== "same")) {
  const { outcome, backup } = restore(s.name);
  console.log(`${rel(labDir)}/${s.name}: ${outcome === "created" ? "copied" : "restored"}${backup ? ` (your version: ${rel(backup)})` : ""}`);
}
