"""Execute notebooks headless with nbclient in the project's tslab kernel (a worker of
tools/notebooks.mts, which holds every notebook convention and prepares the notebook each run
executes; this file only runs cells).

Usage: python tools/execute.py
Reads one job a line on stdin, as JSON:
  {"id": 3, "source": "prepared.ipynb", "folder": "notebooks", "output": "out/nb.ipynb", "restart": false,
   "pictures": ["tsx", "tools/plot-png.mts"]}   (pictures: optional, draws each Vega-Lite plot's image/png)
and answers one line per job on stdout, when it finishes:
  {"id": 3, "ok": true, "seconds": 2.1, "fresh": true, "cpu": 3.2, "starts": 1}   (cpu: kernel + worker
      CPU seconds; starts: kernels started for this job, 2 when the first never answered)
  {"id": 3, "ok": false, ..., "failure": {"cell": 7 | null, "text": "<kernel's error>", "start": {...}}}
"start" is there when no kernel answered: {"tries": 2, "timeouts": [180, 180], "errors": [...]}.
The kernel starts in FOLDER, the original notebook's (as JupyterLab starts it), so `./lib/...`
imports resolve. Consecutive jobs of the same folder share one kernel (tslab recompiles each cell;
re-running every cell of a notebook re-declares all its names) unless "restart" asks for a new
one; after a failed job the kernel is always replaced. OUTPUT gets the executed notebook, also
when a cell fails, with the kernel's language_info in its metadata (as JupyterLab would write it).
The failing cell is numbered as in SOURCE (0-based).
"""
import contextlib
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError

CELL_TIMEOUT_S = 600
# A new tslab kernel answers in about 1.5 s on an idle 2-core machine and 2.5 s with both cores
# busy; on a machine loaded by other tests, kernels and builds it can take far longer. A kernel
# that never answered is not a failing notebook: it is started once more before the job fails.
# NOTEBOOKS_KERNEL_START_TIMEOUT_S sets the wait per start (whole seconds; "0,180" gives each try
# its own, which the tests use to force the retry).
START_TIMEOUTS_S = [int(t) for t in os.environ.get("NOTEBOOKS_KERNEL_START_TIMEOUT_S", "180").split(",")]
START_TRIES = 2


def start_timeout(attempt):
    return START_TIMEOUTS_S[min(attempt, len(START_TIMEOUTS_S) - 1)]


class KernelStartError(Exception):
    """No kernel answered, at any of the tries."""

    def __init__(self, errors):
        super().__init__("; ".join(errors))
        self.errors = errors


def kernel_cpu(client):
    """CPU seconds the kernel process has used so far (Linux /proc), or 0 where unknown."""
    try:
        pid = client.km.provisioner.process.pid
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except Exception:
        return 0.0


class Kernel:
    def __init__(self):
        self.stack = None
        self.client = None
        self.folder = None
        self.language_info = None

    def stop(self):
        if self.stack:
            self.stack.close()
        self.stack = self.client = self.folder = self.language_info = None

    def get(self, folder, nb, restart):
        """The client for this job, and how many kernels were started for it (0: the old one)."""
        fresh = restart or self.client is None or folder != self.folder
        starts = 0
        if fresh:
            self.stop()
            errors = []
            for attempt in range(START_TRIES):
                timeout = start_timeout(attempt)
                client = NotebookClient(
                    nb, kernel_name="tslab", timeout=CELL_TIMEOUT_S, startup_timeout=timeout, record_timing=False,
                    shutdown_kernel="immediate", resources={"metadata": {"path": folder}},
                )
                stack = contextlib.ExitStack()
                starts += 1
                try:
                    stack.enter_context(client.setup_kernel())  # on failure, nbclient shuts that kernel down
                except Exception as error:
                    stack.close()
                    errors.append(f"start {attempt + 1}: {type(error).__name__}: {error}")
                    continue
                self.client, self.stack, self.folder = client, stack, folder
                # what JupyterLab writes into the notebook's metadata when this kernel connects:
                # stored as the kernel says it, a notebook opened in JupyterLab is not modified by it
                reply = client.wait_for_reply(client.kc.kernel_info())
                self.language_info = (reply or {}).get("content", {}).get("language_info")
                break
            else:
                raise KernelStartError(errors)
        self.client.nb = nb
        return self.client, starts


VEGALITE = "application/vnd.vegalite.v5+json"


def add_pictures(nb, command):
    """Adds an image/png beside every Vega-Lite output, drawn by COMMAND (tools/plot-png.mts): what
    JupyterLab adds itself on opening a notebook without them, marking it modified."""
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.get("outputs", [])
               if VEGALITE in o.get("data", {}) and "image/png" not in o["data"]]
    if not outputs:
        return
    done = subprocess.run(command, input=json.dumps([o["data"][VEGALITE] for o in outputs]), capture_output=True,
                          text=True, timeout=300, check=True)
    for o, png in zip(outputs, json.loads(done.stdout)):
        o["data"]["image/png"] = png


def run(kernel, job):
    start = time.time()
    own = time.process_time()
    nb = nbformat.read(job["source"], as_version=4)
    client, starts = kernel.get(str(Path(job["folder"]).resolve()), nb, job.get("restart", False))
    fresh = starts > 0
    cpu0 = 0.0 if fresh else kernel_cpu(client)
    failure = None
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        try:
            client.execute_cell(cell, index)
        except (CellExecutionError, CellTimeoutError) as error:
            stderr = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("name") == "stderr")
            failure = {"cell": index, "text": (stderr or str(error)).rstrip()}
            break
    if kernel.language_info:
        nb.metadata["language_info"] = kernel.language_info
    if job.get("pictures") and not failure:
        add_pictures(nb, job["pictures"])
    Path(job["output"]).parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, job["output"])
    cpu = kernel_cpu(client) - cpu0 + time.process_time() - own
    if failure:
        kernel.stop()  # a failed run leaves half-defined state (and tslab aborts requests for a while)
    return {"id": job["id"], "ok": failure is None, "seconds": round(time.time() - start, 2), "fresh": fresh,
            "cpu": round(cpu, 2), "starts": starts, **({"failure": failure} if failure else {})}


def main():
    kernel = Kernel()
    try:
        for line in sys.stdin:
            if not line.strip():
                continue
            job = json.loads(line)
            started = time.time()
            try:
                reply = run(kernel, job)
            except KernelStartError as error:
                kernel.stop()
                reply = {"id": job["id"], "ok": False, "seconds": round(time.time() - started, 2), "fresh": True,
                         "starts": len(error.errors),
                         "failure": {"cell": None, "text": "\n".join(error.errors),
                                     "start": {"tries": len(error.errors), "timeouts": [start_timeout(a) for a in range(len(error.errors))],
                                               "errors": error.errors}}}
            except Exception as error:  # the kernel died, the output is unwritable, …
                kernel.stop()
                reply = {"id": job["id"], "ok": False, "seconds": 0, "fresh": True,
                         "failure": {"cell": None, "text": f"{type(error).__name__}: {error}"}}
            print(json.dumps(reply), flush=True)
    finally:
        kernel.stop()


if __name__ == "__main__":
    main()
