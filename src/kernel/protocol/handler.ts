// The pure message handler: validated requests in, replies and IOPub messages out.
//
// No sockets, threads or clocks here (house style 6): the evaluator and the I/O are injected,
// so the whole request lifecycle is tested with fakes (test/kernel/protocol/handler.test.ts),
// and the same class runs on the protocol thread against the real sockets.
//
// Note [shell is serial, control is not]: shell requests run one at a time in arrival order, as
// every Jupyter frontend expects; control requests (kernel_info, interrupt, shutdown, ...) are
// answered at once, even while a shell request is running, which is what makes interrupt work.
//
// Note [output order]: for each request: `busy`, then everything the evaluator emitted in the
// order it emitted it, then the reply, then `idle`. The I/O flushes coalesced output before a
// reply goes out, so `idle` never overtakes output (Deno's bug, measured in kernel-anchors.md).
//
// Note [stop_on_error]: when an execute with stop_on_error fails, the execute requests already
// queued behind it are answered `aborted` (a "Run all" stops at the failing cell). Requests that
// arrive later run normally: there is no time window of aborts after an error (tslab's 200 ms
// window silently swallowed the next cells).

import { codePointToUtf16, utf16ToCodePoint } from "./cursor.js";
import { execute, type ExecuteContext } from "./execute.js";
import { describeError, InputInterrupted, InputNotAllowed, type Evaluator, type ExecuteSink, type OutputEvent } from "./evaluator.js";
import {
  errorReply,
  NO_REPLY_TYPES,
  type Envelope,
  type Header,
  type InputRequestMessage,
  type IopubMessage,
  type KernelInfoReplyContent,
  type ParentHeader,
  type Reply,
  type Request,
  type RequestOf,
  type RequestType,
} from "./messages.js";
import { toIopub } from "./outputs.js";
import type { Validated } from "./validate.js";

export type RequestChannel = "shell" | "control" | "stdin";

/** Everything the handler does to the outside world. */
export interface HandlerIO {
  /**
   * A reply on shell/control, or an `input_request` on stdin, routed to `identities`. Returns
   * the header it was sent with (an `input_reply` names it as its parent).
   */
  send(channel: RequestChannel, identities: Buffer[], message: Reply | InputRequestMessage, parent: ParentHeader): Header;
  publish(message: IopubMessage, parent: ParentHeader): void;
  /** Called once, after `shutdown_reply` has been handed to `send`. */
  shutdown(restart: boolean): void;
  log(line: string): void;
}

interface QueuedShell {
  message: Validated;
  aborted: boolean;
  done: () => void;
}

interface PendingInput {
  resolve: (value: string) => void;
  reject: (reason: Error) => void;
}

type RequestHandler<K extends RequestType> = (request: RequestOf<K>, channel: RequestChannel) => Promise<Reply | null>;

export class KernelHandler {
  private readonly queue: QueuedShell[] = [];
  private draining = false;
  private closed = false;
  /** Set by shutdown_request: close once its reply and `idle` are out. */
  private shutdownAfterReply: boolean | null = null;
  private readonly inputs = new Map<string, PendingInput>();
  /** The parent of output that arrives outside any request (timers, late promises). */
  private lastParent: ParentHeader = {};
  private readonly counter = { next: 1 };

  constructor(
    private readonly evaluator: Evaluator,
    private readonly io: HandlerIO,
    private readonly kernelInfo: KernelInfoReplyContent,
  ) {}

  /** Handles one message. The promise settles once it is fully answered; it never rejects. */
  receive(channel: RequestChannel, message: Validated): Promise<void> {
    if (this.closed) return Promise.resolve();
    if (channel === "stdin") {
      this.receiveInput(message);
      return Promise.resolve();
    }
    if (channel === "control") return this.dispatch(message, channel);
    return new Promise((done) => {
      this.queue.push({ message, aborted: false, done });
      void this.drain();
    });
  }

  /** Output the evaluator produced outside any request, published under the last request. */
  publishUnsolicited(event: OutputEvent): void {
    this.io.publish(toIopub(event), this.lastParent);
  }

  /** The number the next stored cell gets. */
  get executionCount(): number {
    return this.counter.next;
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    for (let item = this.queue.shift(); item !== undefined; item = this.queue.shift()) {
      if (this.closed) {
        item.done();
        continue;
      }
      if (item.message.kind === "request") this.lastParent = item.message.request.header;
      try {
        if (item.aborted && item.message.kind === "request") await this.abort(item.message.request);
        else await this.dispatch(item.message, "shell");
      } catch (e) {
        // Only a throwing HandlerIO gets here; the queue must keep moving regardless.
        this.io.log(`shell dispatch failed: ${describeError(e).evalue}`);
      } finally {
        item.done();
      }
    }
    this.draining = false;
  }

