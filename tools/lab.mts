// `npm start`: JupyterLab on notebooks/, bound to 127.0.0.1, token authentication on.
// Port: PORT (default 8888; JupyterLab moves to the next free one if taken) or `npm start -- --port=N`.
// BROWSER=none: print the URL instead of opening a browser. Extra arguments go to `jupyter lab`.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { jupyterEnv, labArgs, notebooksDir, venvBin } from "./env.mjs";

const jupyter = join(venvBin, "jupyter");
if (!existsSync(jupyter)) {
  console.error("JupyterLab is not installed in .venv yet: run `npm install` first.");
  process.exit(1);
}

const args = labArgs(notebooksDir, process.env.PORT ?? "8888");
if (process.env.BROWSER === "none") args.push("--no-browser");
args.push(...process.argv.slice(2));

const lab = spawn(jupyter, args, { stdio: "inherit", env: jupyterEnv() });
for (const signal of ["SIGINT", "SIGTERM"] as const) process.on(signal, () => lab.kill(signal));
lab.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
