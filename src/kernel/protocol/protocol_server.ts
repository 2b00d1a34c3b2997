// The protocol side assembled: sockets → decode (verify) → replay guard → validate → handler,
// and handler → headers → encode (sign) → sockets, with stream coalescing on IOPub.
//
// It takes any Evaluator: on the protocol thread that is the RemoteEvaluator (the real one is on
// the main thread); in tests it can be a fake in the same thread.

import { randomUUID } from "node:crypto";
import { StreamCoalescer, type CoalescerOptions } from "./coalescer.js";
import type { ConnectionInfo, Ports } from "./connection.js";
import type { Evaluator } from "./evaluator.js";
import { KernelHandler, type HandlerIO } from "./handler.js";
import { errorReply, HeaderFactory, type KernelInfoReplyContent, type ParentHeader } from "./messages.js";
import { KernelSockets, type RouterChannel } from "./sockets.js";
import { validateRequest } from "./validate.js";
import { decode, encode, ReplayGuard, Signer } from "./wire.js";

export interface ProtocolServerOptions {
  connection: ConnectionInfo;
  kernelInfo: KernelInfoReplyContent;
  evaluator: Evaluator;
  log: (line: string) => void;
  /** Called after shutdown_reply went out and the sockets are closed. */
  onShutdown: (restart: boolean) => void;
  /** Called once, after the first kernel_info_reply went out (Note [answer before the evaluator loads] in main.ts). */
  onKernelInfoReplied?: () => void;
  session?: string;
  coalescing?: CoalescerOptions;
}

export interface ProtocolServer {
  readonly ports: Ports;
  readonly session: string;
  readonly handler: KernelHandler;
  /** Closes the sockets (after handing over what is queued). */
  stop(): Promise<void>;
}

/** Binds the sockets and starts answering. @throws when binding fails or the scheme is unknown. */
export async function startProtocolServer(options: ProtocolServerOptions): Promise<ProtocolServer> {
  const { connection, log } = options;
  const signer = new Signer(connection.key, connection.signatureScheme);
  if (!signer.enabled) log("warning: the connection file has an empty key; messages are not authenticated");
  const headers = new HeaderFactory(options.session ?? randomUUID());
  const sockets = await KernelSockets.bind(connection, log);
  const topicPrefix = `kernel.${headers.session}.`;
  let kernelInfoReplied = false;

  // Content that JSON cannot carry (a BigInt, a cycle) fails here, not in the caller: the output
  // is replaced by a note on stderr, a reply by an error reply, and the kernel carries on.
  const iopub = new StreamCoalescer((message, parent: ParentHeader) => {
    const header = headers.make(message.msg_type);
    const topic = [Buffer.from(topicPrefix + message.msg_type)];
    let frames: Buffer[];
    try {
      frames = encode(signer, topic, header, parent, message);
    } catch (e) {
      log(`unserializable ${message.msg_type} replaced: ${(e as Error).message}`);
      const note = { msg_type: "stream" as const, content: { name: "stderr" as const, text: `[tsjit] output could not be sent: ${(e as Error).message}\n` } };
      frames = encode(signer, topic, headers.make("stream"), parent, note);
    }
    sockets.send("iopub", frames);
  }, options.coalescing);

  const io: HandlerIO = {
    send(channel, identities, message, parent) {
      iopub.flush(); // Note [output order] in handler.ts: output never trails its reply.
      const header = headers.make(message.msg_type);
      let frames: Buffer[];
      try {
        frames = encode(signer, identities, header, parent, message);
      } catch (e) {
        log(`unserializable ${message.msg_type} replaced by an error reply: ${(e as Error).message}`);
        const failure = errorReply(message.msg_type.replace(/_reply$/, "_request"), "SerializationError", (e as Error).message);
        frames = encode(signer, identities, header, parent, failure);
      }
      sockets.send(channel, frames);
      if (message.msg_type === "kernel_info_reply" && !kernelInfoReplied) {
        kernelInfoReplied = true;
        options.onKernelInfoReplied?.();
      }
      return header;
    },
    publish: (message, parent) => iopub.publish(message, parent),
    shutdown(restart) {
      iopub.flush();
      void sockets.close().then(() => options.onShutdown(restart));
    },
    log,
  };
  const handler = new KernelHandler(options.evaluator, io, options.kernelInfo);
  const replay = new ReplayGuard();

  const onMessage = (channel: RouterChannel, frames: Buffer[]): void => {
    const decoded = decode(frames, signer);
    if (!decoded.ok) {
      // Never executed, never answered: an unauthenticated sender learns nothing.
      log(`dropped message on ${channel}: ${decoded.reason} (${decoded.detail})`);
      return;
    }
    if (!replay.admit(decoded.message.signature)) {
      log(`dropped replayed message on ${channel}: ${decoded.message.header.msg_type} ${decoded.message.header.msg_id}`);
      return;
    }
    void handler.receive(channel, validateRequest(decoded.message));
  };
  sockets.start(onMessage);
  iopub.publish({ msg_type: "status", content: { execution_state: "starting" } }, {});

  return {
    ports: sockets.ports,
    session: headers.session,
    handler,
    stop: async () => {
      iopub.flush();
      await sockets.close();
    },
  };
}
