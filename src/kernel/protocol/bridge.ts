// Messages between the protocol thread and the main thread (the evaluator), over the worker's
// MessagePort. Both ends are this package's own code, so these are trusted internal messages;
// the untrusted input (the wire) is validated before anything crosses.
//
//   protocol thread --ToMain-->  main thread: calls into the evaluator, interrupt, shutdown
//   protocol thread <--ToProtocol-- main thread: results, outputs (in emission order), input
//
// Note [sync input]: `prompt()` must block the main thread, which then cannot read its port.
// So a synchronous input request carries a SharedArrayBuffer; the protocol thread writes the
// answer into it and wakes the main thread with Atomics.notify (`writeInputAnswer` /
// `waitInputAnswer`).

import type { ConnectionInfo, Ports } from "./connection.js";
import type { CommInbound, Evaluator, ExecuteOptions, OutputEvent } from "./evaluator.js";
import type { KernelInfoReplyContent } from "./messages.js";

/** Evaluator methods that are plain request/response calls. */
export type CallMethod = "complete" | "inspect" | "isComplete" | "history" | "commInfo";

export type Call = {
  [M in CallMethod]: { kind: "call"; callId: number; method: M; args: Parameters<Evaluator[M]> };
}[CallMethod];

export type ToMain =
  | { kind: "listening"; ports: Ports; session: string }
  | { kind: "failed"; message: string }
  /** The first kernel_info_reply went out: the main thread may start loading the evaluator. */
  | { kind: "kernel_info_replied" }
  | { kind: "execute"; callId: number; code: string; options: ExecuteOptions }
  | { kind: "comm"; callId: number; message: CommInbound }
  | Call
  /** Interrupt the execution `callId` if it is still running (a late interrupt must not hit the next cell). */
  | { kind: "interrupt"; callId: number }
  | { kind: "input_answer"; inputId: number; value: string }
  | { kind: "input_failed"; inputId: number; name: string; message: string }
  | { kind: "shutdown"; restart: boolean };

export type ToProtocol =
  | { kind: "result"; callId: number; value: unknown }
  | { kind: "failure"; callId: number; name: string; message: string }
  /** `callId` null: output outside any request (a timer, a late promise). */
  | { kind: "output"; callId: number | null; event: OutputEvent }
  | { kind: "input"; callId: number; inputId: number; prompt: string; password: boolean; shared: SharedArrayBuffer | null }
  | { kind: "shutdown_done" };

/** Options the protocol thread is started with (its `workerData`). */
export interface ProtocolWorkerData {
  connection: ConnectionInfo;
  kernelInfo: KernelInfoReplyContent;
  /** Send SIGINT to this process on interrupt_request (stops a synchronous loop under vm's breakOnSigint). */
  signalOnInterrupt: boolean;
  /** After shutdown, kill the process if the main thread has not finished within this time. */
  forceExitMs: number;
}

// ---------------------------------------------------------------------------------------------
// Note [sync input]: layout of the shared buffer: Int32 state, Int32 byte length, UTF-8 bytes.

const STATE = 0;
const LENGTH = 1;
const HEADER_BYTES = 8;
const PENDING = 0;
const ANSWERED = 1;
const FAILED = 2;

export const INPUT_BUFFER_BYTES = 1 << 20;

export function newInputBuffer(): SharedArrayBuffer {
  return new SharedArrayBuffer(INPUT_BUFFER_BYTES);
}

/** Protocol thread: store the answer (or the failure's name) and wake the waiting main thread. */
export function writeInputAnswer(shared: SharedArrayBuffer, answer: { value: string } | { error: string }): void {
  const ints = new Int32Array(shared, 0, 2);
  const room = shared.byteLength - HEADER_BYTES;
  const isValue = "value" in answer;
  let bytes = Buffer.from(isValue ? answer.value : answer.error, "utf8");
  let state = isValue ? ANSWERED : FAILED;
  if (bytes.length > room) {
    bytes = Buffer.from(`input longer than ${room} bytes`, "utf8");
    state = FAILED;
  }
  new Uint8Array(shared, HEADER_BYTES, bytes.length).set(bytes);
  Atomics.store(ints, LENGTH, bytes.length);
  Atomics.store(ints, STATE, state);
  Atomics.notify(ints, STATE);
}

/** Main thread: block until the protocol thread has answered. */
export function waitInputAnswer(shared: SharedArrayBuffer): { value: string } | { error: string } {
  const ints = new Int32Array(shared, 0, 2);
  while (Atomics.load(ints, STATE) === PENDING) Atomics.wait(ints, STATE, PENDING);
  const length = Atomics.load(ints, LENGTH);
  const text = Buffer.from(new Uint8Array(shared, HEADER_BYTES, length)).toString("utf8");
  return Atomics.load(ints, STATE) === ANSWERED ? { value: text } : { error: text };
}
