"""Asks a real tslab kernel, started as JupyterLab starts it (the project's kernelspec, in the
folder given), what test/kernel.test.mts checks: a type error fails its cell, completions and
hover answer from the library's types. Usage: python test/kernel-probe.py FOLDER; prints JSON."""
import json
import sys
import time

from jupyter_client.manager import start_new_kernel

km, kc = start_new_kernel(kernel_name="tslab", cwd=sys.argv[1], startup_timeout=180)


def reply_to(msg_id):
    while True:
        msg = kc.get_shell_msg(timeout=120)
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg


def execute(code):
    msg_id = kc.execute(code)
    reply = reply_to(msg_id)
    stderr = ""
    while True:
        msg = kc.get_iopub_msg(timeout=120)
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        if msg["msg_type"] == "stream" and msg["content"]["name"] == "stderr":
            stderr += msg["content"]["text"]
        if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
            break
    return {"status": reply["content"]["status"], "stderr": stderr}


def ask(send, code):
    return reply_to(send(code, len(code)))["content"]


try:
    out = {
        "import": execute('import { Matrix } from "./lib/index.js";\nconst M = Matrix.ones(2, 3);'),
        "typeError": execute("const wrong: number = M.T;"),
        "afterError": (time.sleep(1), execute("const rows: number = M.rows;"))[1],
        "completeStatic": ask(kc.complete, "Matrix."),
        "complete": ask(kc.complete, "M."),
        "hover": ask(lambda c, p: kc.inspect(c, p, detail_level=0), "M.sum"),
    }
    print(json.dumps(out))
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=True)
