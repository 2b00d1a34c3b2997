// A tsjit kernel in a child process, and the client half of the Jupyter protocol that drives it:
// what `tsjit run` uses instead of Python's jupyter_client.
//
// The kernel is started the way a launcher starts it (a connection file on free loopback ports,
// a fresh key) so a notebook runs through exactly the code path Jupyter uses. Shell and control
// are DEALER sockets with one routing identity, IOPub a SUB socket; messages are framed and
// signed by the kernel's own wire.ts.

import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as zmq from "zeromq";
import { endpoint, toConnectionJson, type ConnectionInfo } from "../kernel/protocol/connection.js";
import type { Header } from "../kernel/protocol/messages.js";
import { decode, encode, Signer, type RawMessage } from "../kernel/protocol/wire.js";

/** The kernel died, stopped answering, or a request got no reply in time. */
export class KernelSessionError extends Error {
  override name = "KernelSessionError";

  constructor(
    message: string,
    /** "timeout": no answer in time (the kernel may still be busy); "exited": the process is gone. */
    readonly reason: "timeout" | "exited",
  ) {
    super(message);
  }
}

/** A TCP port that was free a moment ago on loopback (the same race jupyter_client accepts). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no free port"))));
    });
  });
}

const parentId = (m: RawMessage): string | undefined => (m.parent_header as Partial<Header>).msg_id;

type Listener = (message: RawMessage) => void;

export interface KernelSessionOptions {
  /** The kernel's working directory (Jupyter's: the notebook's folder). */
  cwd: string;
}

export class KernelSession {
  private readonly session = randomUUID();
  private readonly signer: Signer;
  private readonly shell: zmq.Dealer;
  private readonly control: zmq.Dealer;
  private readonly iopub = new zmq.Subscriber({ receiveHighWaterMark: 0 });
  private readonly listeners = new Set<Listener>();
  private readonly stderrChunks: string[] = [];
  private exitCode: number | null | undefined = undefined;
  private exitHow = "";
  private readonly exited: Promise<void>;
  private closed = false;

  private constructor(
    readonly connection: ConnectionInfo,
    private readonly child: ChildProcess,
    private readonly scratch: string,
  ) {
    this.signer = new Signer(connection.key, connection.signatureScheme);
    const routingId = `tsjit-run-${this.session}`;
    this.shell = new zmq.Dealer({ routingId, linger: 0 });
    this.control = new zmq.Dealer({ routingId, linger: 0 });
    this.shell.connect(endpoint(connection, "shell"));
    this.control.connect(endpoint(connection, "control"));
    this.iopub.linger = 0;
    this.iopub.subscribe("");
    this.iopub.connect(endpoint(connection, "iopub"));
    for (const socket of [this.shell, this.control, this.iopub]) void this.receive(socket);
    child.stderr?.setEncoding("utf8").on("data", (chunk: string) => this.stderrChunks.push(chunk));
    child.stdout?.resume();
    this.exited = new Promise((resolve) =>
      child.on("exit", (code, signal) => {
        this.exitCode = code;
        this.exitHow = code === null ? `killed by ${signal ?? "a signal"}` : `exit code ${code}`;
        resolve();
      }),
    );
  }

  /**
   * Starts `tsjit kernel <connection file>` with this process's own Node and loader flags (so it
   * runs from dist/ when we do, from sources under tsx when we do) and waits until IOPub is live.
   */
  static async start(options: KernelSessionOptions, readyTimeoutMs = 60_000): Promise<KernelSession> {
    const ports = { shell: await freePort(), control: await freePort(), stdin: await freePort(), iopub: await freePort(), hb: await freePort() };
    const connection: ConnectionInfo = { transport: "tcp", ip: "127.0.0.1", ports, key: randomUUID(), signatureScheme: "hmac-sha256", kernelName: "tsjit" };
    const scratch = await mkdtemp(join(tmpdir(), "tsjit-run-"));
    const file = join(scratch, "kernel.json");
    await writeFile(file, JSON.stringify(toConnectionJson(connection)), { mode: 0o600 });
    const cli = fileURLToPath(new URL(import.meta.url.endsWith(".ts") ? "../cli.ts" : "../cli.js", import.meta.url));
    const child = spawn(process.execPath, [...process.execArgv, cli, "kernel", file], { cwd: options.cwd, stdio: ["ignore", "pipe", "pipe"] });
    const kernel = new KernelSession(connection, child, scratch);
    try {
      await kernel.waitUntilLive(readyTimeoutMs);
    } catch (e) {
      await kernel.close();
      throw e;
    }
    return kernel;
  }

  /** What the kernel wrote on stderr (its own diagnostics: a crash's stack lands here). */
  get stderr(): string {
    return this.stderrChunks.join("");
  }