  private async dispatch(message: Validated, channel: RequestChannel): Promise<void> {
    const envelope: Envelope = message.kind === "request" ? message.request : message.envelope;
    const msgType = message.kind === "request" ? message.request.msg_type : message.msgType;
    this.io.publish({ msg_type: "status", content: { execution_state: "busy" } }, envelope.header);
    let reply: Reply | null;
    try {
      reply = await this.answer(message, channel);
    } catch (e) {
      // A handler bug must not cost the kernel: the request still gets an answer.
      const { ename, evalue } = describeError(e);
      this.io.log(`internal error handling ${msgType}: ${ename}: ${evalue}`);
      reply = NO_REPLY_TYPES.has(msgType) ? null : errorReply(msgType, ename, evalue);
    }
    if (reply !== null) this.io.send(channel, envelope.identities, reply, envelope.header);
    this.io.publish({ msg_type: "status", content: { execution_state: "idle" } }, envelope.header);
    if (this.shutdownAfterReply !== null) this.close(this.shutdownAfterReply);
  }

  private async answer(message: Validated, channel: RequestChannel): Promise<Reply | null> {
    if (message.kind === "unknown") {
      this.io.log(`unknown message type ${JSON.stringify(message.msgType)} on ${channel}`);
      return errorReply(message.msgType, "UnknownMessageType", `the kernel does not handle ${message.msgType}`);
    }
    if (message.kind === "malformed") {
      this.io.log(`malformed ${message.msgType} on ${channel}: ${message.why}`);
      if (NO_REPLY_TYPES.has(message.msgType)) return null;
      return errorReply(message.msgType, "MalformedRequest", message.why);
    }
    const request = message.request;
    const handle = this.handlers[request.msg_type] as RequestHandler<typeof request.msg_type>;
    return handle(request as never, channel);
  }

  private async abort(request: Request): Promise<void> {
    this.io.publish({ msg_type: "status", content: { execution_state: "busy" } }, request.header);
    this.io.send("shell", request.identities, { msg_type: "execute_reply", content: { status: "aborted" } }, request.header);
    this.io.publish({ msg_type: "status", content: { execution_state: "idle" } }, request.header);
  }

  /** Note [stop_on_error]: marks the execute requests queued right now. */
  private abortQueuedExecutes(): void {
    for (const item of this.queue) {
      if (item.message.kind === "request" && item.message.request.msg_type === "execute_request") item.aborted = true;
    }
  }

  private sinkFor(request: Request, allowStdin: boolean): ExecuteSink {
    return {
      emit: (event) => this.io.publish(toIopub(event), request.header),
      input: (prompt, options) => this.requestInput(request, prompt, options?.password ?? false, allowStdin),
    };
  }

  private requestInput(request: Request, prompt: string, password: boolean, allowed: boolean): Promise<string> {
    if (!allowed) return Promise.reject(new InputNotAllowed());
    if (this.closed) return Promise.reject(new InputInterrupted());
    const message: InputRequestMessage = { msg_type: "input_request", content: { prompt, password } };
    return new Promise((resolve, reject) => {
      // The stdin socket routes by the same identity as the client's shell socket (spec).
      const header = this.io.send("stdin", request.identities, message, request.header);
      this.inputs.set(header.msg_id, { resolve, reject });
    });
  }

  private receiveInput(message: Validated): void {
    if (message.kind !== "request" || message.request.msg_type !== "input_reply") {
      this.io.log(`ignored stdin message ${message.kind === "request" ? message.request.msg_type : message.msgType}`);
      return;
    }
    // Replies name the input_request as parent; a lax client that does not is matched to the
    // one outstanding request (there is at most one: shell is serial).
    const parentId = (message.request.parent_header as Partial<Header>).msg_id;
    const key = parentId !== undefined && this.inputs.has(parentId) ? parentId : this.inputs.keys().next().value;
    const pending = key === undefined ? undefined : this.inputs.get(key);
    if (key === undefined || pending === undefined) {
      this.io.log("input_reply with no outstanding input_request dropped");
      return;
    }
    this.inputs.delete(key);
    pending.resolve(message.request.content.value);
  }

