// `npm start`: JupyterLab on lab/, your working copies of the notebooks (tools/workcopy.mts), bound
// to 127.0.0.1, token authentication on. The committed notebooks in notebooks/ are never opened:
// edit and run freely; `npm run reset -- <notebook>` brings a committed version back.
// Port: PORT (default 8888; JupyterLab moves to the next free one if taken) or `npm start -- --port=N`.
// BROWSER=none: print the URL instead of opening a browser. Extra arguments go to `jupyter lab`.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join, relative } from "node:path";
import { jupyterEnv, labArgs, labDir, notebooksDir, root, venvBin, writeLabSettings } from "./env.mjs";
import { ensureLibrary } from "./library.mjs";
import { prepareWorkingCopy } from "./workcopy.mjs";

const jupyter = join(venvBin, "jupyter");
if (!existsSync(jupyter)) {
  console.error("JupyterLab is not installed in .venv yet: run `npm install` first.");
  process.exit(1);
}

const lab = relative(root, labDir);
const committed = relative(root, notebooksDir);
try {
  const report = prepareWorkingCopy();
  if (report.created.length) console.log(`Working copies made in ${lab}/: ${report.created.join(", ")}`);
  if (report.updated.length) console.log(`Updated to the committed version (you had not edited them): ${report.updated.join(", ")}`);
  for (const name of report.behind)
    console.log(`Note: ${committed}/${name} changed since ${lab}/${name} was copied, and you edited your copy; ` +
      `it is kept. \`npm run reset -- ${name.replace(/\.ipynb$/, "")}\` gets the new version (yours goes to ${lab}/backups/).`);
} catch (e) {
  console.error(`npm start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
try {
  ensureLibrary(); // what the kernel imports as ./lib/ (each kernel start checks it again)
} catch (e) {
  console.error(`npm start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
}
writeLabSettings(jupyterEnv().JUPYTERLAB_SETTINGS_DIR);
console.log(`JupyterLab opens ${lab}/, your copies of the notebooks: edit and run them freely. ` +
  `The committed ones stay untouched in ${committed}/; \`npm run reset -- <notebook>\` restores a copy.`);

const args = labArgs(labDir, process.env.PORT ?? "8888");
if (process.env.BROWSER === "none") args.push("--no-browser");
args.push(...process.argv.slice(2));

const child = spawn(jupyter, args, { stdio: "inherit", env: jupyterEnv() });
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => child.kill(signal));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
