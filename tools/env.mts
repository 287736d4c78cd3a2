// Paths and the environment every Jupyter process of the project runs with.
// Everything Jupyter reads or writes is kept inside the project folder, so nothing
// in the user's home Jupyter folders is read or changed.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const venv = join(root, ".venv");
export const venvBin = join(venv, "bin");
export const python = join(venvBin, "python");
export const notebooksDir = join(root, "notebooks");
export const buildDir = join(root, "build");
export const srcDir = join(root, "src");
// What the tslab kernel imports as ./lib/: src/ compiled to .js + .d.ts (tools/library.mts).
export const libDir = join(buildDir, "lib");
// `npm start` opens JupyterLab here: the learner's working copies of the notebooks (gitignored).
export const labDir = join(root, "lab");
// Jupyter's settings, runtime files and workspaces for `npm start` (gitignored).
export const jupyterStateDir = join(root, ".jupyter");

// The kernelspec lives in jupyter/kernels/tslab (committed, paths relative to itself);
// JUPYTER_PATH puts it in front of every other kernel directory.
export function jupyterEnv(): NodeJS.ProcessEnv {
  const state = jupyterStateDir;
  return {
    ...process.env,
    PATH: `${venvBin}:${join(root, "node_modules", ".bin")}:${process.env.PATH ?? ""}`,
    VIRTUAL_ENV: venv,
    JUPYTER_PATH: join(root, "jupyter"),
    JUPYTER_CONFIG_DIR: join(state, "config"),
    JUPYTER_DATA_DIR: join(state, "data"),
    JUPYTER_RUNTIME_DIR: join(state, "runtime"),
    JUPYTERLAB_SETTINGS_DIR: join(state, "lab", "user-settings"),
    JUPYTERLAB_WORKSPACES_DIR: join(state, "lab", "workspaces"),
    IPYTHONDIR: join(state, "ipython"),
    PYTHONNOUSERSITE: "1",
  };
}

// How the project runs `jupyter lab`, for `npm start` and the browser test alike: the notebooks
// folder, loopback only, the TypeScript kernel for new notebooks, no news feed and no update check
// (the server side; the pop-up asking about news is the user setting below).
export function labArgs(notebookDir: string, port: number | string): string[] {
  const args = [
    "lab", `--notebook-dir=${notebookDir}`, "--ip=127.0.0.1", `--port=${port}`, "--MappingKernelManager.default_kernel_name=tslab",
    "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
  ];
  if (process.getuid?.() === 0) args.push("--allow-root"); // containers and CI machines often run as root
  return args;
}

// JupyterLab settings the project starts with, merged into a user-settings folder
// (JUPYTERLAB_SETTINGS_DIR): only keys the file does not have yet are added, so a learner's own
// later choices are kept. No "Would you like to receive official Jupyter news?" pop-up (it shows
// while fetchNews is unset), no update check.
export const labSettings: Record<string, Record<string, unknown>> = {
  "@jupyterlab/apputils-extension/notification.jupyterlab-settings": { fetchNews: "false", checkForUpdates: false },
};

export function writeLabSettings(settingsDir = join(jupyterStateDir, "lab", "user-settings")): string[] {
  const written: string[] = [];
  for (const [file, defaults] of Object.entries(labSettings)) {
    const path = join(settingsDir, file);
    let current: Record<string, unknown> = {};
    if (existsSync(path)) {
      try {
        current = JSON.parse(readFileSync(path, "utf8")) as Record<string, unknown>;
      } catch {
        continue; // JSON5 with comments, edited by hand or in the Settings editor: leave it as it is
      }
    }
    const missing = Object.keys(defaults).filter((k) => !(k in current));
    if (missing.length === 0) continue;
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, JSON.stringify({ ...current, ...Object.fromEntries(missing.map((k) => [k, defaults[k]])) }, null, 2) + "\n");
    written.push(path);
  }
  return written;
}