  /** A SUB socket misses what is published before it joins: ask kernel_info until its status arrives on IOPub. */
  private async waitUntilLive(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      this.assertAlive();
      const header = this.send("shell", "kernel_info_request", {});
      const seen = await this.nextMessage((m) => parentId(m) === header.msg_id, 250).then(() => true, () => false);
      if (seen) return;
    }
    throw new KernelSessionError(`the kernel did not answer within ${timeoutMs / 1000} s${this.stderrNote()}`, "timeout");
  }

  /** Asks kernel_info and returns its reply's content (language_info goes into the notebook). */
  async kernelInfo(timeoutMs = 30_000): Promise<Record<string, unknown>> {
    const header = this.send("shell", "kernel_info_request", {});
    const reply = await this.nextMessage((m) => parentId(m) === header.msg_id && m.header.msg_type === "kernel_info_reply", timeoutMs);
    return reply.content as Record<string, unknown>;
  }

  /**
   * The kernel answers as soon as its sockets are bound and loads its evaluator afterwards
   * (Note [answer before the evaluator loads] in src/kernel/main.ts). A silent empty execution
   * waits for that load, so `--timeout` measures cells, not the kernel's start, and an
   * interrupt never lands while the evaluator is still loading.
   */
  async waitForEvaluator(timeoutMs = 120_000): Promise<void> {
    const header = this.send("shell", "execute_request", { code: "", silent: true, store_history: false, user_expressions: {}, allow_stdin: false, stop_on_error: false });
    await this.nextMessage((m) => parentId(m) === header.msg_id && m.header.msg_type === "execute_reply", timeoutMs);
  }

  header(msgType: string): Header {
    return { msg_id: randomUUID(), session: this.session, username: "tsjit-run", date: new Date().toISOString(), msg_type: msgType, version: "5.3" };
  }

  send(channel: "shell" | "control", msgType: string, content: unknown): Header {
    const header = this.header(msgType);
    const frames = encode(this.signer, [], header, {}, { content: content as never, metadata: {} });
    const socket = channel === "shell" ? this.shell : this.control;
    // One send at a time per socket (zeromq refuses overlapping sends); a failure surfaces as a missing reply.
    this.sending = this.sending.then(() => socket.send(frames)).catch(() => undefined);
    return header;
  }
  private sending: Promise<void> = Promise.resolve();

  /** Calls `listener` with every message (shell, control, IOPub) until the returned function is called. */
  listen(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** The next message that matches, from now on; rejects on timeout or when the kernel dies. */
  nextMessage(match: (m: RawMessage) => boolean, timeoutMs: number): Promise<RawMessage> {
    return new Promise((resolve, reject) => {
      const finish = (): void => {
        clearTimeout(timer);
        clearInterval(watch);
        stop();
      };
      const stop = this.listen((m) => {
        if (!match(m)) return;
        finish();
        resolve(m);
      });
      const timer = setTimeout(() => (finish(), reject(new KernelSessionError(`no answer from the kernel within ${timeoutMs / 1000} s`, "timeout"))), timeoutMs);
      const watch = setInterval(() => {
        if (this.exitCode === undefined) return;
        finish();
        reject(new KernelSessionError(`the kernel exited (${this.exitHow})${this.stderrNote()}`, "exited"));
      }, 100);
    });
  }

  private assertAlive(): void {
    if (this.exitCode !== undefined) throw new KernelSessionError(`the kernel exited (${this.exitHow})${this.stderrNote()}`, "exited");
  }

  private stderrNote(): string {
    const text = this.stderr.trim();
    return text.length === 0 ? "" : `; its stderr:\n${text}`;
  }

  private async receive(socket: zmq.Dealer | zmq.Subscriber): Promise<void> {
    try {
      for await (const frames of socket) {
        const decoded = decode(frames, this.signer);
        if (!decoded.ok) continue; // not from our kernel (a wrong key cannot happen: we wrote it)
        for (const listener of [...this.listeners]) listener(decoded.message);
      }
    } catch (e) {
      if (!this.closed) this.stderrChunks.push(`tsjit run: receiving from the kernel failed: ${(e as Error).message}\n`);
    }
  }

  /** Interrupts the running cell (control channel, as Jupyter's interrupt button does). */
  interrupt(): void {
    this.send("control", "interrupt_request", {});
  }

  /**
   * shutdown_request on control, then wait for the process to exit; a kernel that does not exit
   * within `graceMs` is killed. Always removes the connection file.
   */
  async close(graceMs = 10_000): Promise<void> {
    if (this.exitCode === undefined) {
      this.send("control", "shutdown_request", { restart: false });
      const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    this.closed = true;
    for (const socket of [this.shell, this.control, this.iopub]) socket.close();
    await rm(this.scratch, { recursive: true, force: true });
  }
}
