// The kernel's five ZeroMQ sockets (zeromq 6): shell, control and stdin ROUTER, iopub PUB,
// heartbeat REP. Frames in, frames out; no protocol knowledge beyond the heartbeat echo.
//
// Sends go through one queue per socket, so messages leave in the order they were handed over
// (zeromq.js allows one pending send per socket) and nothing is dropped: IOPub's high water mark
// is lifted (a PUB socket silently drops past it; 20,000 lines must all arrive).

import * as zmq from "zeromq";
import { endpoint, portOf, type ConnectionInfo, type Ports } from "./connection.js";

export type RouterChannel = "shell" | "control" | "stdin";
export type SendChannel = RouterChannel | "iopub";

/** Milliseconds a closing socket keeps trying to deliver queued messages. */
const LINGER_MS = 1000;

class SendQueue {
  private tail: Promise<void> = Promise.resolve();

  constructor(
    private readonly socket: zmq.Writable,
    private readonly onError: (e: unknown) => void,
  ) {}

  push(frames: Buffer[]): void {
    this.tail = this.tail.then(() => this.socket.send(frames)).catch(this.onError);
  }

  /** Resolves once everything pushed so far has been handed to ZeroMQ. */
  drained(): Promise<void> {
    return this.tail;
  }
}

export class KernelSockets {
  private readonly queues: Record<SendChannel, SendQueue>;
  private closed = false;

  private constructor(
    private readonly routers: Record<RouterChannel, zmq.Router>,
    private readonly iopub: zmq.Publisher,
    private readonly heartbeat: zmq.Reply,
    /** The ports actually bound (port 0 in the connection file means "any free port"). */
    readonly ports: Ports,
    private readonly log: (line: string) => void,
  ) {
    const onError = (e: unknown): void => {
      if (!this.closed) this.log(`send failed: ${(e as Error).message}`);
    };
    this.queues = {
      shell: new SendQueue(routers.shell, onError),
      control: new SendQueue(routers.control, onError),
      stdin: new SendQueue(routers.stdin, onError),
      iopub: new SendQueue(iopub, onError),
    };
  }

  /** Binds every socket of the connection. @throws when an address is taken or invalid. */
  static async bind(info: ConnectionInfo, log: (line: string) => void): Promise<KernelSockets> {
    const routers = { shell: new zmq.Router(), control: new zmq.Router(), stdin: new zmq.Router() };
    const iopub = new zmq.Publisher({ sendHighWaterMark: 0 });
    const heartbeat = new zmq.Reply();
    const all: zmq.Socket[] = [routers.shell, routers.control, routers.stdin, iopub, heartbeat];
    for (const socket of all) socket.linger = LINGER_MS;
    try {
      const bound = async (socket: zmq.Socket, channel: keyof Ports): Promise<number> => {
        await socket.bind(endpoint(info, channel));
        return info.transport === "tcp" ? portOf(socket.lastEndpoint ?? "") : info.ports[channel];
      };
      const ports: Ports = {
        shell: await bound(routers.shell, "shell"),
        control: await bound(routers.control, "control"),
        stdin: await bound(routers.stdin, "stdin"),
        iopub: await bound(iopub, "iopub"),
        hb: await bound(heartbeat, "hb"),
      };
      return new KernelSockets(routers, iopub, heartbeat, ports, log);
    } catch (e) {
      for (const socket of all) socket.close();
      throw e;
    }
  }

  /** Starts the receive loops and the heartbeat echo. */
  start(onMessage: (channel: RouterChannel, frames: Buffer[]) => void): void {
    for (const channel of ["shell", "control", "stdin"] as const) void this.receiveLoop(channel, onMessage);
    void this.echoLoop();
  }

  send(channel: SendChannel, frames: Buffer[]): void {
    if (this.closed) return;
    this.queues[channel].push(frames);
  }

  /** Waits until every queued message has been handed to ZeroMQ. */
  async drain(): Promise<void> {
    await Promise.all(Object.values(this.queues).map((q) => q.drained()));
  }

  /** Hands over what is queued, then closes every socket (lingering to deliver it). */
  async close(): Promise<void> {
    if (this.closed) return;
    await this.drain();
    this.closed = true;
    for (const socket of [...Object.values(this.routers), this.iopub, this.heartbeat]) socket.close();
  }

  private async receiveLoop(channel: RouterChannel, onMessage: (channel: RouterChannel, frames: Buffer[]) => void): Promise<void> {
    const socket = this.routers[channel];
    try {
      for await (const frames of socket) {
        try {
          onMessage(channel, frames);
        } catch (e) {
          // One bad message must not stop the channel.
          this.log(`${channel}: message handling failed: ${(e as Error).message}`);
        }
      }
    } catch (e) {
      if (!this.closed) this.log(`${channel} receive loop stopped: ${(e as Error).message}`);
    }
  }

  /** The heartbeat: echo every ping as it came, on this (protocol) thread, whatever user code does. */
  private async echoLoop(): Promise<void> {
    try {
      for await (const frames of this.heartbeat) await this.heartbeat.send(frames);
    } catch (e) {
      if (!this.closed) this.log(`heartbeat stopped: ${(e as Error).message}`);
    }
  }
}
