// Paths and the environment every Jupyter process of the project runs with.
// Everything Jupyter reads or writes is kept inside the project folder, so nothing
// in the user's home Jupyter folders is read or changed.
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const root = join(dirname(fileURLToPath(import.meta.url)), "..");
export const venv = join(root, ".venv");
export const venvBin = join(venv, "bin");
export const python = join(venvBin, "python");
export const notebooksDir = join(root, "notebooks");
export const buildDir = join(root, "build");

// The kernelspec lives in jupyter/kernels/tslab (committed, paths relative to itself);
// JUPYTER_PATH puts it in front of every other kernel directory.
export function jupyterEnv(): NodeJS.ProcessEnv {
  const state = join(root, ".jupyter");
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
// folder, loopback only, the TypeScript kernel for new notebooks.
export function labArgs(notebookDir: string, port: number | string): string[] {
  const args = ["lab", `--notebook-dir=${notebookDir}`, "--ip=127.0.0.1", `--port=${port}`, "--MappingKernelManager.default_kernel_name=tslab"];
  if (process.getuid?.() === 0) args.push("--allow-root"); // containers and CI machines often run as root
  return args;
}
