// The contract between the protocol and the evaluator (TypeScript cells, magics, display, comms).
//
// The protocol side (handler.ts, on the protocol thread) calls an `Evaluator`; the real one
// lives on the main thread and is reached through the bridge (host.ts ↔ remote_evaluator.ts),
// with the same interface, so the handler is tested with an in-process fake.
//
// Outputs are data (`OutputEvent`), not callbacks per kind, so they cross the thread boundary
// as they are and keep their order: the protocol publishes them in the order they were emitted,
// then the reply, then `idle` (Note [output order] in handler.ts).

import type { HistoryRequestContent, HistoryTuple, JsonObject, MimeBundle, StreamName } from "./messages.js";

/** Something the evaluator publishes on IOPub. Comm events go kernel → frontend. */
export type OutputEvent =
  | { type: "stream"; name: StreamName; text: string }
  | { type: "display_data"; data: MimeBundle; metadata?: JsonObject; displayId?: string }
  | { type: "update_display_data"; data: MimeBundle; metadata?: JsonObject; displayId: string }
  | { type: "clear_output"; wait: boolean }
  | { type: "comm_open"; commId: string; targetName: string; data: JsonObject; targetModule?: string; metadata?: JsonObject; buffers?: Uint8Array[] }
  | { type: "comm_msg"; commId: string; data: JsonObject; metadata?: JsonObject; buffers?: Uint8Array[] }
  | { type: "comm_close"; commId: string; data: JsonObject; metadata?: JsonObject; buffers?: Uint8Array[] };

/** Where a running request sends its output. */
export interface ExecuteSink {
  emit(event: OutputEvent): void;
  /**
   * Asks the frontend for a line of input (`input_request` on stdin). Rejects with an
   * `InputNotAllowed` error when the request said `allow_stdin: false`, and when interrupted.
   */
  input(prompt: string, options?: { password?: boolean }): Promise<string>;
}

/**
 * The main-thread sink adds a synchronous `input`, for `prompt()`: the main thread blocks on a
 * shared buffer (Atomics.wait) while the protocol thread waits for `input_reply`.
 */
export interface MainThreadSink extends ExecuteSink {
  inputSync(prompt: string, options?: { password?: boolean }): string;
}

export interface ExecuteOptions {
  /** The number this cell shows (`In [n]`), already counted by the protocol. */
  executionCount: number;
  silent: boolean;
  storeHistory: boolean;
  userExpressions: { [name: string]: string };
  allowStdin: boolean;
  stopOnError: boolean;
}

export type UserExpressionResult =
  | { status: "ok"; data: MimeBundle; metadata: JsonObject }
  | { status: "error"; ename: string; evalue: string; traceback: string[] };

/**
 * How a cell ended. `result` is the last expression's MIME bundle (`execute_result`; omitted
 * when the value is undefined or the request is silent). An interrupted cell is an error whose
 * ename the evaluator chooses (IPython says "KeyboardInterrupt").
 */
export type ExecuteOutcome =
  | { status: "ok"; result?: { data: MimeBundle; metadata?: JsonObject }; userExpressions?: { [name: string]: UserExpressionResult } }
  | { status: "error"; ename: string; evalue: string; traceback: string[] };

/** Positions here are UTF-16 string indices; the handler converts the protocol's code points. */
export interface CompleteResult {
  matches: string[];
  cursorStart: number;
  cursorEnd: number;
  metadata?: JsonObject;
}

export type InspectResult = { found: false } | { found: true; data: MimeBundle; metadata?: JsonObject };

export type IsCompleteResult = { status: "complete" | "invalid" | "unknown" } | { status: "incomplete"; indent: string };

/** A comm message from the frontend (shell `comm_open`/`comm_msg`/`comm_close`; no reply). */
export type CommInbound =
  | { type: "comm_open"; commId: string; targetName: string; data: JsonObject; targetModule?: string; metadata: JsonObject; buffers: Uint8Array[] }
  | { type: "comm_msg"; commId: string; data: JsonObject; metadata: JsonObject; buffers: Uint8Array[] }
  | { type: "comm_close"; commId: string; data: JsonObject; metadata: JsonObject; buffers: Uint8Array[] };

export type HistoryQuery = HistoryRequestContent;

/**
 * What the protocol needs from the language side. Every method may reject: the handler turns a
 * rejection into an error reply (the kernel stays up). `S` is the sink type: the main thread
 * gets `MainThreadSink` (with `inputSync`).
 */
export interface Evaluator<S extends ExecuteSink = ExecuteSink> {
  execute(code: string, options: ExecuteOptions, sink: S): Promise<ExecuteOutcome>;
  /** `cursorPos` is a UTF-16 index into `code` (a JS string index), as is the result's range. */
  complete(code: string, cursorPos: number): Promise<CompleteResult>;
  inspect(code: string, cursorPos: number, detailLevel: 0 | 1): Promise<InspectResult>;
  isComplete(code: string): Promise<IsCompleteResult>;
  history(query: HistoryQuery): Promise<HistoryTuple[]>;
  /** Open comms, optionally only those of one target: `{comm_id: {target_name}}`. */
  commInfo(targetName?: string): Promise<{ [commId: string]: { target_name: string } }>;
  /** A frontend comm message; replies to it go through `sink` (their parent is that message). */
  comm(message: CommInbound, sink: S): Promise<void>;
  /**
   * Stop what is running: cancel a pending await. (A synchronous loop is stopped by SIGINT via
   * `vm`'s `breakOnSigint`; the protocol thread sends it.) Must be a no-op when idle.
   */
  interrupt(): void;
  /** Release resources before the process exits (or restarts). */
  shutdown(restart: boolean): Promise<void>;
}

export type MainThreadEvaluator = Evaluator<MainThreadSink>;

/** Thrown by `input()` when the frontend cannot take input (IPython's StdinNotImplementedError). */
export class InputNotAllowed extends Error {
  override name = "StdinNotImplementedError";
  constructor() {
    super("input was requested, but this frontend does not support input requests");
  }
}

/** Rejection value for an `input()` cut short by an interrupt or shutdown. */
export class InputInterrupted extends Error {
  override name = "KeyboardInterrupt";
  constructor() {
    super("input interrupted");
  }
}

/** A JSON-safe form of anything thrown, for error replies. */
export function describeError(e: unknown): { ename: string; evalue: string } {
  if (e instanceof Error) return { ename: e.name, evalue: e.message };
  if (typeof e === "string") return { ename: "Error", evalue: e };
  try {
    return { ename: "Error", evalue: JSON.stringify(e) ?? String(e) };
  } catch {
    // Circular, BigInt, or an object whose toString throws: this never throws.
    return { ename: "Error", evalue: Object.prototype.toString.call(e) };
  }
}
