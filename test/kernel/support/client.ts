// A small Jupyter client over real ZeroMQ, for tests: DEALER sockets for shell/control/stdin
// (one routing identity, as jupyter_client does, so stdin requests find us), SUB for iopub,
// REQ for the heartbeat. Messages are signed with the kernel's own wire.ts; the golden-frame
// tests (wire.test.ts) pin that code to independently computed HMACs, so a symmetric bug in
// signing cannot hide here.

import { randomUUID } from "node:crypto";
import * as zmq from "zeromq";
import type { ConnectionInfo } from "../../../src/kernel/protocol/connection.js";
import { endpoint } from "../../../src/kernel/protocol/connection.js";
import type { Header, JsonObject } from "../../../src/kernel/protocol/messages.js";
import { decode, encode, Signer, type RawMessage } from "../../../src/kernel/protocol/wire.js";

export type ClientChannel = "shell" | "control" | "stdin";

interface Waiter {
  match: (m: RawMessage) => boolean;
  resolve: (m: RawMessage) => void;
}

/** Messages of one channel as they arrive, with waiters for the ones not yet here. */
class Inbox {
  readonly all: RawMessage[] = [];
  private waiters: Waiter[] = [];

  push(message: RawMessage): void {
    this.all.push(message);
    const waiter = this.waiters.find((w) => w.match(message));
    if (waiter !== undefined) {
      this.waiters = this.waiters.filter((w) => w !== waiter);
      waiter.resolve(message);
    }
  }

  next(match: (m: RawMessage) => boolean, timeoutMs: number, what: string): Promise<RawMessage> {
    const found = this.all.find(match);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}`));
      }, timeoutMs);
      const done = (m: RawMessage): void => {
        clearTimeout(timer);
        resolve(m);
      };
      this.waiters.push({ match, resolve: done });
    });
  }
}

export const parentId = (m: RawMessage): string | undefined => (m.parent_header as Partial<Header>).msg_id;

export class TestClient {
  readonly session = randomUUID();
  readonly signer: Signer;
  readonly inbox: Record<ClientChannel | "iopub", Inbox> = { shell: new Inbox(), control: new Inbox(), stdin: new Inbox(), iopub: new Inbox() };
  /** Frames that failed to decode (a kernel signing bug would land here). */
  readonly undecodable: string[] = [];
  private readonly dealers: Record<ClientChannel, zmq.Dealer>;
  private readonly iopub = new zmq.Subscriber({ receiveHighWaterMark: 0 });
  private readonly hb = new zmq.Request({ receiveTimeout: 2000, sendTimeout: 2000 });
  private closed = false;

  constructor(readonly connection: ConnectionInfo) {
    this.signer = new Signer(connection.key, connection.signatureScheme);
    const routingId = `client-${this.session}`;
    this.dealers = {
      shell: new zmq.Dealer({ routingId, linger: 0 }),
      control: new zmq.Dealer({ routingId, linger: 0 }),
      stdin: new zmq.Dealer({ routingId, linger: 0 }),
    };
    for (const channel of ["shell", "control", "stdin"] as const) {
      this.dealers[channel].connect(endpoint(connection, channel));
      void this.receive(channel, this.dealers[channel]);
    }
    this.iopub.linger = 0;
    this.iopub.subscribe("");
    this.iopub.connect(endpoint(connection, "iopub"));
    void this.receive("iopub", this.iopub);
    this.hb.linger = 0;
    this.hb.connect(endpoint(connection, "hb"));
  }

  /** Connects and waits until IOPub is live (a SUB socket misses what is published before it joins). */
  static async connect(connection: ConnectionInfo, timeoutMs = 5000): Promise<TestClient> {
    const client = new TestClient(connection);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const header = client.send("shell", "kernel_info_request", {});
      const ok = await client.inbox.iopub.next((m) => parentId(m) === header.msg_id, 200, "iopub").then(
        () => true,
        () => false,
      );
      if (ok) return client;
      if (Date.now() > deadline) throw new Error("iopub never became live");
    }
  }

  header(msgType: string): Header {
    return { msg_id: randomUUID(), session: this.session, username: "test", date: new Date().toISOString(), msg_type: msgType, version: "5.3" };
  }

  /** Builds signed frames (no identities: a DEALER adds its own). */
  frames(msgType: string, content: unknown, options: { parent?: Header; metadata?: JsonObject } = {}): { header: Header; frames: Buffer[] } {
    const header = this.header(msgType);
    const frames = encode(this.signer, [], header, options.parent ?? {}, { content: content as never, metadata: options.metadata ?? {} });
    return { header, frames };
  }

  send(channel: ClientChannel, msgType: string, content: unknown, options: { parent?: Header } = {}): Header {
    const { header, frames } = this.frames(msgType, content, options);
    this.sendRaw(channel, frames);
    return header;
  }

  /**
   * zeromq refuses a send while another is in flight on the same socket, so each channel's sends
   * are chained; a failed send is kept and rethrown by the next `request`/`reply` instead of
   * turning into a missing reply.
   */
  sendRaw(channel: ClientChannel, frames: Array<Buffer | string>): void {
    this.sending[channel] = this.sending[channel]
      .then(() => this.dealers[channel].send(frames))
      .catch((e: unknown) => {
        this.sendErrors.push(e);
      });
  }

  private readonly sending: Record<ClientChannel, Promise<void>> = { shell: Promise.resolve(), control: Promise.resolve(), stdin: Promise.resolve() };
  private readonly sendErrors: unknown[] = [];

  private throwSendError(): void {
    const e = this.sendErrors.shift();
    if (e !== undefined) throw e instanceof Error ? e : new Error(String(e));
  }

  reply(channel: ClientChannel, requestId: string, timeoutMs = 5000): Promise<RawMessage> {
    this.throwSendError();
    return this.inbox[channel].next((m) => parentId(m) === requestId, timeoutMs, `${channel} reply to ${requestId}`);
  }

  async request(channel: ClientChannel, msgType: string, content: unknown, timeoutMs = 5000): Promise<RawMessage> {
    const header = this.send(channel, msgType, content);
    return this.reply(channel, header.msg_id, timeoutMs);
  }

  /** Every IOPub message of one request, up to and including its `idle`. */
  async outputs(requestId: string, timeoutMs = 5000): Promise<RawMessage[]> {
    const isIdle = (m: RawMessage): boolean =>
      parentId(m) === requestId && m.header.msg_type === "status" && (m.content as { execution_state?: string }).execution_state === "idle";
    await this.inbox.iopub.next(isIdle, timeoutMs, `idle for ${requestId}`);
    return this.inbox.iopub.all.filter((m) => parentId(m) === requestId);
  }

  /** One heartbeat round trip; returns its duration in ms. */
  async ping(payload = "ping"): Promise<number> {
    const start = performance.now();
    await this.hb.send(payload);
    const [echo] = await this.hb.receive();
    if (echo?.toString() !== payload) throw new Error(`heartbeat echoed ${String(echo)}`);
    return performance.now() - start;
  }

  close(): void {
    this.closed = true;
    for (const s of [...Object.values(this.dealers), this.iopub, this.hb]) s.close();
  }

  private async receive(channel: ClientChannel | "iopub", socket: zmq.Dealer | zmq.Subscriber): Promise<void> {
    try {
      for await (const frames of socket) {
        const decoded = decode(frames, this.signer);
        if (decoded.ok) this.inbox[channel].push(decoded.message);
        else this.undecodable.push(`${channel}: ${decoded.reason}`);
      }
    } catch (e) {
      if (!this.closed) this.undecodable.push(`${channel}: receive failed: ${(e as Error).message}`);
    }
  }
}
