// The tsjit kernel behind Debian's Jupyter Notebook server (6.4), driven from TypeScript by
// @jupyterlab/services over the server's REST API and kernel websocket, exactly as JupyterLab's
// frontend does: start a kernel from the kernelspec install.js wrote, execute, interrupt,
// restart, shut down.

import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { createRequire } from "node:module";
import { KernelManager, ServerConnection, type Kernel, type KernelMessage } from "@jupyterlab/services";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, hasNotebookServer, installTempKernel, PYTHON, type KernelInstall } from "./support.js";

// Node 20 has fetch but no WebSocket; `ws` (untyped here) is the constructor services is given.
const WebSocketImpl = createRequire(import.meta.url)("ws") as typeof WebSocket;

interface Server {
  child: ChildProcess;
  port: number;
  token: string;
  log: string[];
  exited: Promise<number | null>;
}

async function startServer(install: KernelInstall): Promise<Server> {
  const port = await freePort();
  const token = randomUUID();
  const args = ["-m", "notebook", "--no-browser", "--allow-root", "--ip=127.0.0.1", `--port=${port}`, "--port-retries=0", `--NotebookApp.token=${token}`, `--notebook-dir=${install.dir}`];
  const child = spawn(PYTHON, args, { cwd: install.dir, env: install.env, stdio: ["ignore", "pipe", "pipe"] });
  const log: string[] = [];
  child.stdout?.setEncoding("utf8").on("data", (c: string) => log.push(c));
  child.stderr?.setEncoding("utf8").on("data", (c: string) => log.push(c));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  let running = true;
  void exited.then(() => (running = false));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (!running) throw new Error(`the notebook server exited before it answered:\n${log.join("")}`);
    const status = await fetch(`http://127.0.0.1:${port}/api/status`, { headers: { Authorization: `token ${token}` } }).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return { child, port, token, log, exited };
    if (Date.now() > deadline) throw new Error(`the notebook server did not answer on port ${port}:\n${log.join("")}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Executes `code` and gathers its IOPub messages until the reply (services resolves `done` after idle). */
async function execute(kernel: Kernel.IKernelConnection, code: string): Promise<{ reply: KernelMessage.IExecuteReplyMsg["content"]; iopub: KernelMessage.IIOPubMessage[] }> {
  const iopub: KernelMessage.IIOPubMessage[] = [];
  const future = kernel.requestExecute({ code });
  future.onIOPub = (message) => void iopub.push(message);
  const reply = await future.done;
  return { reply: reply.content, iopub };
}

const plainResult = (iopub: KernelMessage.IIOPubMessage[]): unknown =>
  (iopub.find((m) => m.header.msg_type === "execute_result")?.content as { data?: Record<string, unknown> } | undefined)?.data?.["text/plain"];

describe.skipIf(!hasNotebookServer())("Jupyter Notebook server 6.4 + @jupyterlab/services (as JupyterLab talks to a kernel)", () => {
  let install: KernelInstall;
  let server: Server;
  let manager: KernelManager;
  let kernel: Kernel.IKernelConnection;

  beforeAll(async () => {
    install = installTempKernel();
    server = await startServer(install);
    const serverSettings = ServerConnection.makeSettings({
      baseUrl: `http://127.0.0.1:${server.port}/`,
      wsUrl: `ws://127.0.0.1:${server.port}/`,
      token: server.token,
      appendToken: true,
      WebSocket: WebSocketImpl,
    });
    manager = new KernelManager({ serverSettings });
    await manager.ready;
  }, 90_000);

  afterAll(async () => {
    manager?.dispose();
    if (server !== undefined) {
      server.child.kill("SIGTERM"); // the server shuts its kernels down on SIGTERM
      const stopped = await Promise.race([server.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]);
      if (!stopped) server.child.kill("SIGKILL");
    }
    install?.cleanup();
  }, 30_000);

  it("lists the tsjit kernelspec with its logos", async () => {
    const response = await fetch(`http://127.0.0.1:${server.port}/api/kernelspecs`, { headers: { Authorization: `token ${server.token}` } });
    const specs = (await response.json()) as { kernelspecs: Record<string, { spec: Record<string, unknown>; resources: Record<string, string> }> };
    expect(specs.kernelspecs["tsjit"]?.spec).toMatchObject({ display_name: "TypeScript (tsjit)", language: "typescript", interrupt_mode: "message" });
    expect(Object.keys(specs.kernelspecs["tsjit"]?.resources ?? {}).sort()).toEqual(["logo-32x32", "logo-64x64", "logo-svg"]);
  });

  it("starts a tsjit kernel and reads its kernel_info over the websocket", async () => {
    kernel = await manager.startNew({ name: "tsjit" });
    const info = await kernel.info;
    expect(info.implementation).toBe("tsjit");
    expect(info.language_info).toMatchObject({ name: "typescript", version: ts.version, file_extension: ".ts" });
  }, 90_000);

  it("executes cells: results, persistent bindings, stdout", async () => {
    const sum = await execute(kernel, "1+1");
    expect(sum.reply.status).toBe("ok");
    expect(plainResult(sum.iopub)).toBe("2");
    expect((await execute(kernel, "let counter = 10;\ncounter += 5;")).reply.status).toBe("ok");
    const read = await execute(kernel, 'console.log("counter is", counter);\ncounter * 2');
    expect(plainResult(read.iopub)).toBe("30");
    const stdout = read.iopub.filter((m) => m.header.msg_type === "stream").map((m) => (m.content as { text: string }).text).join("");
    expect(stdout).toBe("counter is 15\n");
    expect(read.iopub.at(-1)?.header.msg_type).toBe("status"); // idle last
  }, 60_000);

  it("interrupts a spinning cell through the server's interrupt endpoint", async () => {
    const future = kernel.requestExecute({ code: "while (true) {}" });
    await new Promise((r) => setTimeout(r, 1000));
    await kernel.interrupt();
    const reply = await future.done;
    expect(reply.content).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
    expect(plainResult((await execute(kernel, "counter")).iopub)).toBe("15");
  }, 60_000);

  it("restarts: a fresh process with a fresh namespace", async () => {
    await kernel.restart();
    const after = await execute(kernel, "counter");
    expect(after.reply).toMatchObject({ status: "error", evalue: expect.stringContaining("counter") });
    expect(plainResult((await execute(kernel, "1+1")).iopub)).toBe("2");
  }, 90_000);

  it("shuts the kernel down", async () => {
    await kernel.shutdown();
    await manager.refreshRunning();
    expect([...manager.running()]).toEqual([]);
  }, 30_000);
});