  private cancelInputs(): void {
    for (const pending of this.inputs.values()) pending.reject(new InputInterrupted());
    this.inputs.clear();
  }

  private close(restart: boolean): void {
    if (this.closed) return;
    this.closed = true;
    this.cancelInputs();
    for (const item of this.queue.splice(0)) item.done();
    this.io.shutdown(restart);
  }

  private async guarded(request: Request, body: () => Promise<Reply>): Promise<Reply> {
    try {
      return await body();
    } catch (e) {
      const { ename, evalue } = describeError(e);
      return errorReply(request.msg_type, ename, evalue);
    }
  }

  private readonly handlers: { [K in RequestType]: RequestHandler<K> } = {
    execute_request: async (request, channel) => {
      if (channel !== "shell") return errorReply(request.msg_type, "WrongChannel", "execute_request is only accepted on shell");
      const context: ExecuteContext = {
        evaluator: this.evaluator,
        counter: this.counter,
        publish: (message) => this.io.publish(message, request.header),
        sink: this.sinkFor(request, request.content.allow_stdin),
        onStopOnError: () => this.abortQueuedExecutes(),
      };
      return execute(request.content, context);
    },
    kernel_info_request: async () => ({ msg_type: "kernel_info_reply", content: this.kernelInfo }),
    complete_request: (request) =>
      this.guarded(request, async () => {
        const { code, cursor_pos } = request.content;
        const r = await this.evaluator.complete(code, codePointToUtf16(code, cursor_pos));
        const [start, end] = [utf16ToCodePoint(code, r.cursorStart), utf16ToCodePoint(code, r.cursorEnd)];
        const content = { status: "ok" as const, matches: r.matches, cursor_start: start, cursor_end: end, metadata: r.metadata ?? {} };
        return { msg_type: "complete_reply", content };
      }),
    inspect_request: (request) =>
      this.guarded(request, async () => {
        const { code, cursor_pos, detail_level } = request.content;
        const r = await this.evaluator.inspect(code, codePointToUtf16(code, cursor_pos), detail_level);
        const content = r.found
          ? { status: "ok" as const, found: true, data: r.data, metadata: r.metadata ?? {} }
          : { status: "ok" as const, found: false, data: {}, metadata: {} };
        return { msg_type: "inspect_reply", content };
      }),
    is_complete_request: async (request) => {
      try {
        return { msg_type: "is_complete_reply", content: await this.evaluator.isComplete(request.content.code) };
      } catch (e) {
        this.io.log(`is_complete failed: ${describeError(e).evalue}`);
        return { msg_type: "is_complete_reply", content: { status: "unknown" } };
      }
    },
    history_request: (request) =>
      this.guarded(request, async () => ({
        msg_type: "history_reply",
        content: { status: "ok", history: await this.evaluator.history(request.content) },
      })),
    comm_info_request: (request) =>
      this.guarded(request, async () => ({
        msg_type: "comm_info_reply",
        content: { status: "ok", comms: await this.evaluator.commInfo(request.content.target_name) },
      })),
    comm_open: (request) => this.comm(request),
    comm_msg: (request) => this.comm(request),
    comm_close: (request) => this.comm(request),
    shutdown_request: async (request) => {
      this.shutdownAfterReply = request.content.restart;
      return { msg_type: "shutdown_reply", content: { status: "ok", restart: request.content.restart } };
    },
    interrupt_request: async () => {
      this.evaluator.interrupt();
      this.cancelInputs();
      return { msg_type: "interrupt_reply", content: { status: "ok" } };
    },
    input_reply: async (_request, channel) => {
      this.io.log(`input_reply on ${channel} ignored: it belongs on stdin`);
      return null;
    },
  };

  private async comm(request: RequestOf<"comm_open" | "comm_msg" | "comm_close">): Promise<null> {
    const { metadata, buffers } = request;
    const c = request.content;
    const message =
      request.msg_type === "comm_open"
        ? { type: "comm_open" as const, commId: c.comm_id, targetName: request.content.target_name, data: c.data, metadata, buffers, ...(request.content.target_module === undefined ? {} : { targetModule: request.content.target_module }) }
        : { type: request.msg_type, commId: c.comm_id, data: c.data, metadata, buffers };
    try {
      await this.evaluator.comm(message, this.sinkFor(request, false));
    } catch (e) {
      const { ename, evalue } = describeError(e);
      this.io.log(`${request.msg_type} ${c.comm_id} failed: ${ename}: ${evalue}`);
    }
    return null;
  }
}
