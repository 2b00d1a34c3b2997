/**
 * Comms (Jupyter's widget channel) on the kernel side, as ipykernel's CommManager: targets the
 * frontend may open comms to, comms the kernel opens, and messages both ways.
 *
 * Kernel → frontend messages travel as OutputEvents through a sink. Note [comm output]: a comm
 * message has a parent like any IOPub message. While a frontend comm message is being handled,
 * replies go through that message's sink; otherwise they go through the sink the evaluator set
 * with `setOutput` (the running, or last, execute request), as ipykernel sends them with the
 * current parent header.
 */
import { randomUUID } from "node:crypto";
import type { CommInbound, OutputEvent } from "../protocol/evaluator.js";
import type { JsonObject } from "../protocol/messages.js";

/** Where comm messages to the frontend go (an ExecuteSink is one). */
export interface CommSink {
  emit(event: OutputEvent): void;
}

/** A message from the frontend on an open comm. */
export interface CommMessage {
  commId: string;
  data: JsonObject;
  metadata: JsonObject;
  buffers: Uint8Array[];
}

export type CommOpenMessage = Extract<CommInbound, { type: "comm_open" }>;

export type CommTargetHandler = (comm: Comm, openMessage: CommOpenMessage) => void | Promise<void>;

export class Comm {
  private msgCallback: ((msg: CommMessage) => void | Promise<void>) | undefined;
  private closeCallback: ((msg: CommMessage) => void | Promise<void>) | undefined;
  private isClosed = false;

  constructor(
    private readonly manager: CommManager,
    readonly comm_id: string,
    readonly target_name: string,
  ) {}

  get closed(): boolean {
    return this.isClosed;
  }

  /** comm_msg to the frontend. */
  send(data: JsonObject = {}, metadata?: JsonObject, buffers?: Uint8Array[]): void {
    if (this.isClosed) throw new Error(`comm ${this.comm_id} (target '${this.target_name}') is closed: cannot send`);
    this.manager.emit({ type: "comm_msg", commId: this.comm_id, data, ...opt("metadata", metadata), ...opt("buffers", buffers) });
  }

  /** comm_close to the frontend; closing twice does nothing (as ipykernel). */
  close(data: JsonObject = {}, metadata?: JsonObject, buffers?: Uint8Array[]): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.manager.unregister(this);
    this.manager.emit({ type: "comm_close", commId: this.comm_id, data, ...opt("metadata", metadata), ...opt("buffers", buffers) });
  }

  /** Called for each comm_msg from the frontend (replaces the previous callback). */
  onMsg(callback: ((msg: CommMessage) => void | Promise<void>) | undefined): void {
    this.msgCallback = callback;
  }

  /** Called when the frontend closes the comm. */
  onClose(callback: ((msg: CommMessage) => void | Promise<void>) | undefined): void {
    this.closeCallback = callback;
  }

  /** @internal the frontend sent comm_msg */
  async handleMsg(msg: CommMessage): Promise<void> {
    await this.msgCallback?.(msg);
  }

  /** @internal the frontend sent comm_close */
  async handleClose(msg: CommMessage): Promise<void> {
    this.isClosed = true;
    await this.closeCallback?.(msg);
  }
}

function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

export class CommManager {
  private readonly targets = new Map<string, CommTargetHandler>();
  private readonly comms = new Map<string, Comm>();
  private output: CommSink | undefined;
  private readonly log: (line: string) => void;

  /** `log` receives what ipykernel logs (unknown targets, failing callbacks): the kernel's stderr by default. */
  constructor(opts: { log?: (line: string) => void } = {}) {
    this.log = opts.log ?? ((line) => void process.stderr.write(`[tsjit comms] ${line}\n`));
  }

  /** The sink for kernel-initiated messages (Note [comm output]). */
  setOutput(sink: CommSink | undefined): void {
    this.output = sink;
  }

  registerTarget(targetName: string, handler: CommTargetHandler): void {
    this.targets.set(targetName, handler);
  }

  unregisterTarget(targetName: string): void {
    this.targets.delete(targetName);
  }

  /** Opens a comm from the kernel side (comm_open to the frontend). */
  open(targetName: string, data: JsonObject = {}, metadata?: JsonObject, opts: { buffers?: Uint8Array[]; targetModule?: string; commId?: string } = {}): Comm {
    const comm = new Comm(this, opts.commId ?? newCommId(), targetName);
    this.emit({
      type: "comm_open", commId: comm.comm_id, targetName, data,
      ...opt("targetModule", opts.targetModule), ...opt("metadata", metadata), ...opt("buffers", opts.buffers),
    });
    this.comms.set(comm.comm_id, comm);
    return comm;
  }

  /** Open comms, optionally of one target: comm_info_reply's `comms`. */
  commInfo(targetName?: string): { [commId: string]: { target_name: string } } {
    const out: { [commId: string]: { target_name: string } } = {};
    for (const [id, comm] of this.comms) {
      if (targetName === undefined || comm.target_name === targetName) out[id] = { target_name: comm.target_name };
    }
    return out;
  }

  get(commId: string): Comm | undefined {
    return this.comms.get(commId);
  }

  /** A frontend comm_open / comm_msg / comm_close; replies go through `sink`. */
  async handle(message: CommInbound, sink: CommSink): Promise<void> {
    const previous = this.output;
    this.output = sink;
    try {
      await this.dispatch(message);
    } finally {
      if (this.output === sink) this.output = previous;
    }
  }

  private async dispatch(message: CommInbound): Promise<void> {
    const msg: CommMessage = { commId: message.commId, data: message.data, metadata: message.metadata, buffers: message.buffers };
    if (message.type === "comm_open") {
      const comm = new Comm(this, message.commId, message.targetName);
      this.comms.set(comm.comm_id, comm);
      const handler = this.targets.get(message.targetName);
      if (handler === undefined) {
        this.log(`No such comm target registered: ${message.targetName}`);
      } else {
        try {
          await handler(comm, message);
          return;
        } catch (e) {
          this.log(`Exception opening comm with target: ${message.targetName}: ${describe(e)}`);
        }
      }
      // Failure: tell the frontend, as ipykernel does, so it does not wait on a dead comm.
      comm.close();
      return;
    }
    const comm = this.comms.get(message.commId);
    if (comm === undefined) {
      this.log(`No such comm: ${message.commId} (${message.type} ignored)`);
      return;
    }
    try {
      if (message.type === "comm_msg") {
        await comm.handleMsg(msg);
      } else {
        this.comms.delete(comm.comm_id);
        await comm.handleClose(msg);
      }
    } catch (e) {
      this.log(`Exception in ${message.type} for ${message.commId}: ${describe(e)}`);
    }
  }

  /** @internal */
  unregister(comm: Comm): void {
    this.comms.delete(comm.comm_id);
  }

  /** @internal */
  emit(event: OutputEvent): void {
    if (this.output === undefined) {
      throw new Error("comms: no output channel yet: kernel-side comm messages can be sent once the kernel is handling a request");
    }
    this.output.emit(event);
  }
}

function newCommId(): string {
  return randomUUID().replace(/-/g, "");
}

function describe(e: unknown): string {
  return e instanceof Error ? (e.stack ?? `${e.name}: ${e.message}`) : String(e);
}
