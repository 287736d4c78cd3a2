"""Runs numpy lines for test/numpy-map.test.mts.

Reads one JSON request on stdin: {"jobs": [...]}, each job either
  {"numpy": LINE, "arrays": {name: rows}, "scalars": {name: number}}   one expression, or
  {"program": [[name, LINE], ...], "arrays": ..., "scalars": ...}     lines run in order, each
                                                                      result bound to its name.
Writes {"numpy": version, "results": [...]} on stdout: per job {"shape": [...], "value": rows}
(a program: {"steps": {name: result}}), or {"error": "Type: message"} for a line that raised.
A 0-d result (a loss) is returned as 1x1; nothing else is reshaped, so a line that returns a
1-d array where a 1xm matrix is meant reports the shape [m].
"""
import json
import sys

import numpy as np


def evaluate(line, env):
    """The line's value as numpy computed it, and its result for the reply."""
    try:
        value = eval(line, {"np": np}, env)
        array = np.asarray(value, dtype=float)
    except Exception as e:  # the test reports which line raised, and how
        return None, {"error": f"{type(e).__name__}: {e}"}
    if array.ndim == 0:
        array = array.reshape(1, 1)
    return value, {"shape": list(array.shape), "value": array.tolist()}


def run(job):
    env = {name: np.array(rows, dtype=float) for name, rows in job.get("arrays", {}).items()}
    env.update(job.get("scalars", {}))
    if "program" not in job:
        return evaluate(job["numpy"], env)[1]
    steps = {}
    for name, line in job["program"]:
        env[name], steps[name] = evaluate(line, env)
        if "error" in steps[name]:
            break
    return {"steps": steps}


request = json.load(sys.stdin)
json.dump({"numpy": np.__version__, "results": [run(job) for job in request["jobs"]]}, sys.stdout)
