# Drives the tsjit kernel with Debian's jupyter_client 7.4 (KernelManager + BlockingKernelClient),
# as Jupyter's own tools do, and prints what came back as one JSON document for
# jupyter_client.test.ts to check. Each step is recorded separately, so one failure does not
# hide the others: a step is {"error": traceback} when it raised.
#
# Usage: /usr/bin/python3 jupyter_client_session.py   (JUPYTER_PATH must hold the kernelspec)

import json
import sys
import time
import traceback

from jupyter_client.manager import KernelManager

results = {}


def step(name):
    def record(fn):
        try:
            results[name] = fn()
        except Exception:
            results[name] = {"error": traceback.format_exc()}
        return fn

    return record


km = KernelManager(kernel_name="tsjit")
km.start_kernel()
kc = km.client()
kc.start_channels()
kc.wait_for_ready(timeout=90)


def run(code, timeout=60, **kwargs):
    """Executes `code`; returns the reply content and the IOPub messages of the request."""
    outputs = []
    reply = kc.execute_interactive(code, output_hook=lambda m: outputs.append({"msg_type": m["msg_type"], "content": m["content"]}), timeout=timeout, **kwargs)
    return {"reply": reply["content"], "iopub": outputs}


def shell_reply(msg_id, timeout=30):
    deadline = time.time() + timeout
    while True:
        msg = kc.get_shell_msg(timeout=max(0.1, deadline - time.time()))
        if msg["parent_header"].get("msg_id") == msg_id:
            return msg["content"]


step("kernel_info")(lambda: kc.kernel_info(reply=True, timeout=30)["content"])
step("one_plus_one")(lambda: run("1+1"))
step("define")(lambda: run("const kept = 41"))
step("use")(lambda: run("kept + 1"))
step("stdout")(lambda: run('console.log("hello from tsjit")'))
step("error")(lambda: run('const y = 1;\nthrow new RangeError("bad value " + y)'))
step("non_error")(lambda: run("throw 42"))
step("stray_rejection")(lambda: run('Promise.reject(new Error("dropped on purpose"));\nawait new Promise((r) => setTimeout(r, 100));\n"after"'))
step("stderr_flood")(lambda: run('for (let i = 0; i < 5000; i++) console.error("line " + i);'))
step("complete")(lambda: kc.complete("Math.", 5, reply=True, timeout=30)["content"])
step("is_complete")(lambda: shell_reply(kc.is_complete("function f() {")))
step("history")(lambda: kc.history(hist_access_type="tail", n=20, output=False, raw=True, reply=True, timeout=30)["content"])


@step("interrupt")
def interrupt():
    msg_id = kc.execute("while (true) {}")
    time.sleep(1.0)  # the loop is running on the kernel's main thread
    km.interrupt_kernel()  # interrupt_mode "message": interrupt_request on control
    return {"reply": shell_reply(msg_id), "after": run("kept")}


@step("restart")
def restart():
    process = km.provisioner.process
    km.restart_kernel(now=False)  # shutdown_request(restart=True), then a new process
    kc.wait_for_ready(timeout=90)
    history = kc.history(hist_access_type="tail", n=100, output=False, raw=True, reply=True, timeout=30)["content"]
    return {
        "old_exit_code": process.returncode,
        "info": kc.kernel_info(reply=True, timeout=30)["content"]["status"],
        "kept_after_restart": run("kept"),
        "history_after_restart": [entry[2] for entry in history.get("history", [])],
    }


@step("shutdown")
def shutdown():
    process = km.provisioner.process
    km.shutdown_kernel(now=False)  # shutdown_request(restart=False), then wait for the exit
    return {"exit_code": process.returncode, "alive": km.is_alive()}


kc.stop_channels()
json.dump(results, sys.stdout)
