// The Evaluator as seen from the protocol thread: every call is a message to the main thread,
// every answer a message back (bridge.ts). The handler cannot tell it from a local evaluator.
//
// Interrupt is the one call that must not wait for the main thread, which may be spinning in a
// synchronous loop: it posts a message (for a pending await) and raises SIGINT (vm's
// breakOnSigint stops a synchronous loop); see host.ts for the main-thread side.

import { writeInputAnswer, type CallMethod, type ToMain, type ToProtocol } from "./bridge.js";
import type { CommInbound, Evaluator, ExecuteOptions, ExecuteOutcome, ExecuteSink, OutputEvent } from "./evaluator.js";

interface PendingCall {
  resolve: (value: unknown) => void;
  reject: (reason: Error) => void;
  sink: ExecuteSink | null;
}

class RemoteError extends Error {
  constructor(name: string, message: string) {
    super(message);
    this.name = name;
  }
}

export class RemoteEvaluator implements Evaluator {
  private nextCallId = 1;
  private readonly calls = new Map<number, PendingCall>();
  private running: number | null = null;

  constructor(
    private readonly post: (message: ToMain) => void,
    /** Raises SIGINT in this process (or does nothing, where signals are not wanted). */
    private readonly raiseSigint: () => void,
    private readonly unsolicited: (event: OutputEvent) => void,
    private readonly log: (line: string) => void,
  ) {}

  /** True while an execute is in flight on the main thread. */
  get busy(): boolean {
    return this.running !== null;
  }

  execute(code: string, options: ExecuteOptions, sink: ExecuteSink): Promise<ExecuteOutcome> {
    const callId = this.nextCallId++;
    this.running = callId;
    const done = this.track<ExecuteOutcome>(callId, sink);
    this.post({ kind: "execute", callId, code, options });
    return done.finally(() => {
      if (this.running === callId) this.running = null;
    });
  }

  comm(message: CommInbound, sink: ExecuteSink): Promise<void> {
    const callId = this.nextCallId++;
    const done = this.track<void>(callId, sink);
    this.post({ kind: "comm", callId, message });
    return done;
  }

  complete(...args: Parameters<Evaluator["complete"]>): ReturnType<Evaluator["complete"]> {
    return this.call("complete", args);
  }

  inspect(...args: Parameters<Evaluator["inspect"]>): ReturnType<Evaluator["inspect"]> {
    return this.call("inspect", args);
  }

  isComplete(...args: Parameters<Evaluator["isComplete"]>): ReturnType<Evaluator["isComplete"]> {
    return this.call("isComplete", args);
  }

  history(...args: Parameters<Evaluator["history"]>): ReturnType<Evaluator["history"]> {
    return this.call("history", args);
  }

  commInfo(...args: Parameters<Evaluator["commInfo"]>): ReturnType<Evaluator["commInfo"]> {
    return this.call("commInfo", args);
  }

  interrupt(): void {
    if (this.running === null) return;
    this.post({ kind: "interrupt", callId: this.running });
    this.raiseSigint();
  }

  /** Shutdown is driven by the protocol thread (protocol_server.ts), not called through here. */
  async shutdown(): Promise<void> {}

  /** Fails every call in flight: the main thread is gone or the kernel is stopping. */
  abandon(reason: string): void {
    for (const call of this.calls.values()) call.reject(new RemoteError("KernelStopping", reason));
    this.calls.clear();
    this.running = null;
  }

  /** A message from the main thread. */
  receive(message: ToProtocol): void {
    switch (message.kind) {
      case "result":
      case "failure": {
        const call = this.calls.get(message.callId);
        this.calls.delete(message.callId);
        if (call === undefined) return this.log(`answer to unknown call ${message.callId} dropped`);
        if (message.kind === "result") call.resolve(message.value);
        else call.reject(new RemoteError(message.name, message.message));
        return;
      }
      case "output": {
        const sink = message.callId === null ? null : this.calls.get(message.callId)?.sink;
        if (sink) sink.emit(message.event);
        else this.unsolicited(message.event); // a late write from a finished request
        return;
      }
      case "input":
        return this.input(message);
      case "shutdown_done":
        return;
    }
  }

  private input(message: Extract<ToProtocol, { kind: "input" }>): void {
    const { inputId, shared } = message;
    const sink = this.calls.get(message.callId)?.sink;
    const answered = sink
      ? sink.input(message.prompt, { password: message.password })
      : Promise.reject(new RemoteError("StdinNotImplementedError", "input requested outside a request"));
    answered.then(
      (value) => (shared ? writeInputAnswer(shared, { value }) : this.post({ kind: "input_answer", inputId, value })),
      (e: unknown) => {
        const name = e instanceof Error ? e.name : "Error";
        const text = e instanceof Error ? e.message : String(e);
        if (shared) writeInputAnswer(shared, { error: `${name}: ${text}` });
        else this.post({ kind: "input_failed", inputId, name, message: text });
      },
    );
  }

  private track<T>(callId: number, sink: ExecuteSink | null): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      // The main thread answers a call with that method's own return type (same code both ends).
      this.calls.set(callId, { resolve: resolve as (value: unknown) => void, reject, sink });
    });
  }

  private call<M extends CallMethod>(method: M, args: Parameters<Evaluator[M]>): ReturnType<Evaluator[M]> {
    const callId = this.nextCallId++;
    const done = this.track<Awaited<ReturnType<Evaluator[M]>>>(callId, null);
    this.post({ kind: "call", callId, method, args } as ToMain);
    return done as ReturnType<Evaluator[M]>;
  }
}
