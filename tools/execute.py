"""Execute one notebook headless with nbclient in the project's tslab kernel.

Usage: python tools/execute.py SOURCE OUTPUT [INJECTED_SOURCE]
The kernel starts in SOURCE's folder (as JupyterLab starts it), so `./lib/...` imports
resolve. INJECTED_SOURCE, when given, becomes a new cell right after the cell tagged
`parameters` (papermill's convention). OUTPUT gets the executed notebook, also when a
cell fails. Exit status 1 names the failing cell and prints the kernel's error text.
"""
import sys
from pathlib import Path

import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError

CELL_TIMEOUT_S = 600


def inject(nb, source):
    at = next(i for i, c in enumerate(nb.cells) if "parameters" in c.get("metadata", {}).get("tags", []))
    cell = nbformat.v4.new_code_cell(source, metadata={"tags": ["injected-parameters"]})
    nb.cells.insert(at + 1, cell)


def main(source, output, injected=None):
    nb = nbformat.read(source, as_version=4)
    if injected:
        inject(nb, injected)
    client = NotebookClient(
        nb,
        kernel_name="tslab",
        timeout=CELL_TIMEOUT_S,
        record_timing=False,
        resources={"metadata": {"path": str(Path(source).resolve().parent)}},
    )
    failure = None
    with client.setup_kernel():
        for index, cell in enumerate(nb.cells):
            if cell.cell_type != "code":
                continue
            try:
                client.execute_cell(cell, index)
            except (CellExecutionError, CellTimeoutError) as error:
                failure = (index, cell, error)
                break
    Path(output).parent.mkdir(parents=True, exist_ok=True)
    nbformat.write(nb, output)
    if failure:
        index, cell, error = failure
        first = next((line for line in cell.source.splitlines() if line.strip()), "")
        stderr = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("name") == "stderr")
        print(f"FAILED {source}\n  cell {index} (first line: {first!r})\n"
              + "\n".join("  | " + line for line in (stderr or str(error)).rstrip().splitlines()),
              file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
