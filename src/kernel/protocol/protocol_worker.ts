// The protocol thread's entry point (a worker_threads Worker started by host.ts).
//
// Everything the frontend talks to lives here: the sockets, signing, the handler, the heartbeat.
// The main thread only evaluates, so a cell spinning for 30 s stops nothing but itself: the
// heartbeat echoes, control answers, and interrupt_request raises SIGINT to stop the loop.

import { writeSync } from "node:fs";
import { parentPort, workerData } from "node:worker_threads";
import type { ProtocolWorkerData, ToMain, ToProtocol } from "./bridge.js";
import { startProtocolServer, type ProtocolServer } from "./protocol_server.js";
import { RemoteEvaluator } from "./remote_evaluator.js";

/**
 * Straight to file descriptor 2: a worker's process.stderr is relayed through the main thread,
 * which may be busy for as long as a cell runs.
 */
function log(line: string): void {
  try {
    writeSync(2, `[tsjit protocol] ${line}\n`);
  } catch {
    // stderr closed or full: logging must never take the protocol down.
  }
}

async function main(): Promise<void> {
  const port = parentPort;
  if (port === null) throw new Error("protocol_worker.ts must run as a worker thread (see host.ts)");
  // Written by host.ts from the same ProtocolWorkerData type.
  const data = workerData as ProtocolWorkerData;
  const post = (message: ToMain): void => port.postMessage(message);

  let server: ProtocolServer | null = null;
  const raiseSigint = (): void => {
    if (data.signalOnInterrupt) process.kill(process.pid, "SIGINT");
  };
  const remote = new RemoteEvaluator(post, raiseSigint, (event) => server?.handler.publishUnsolicited(event), log);

  let forceExit: NodeJS.Timeout | null = null;
  port.on("message", (message: ToProtocol) => {
    if (message.kind === "shutdown_done") {
      if (forceExit !== null) clearTimeout(forceExit);
      port.close(); // nothing left to keep this thread alive: it exits, and the process may too
      return;
    }
    try {
      remote.receive(message);
    } catch (e) {
      log(`message from the main thread failed: ${(e as Error).message}`); // the thread lives on
    }
  });

  const onShutdown = (restart: boolean): void => {
    remote.interrupt(); // a cell still running must stop for the main thread to see the shutdown
    remote.abandon("the kernel is shutting down");
    post({ kind: "shutdown", restart });
    // A main thread stuck where SIGINT cannot reach must not keep a dead kernel around.
    forceExit = setTimeout(() => {
      log(`main thread did not finish within ${data.forceExitMs} ms of shutdown; exiting`);
      process.kill(process.pid, "SIGKILL");
    }, data.forceExitMs);
  };

  try {
    const onKernelInfoReplied = (): void => post({ kind: "kernel_info_replied" });
    server = await startProtocolServer({ connection: data.connection, kernelInfo: data.kernelInfo, evaluator: remote, log, onShutdown, onKernelInfoReplied });
  } catch (e) {
    post({ kind: "failed", message: (e as Error).message });
    port.close();
    return;
  }
  post({ kind: "listening", ports: server.ports, session: server.session });
}

await main();
