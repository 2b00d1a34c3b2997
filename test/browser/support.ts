/**
 * What the browser test needs besides the kernel helpers of test/kernel/clients/support.ts:
 * Debian's chromium, Debian's Jupyter Notebook server on loopback, and a notebook copied without
 * its stored outputs (so that everything the test finds in the page was produced by this run).
 */
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { freePort, PYTHON, type KernelInstall } from "../kernel/clients/support.js";

export const CHROMIUM = "/usr/bin/chromium";

/**
 * Debian's chromium (not a browser playwright downloads): absent, the browser test skips with a
 * message, except under CI=true, where .ci/run has installed it and its absence is a failure.
 */
export function hasChromium(): boolean {
  if (existsSync(CHROMIUM)) return true;
  if (process.env["CI"] === "true") throw new Error(`CI=true but ${CHROMIUM} is missing: .ci/run must apt-get install chromium`);
  console.warn(`[tsjit tests] ${CHROMIUM} not found (apt-get install chromium): skipping the browser test`);
  return false;
}

/** Copies a notebook with every code cell's outputs and execution count cleared. */
export function copyWithoutOutputs(from: string, to: string): void {
  const notebook = JSON.parse(readFileSync(from, "utf8")) as { cells: { cell_type: string; outputs?: unknown[]; execution_count?: number | null }[] };
  for (const cell of notebook.cells) {
    if (cell.cell_type !== "code") continue;
    cell.outputs = [];
    cell.execution_count = null;
  }
  writeFileSync(to, JSON.stringify(notebook, null, 1));
}

export interface NotebookServer {
  url: string;
  token: string;
  log: string[];
  stop(): Promise<void>;
}

/**
 * Starts `python3 -m notebook` on 127.0.0.1 with a token, serving `notebookDir`, with the
 * Jupyter environment of `install` (its kernelspec, temporary Jupyter directories).
 */
export async function startNotebookServer(install: KernelInstall, notebookDir: string): Promise<NotebookServer> {
  const port = await freePort();
  const token = randomUUID();
  const args = ["-m", "notebook", "--no-browser", "--allow-root", "--ip=127.0.0.1", `--port=${port}`, "--port-retries=0", `--NotebookApp.token=${token}`, `--notebook-dir=${notebookDir}`];
  const child = spawn(PYTHON, args, { cwd: notebookDir, env: install.env, stdio: ["ignore", "pipe", "pipe"] });
  const log: string[] = [];
  child.stdout?.setEncoding("utf8").on("data", (c: string) => log.push(c));
  child.stderr?.setEncoding("utf8").on("data", (c: string) => log.push(c));
  const exited = new Promise<void>((resolve) => child.on("exit", () => resolve()));
  const server = { url: `http://127.0.0.1:${port}`, token, log, stop: () => stopServer(child, exited) };
  try {
    await waitUntilAnswering(server, exited);
  } catch (e) {
    await server.stop();
    throw e;
  }
  return server;
}

async function waitUntilAnswering(server: Omit<NotebookServer, "stop">, exited: Promise<void>): Promise<void> {
  let running = true;
  void exited.then(() => (running = false));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (!running) throw new Error(`the notebook server exited before it answered:\n${server.log.join("")}`);
    const status = await fetch(`${server.url}/api/status`, { headers: { Authorization: `token ${server.token}` } }).then(
      (r) => r.status,
      () => 0,
    );
    if (status === 200) return;
    if (Date.now() > deadline) throw new Error(`the notebook server did not answer at ${server.url}:\n${server.log.join("")}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** SIGTERM first: the server then shuts its kernels down; SIGKILL if it has not exited in 10 s. */
async function stopServer(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill("SIGTERM");
  const stopped = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]);
  if (!stopped) child.kill("SIGKILL");
}
