// One code cell through the kernel: execute_request on shell, IOPub messages turned into nbformat
// outputs as they arrive (as nbclient does), until the reply and the request's `idle` are both in.

import type { RawMessage } from "../kernel/protocol/wire.js";
import type { Header } from "../kernel/protocol/messages.js";
import { KernelSessionError, type KernelSession } from "./kernel_session.js";
import type { JsonObject, Output } from "./notebook.js";

/** How long an interrupted cell gets to stop before the run gives up on it. */
const INTERRUPT_GRACE_MS = 15_000;

export type CellResult =
  | { status: "ok"; executionCount: number | null; outputs: Output[] }
  | { status: "error"; executionCount: number | null; outputs: Output[]; ename: string; evalue: string };

/** Called with each output as it is added, so the terminal shows progress while a long cell runs. */
export type OutputListener = (output: Output) => void;

const parentId = (m: RawMessage): string | undefined => (m.parent_header as Partial<Header>).msg_id;

function asObject(value: unknown): JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value) ? (value as JsonObject) : {};
}

/**
 * The outputs of one cell, kept as nbformat stores them: consecutive writes to the same stream
 * are one output (nbconvert's coalesce_streams), `clear_output(wait)` clears when the next
 * output arrives, `update_display_data` rewrites every output with that display id.
 */
class OutputCollector {
  readonly outputs: Output[] = [];
  private readonly displayIds = new Map<Output, string>();
  private clearPending = false;

  constructor(private readonly onOutput: OutputListener) {}

  add(output: Output, displayId?: string): void {
    if (this.clearPending) this.clear();
    const last = this.outputs.at(-1);
    if (output.output_type === "stream" && last?.output_type === "stream" && last.name === output.name) {
      last.text += output.text;
    } else {
      this.outputs.push(output);
      if (displayId !== undefined) this.displayIds.set(output, displayId);
    }
    this.onOutput(output);
  }

  update(displayId: string, data: JsonObject, metadata: JsonObject): void {
    for (const [output, id] of this.displayIds) {
      if (id === displayId && (output.output_type === "display_data" || output.output_type === "execute_result")) {
        output.data = data;
        output.metadata = metadata;
      }
    }
  }

  clearOutput(wait: boolean): void {
    if (wait) this.clearPending = true;
    else this.clear();
  }

  private clear(): void {
    this.outputs.length = 0;
    this.displayIds.clear();
    this.clearPending = false;
  }

  /** The count execute_input announced: an interrupted cell keeps its number even without a reply. */
  announcedCount: number | null = null;

  /** One IOPub message of this request; status carries no output. */
  take(m: RawMessage): void {
    const c = asObject(m.content);
    const displayId = asObject(c["transient"])["display_id"];
    switch (m.header.msg_type) {
      case "execute_input":
        this.announcedCount = typeof c["execution_count"] === "number" ? c["execution_count"] : null;
        return;
      case "stream":
        return this.add({ output_type: "stream", name: String(c["name"]), text: String(c["text"]) });
      case "display_data":
        return this.add({ output_type: "display_data", data: asObject(c["data"]), metadata: asObject(c["metadata"]) }, typeof displayId === "string" ? displayId : undefined);
      case "update_display_data":
        if (typeof displayId === "string") this.update(displayId, asObject(c["data"]), asObject(c["metadata"]));
        return;
      case "execute_result":
        return this.add({ output_type: "execute_result", execution_count: typeof c["execution_count"] === "number" ? c["execution_count"] : null, data: asObject(c["data"]), metadata: asObject(c["metadata"]) });
      case "error":
        return this.add({ output_type: "error", ename: String(c["ename"]), evalue: String(c["evalue"]), traceback: Array.isArray(c["traceback"]) ? c["traceback"].map(String) : [] });
      case "clear_output":
        return this.clearOutput(c["wait"] === true);
    }
  }
}

/**
 * Executes `code` and resolves when the kernel is idle again. A cell still running after
 * `timeoutMs` is interrupted and reported as a TimeoutError (the kernel's own interrupt error,
 * if it sends one, is kept in the outputs).
 */
export async function executeCell(kernel: KernelSession, code: string, timeoutMs: number, onOutput: OutputListener): Promise<CellResult> {
  const collector = new OutputCollector(onOutput);
  let requestId = "";
  // Registered before the request is sent; replies arrive asynchronously, so none is missed.
  const stop = kernel.listen((m) => {
    if (parentId(m) === requestId && m.header.msg_type !== "execute_reply") collector.take(m);
  });
  const isIdle = (m: RawMessage): boolean => parentId(m) === requestId && m.header.msg_type === "status" && asObject(m.content)["execution_state"] === "idle";
  try {
    const header = kernel.send("shell", "execute_request", { code, silent: false, store_history: true, user_expressions: {}, allow_stdin: false, stop_on_error: true });
    requestId = header.msg_id;
    // Both waits start now, so neither the reply nor `idle` can arrive unobserved.
    const replyPromise = kernel.nextMessage((m) => parentId(m) === requestId && m.header.msg_type === "execute_reply", timeoutMs);
    const idlePromise = kernel.nextMessage(isIdle, timeoutMs + INTERRUPT_GRACE_MS);
    idlePromise.catch(() => undefined); // awaited below, or abandoned after a timeout
    let reply: RawMessage;
    try {
      reply = await replyPromise;
    } catch (e) {
      if (!(e instanceof KernelSessionError) || e.reason !== "timeout") throw e;
      kernel.interrupt();
      const stopped = await idlePromise.then(() => true, () => false);
      const evalue = `the cell did not finish within ${timeoutMs / 1000} s (--timeout) and was interrupted${stopped ? "" : "; the kernel did not stop"}`;
      return { status: "error", executionCount: collector.announcedCount, outputs: collector.outputs, ename: "TimeoutError", evalue };
    }
    await idlePromise;
    const content = asObject(reply.content);
    const executionCount = typeof content["execution_count"] === "number" ? content["execution_count"] : null;
    if (content["status"] === "ok") return { status: "ok", executionCount, outputs: collector.outputs };
    const ename = content["status"] === "aborted" ? "Aborted" : String(content["ename"]);
    const evalue = content["status"] === "aborted" ? "the kernel aborted the execution" : String(content["evalue"]);
    return { status: "error", executionCount, outputs: collector.outputs, ename, evalue };
  } finally {
    stop();
  }
}
