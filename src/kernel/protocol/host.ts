// The main-thread side of the kernel's protocol: starts the protocol thread and serves the
// evaluator to it (architecture: "the protocol never waits on user code").
//
// ```ts
// const connection = await readConnectionFile(process.argv[2]);
// const host = await startProtocolThread({ connection, evaluator, kernelInfo: kernelInfoContent({...}) });
// const { restart } = await host.stopped;   // the frontend asked for shutdown
// process.exit(0);
// ```
//
// SIGINT (interrupt_mode "signal", or raised by the protocol thread for interrupt_request) is
// taken over here: it must never kill the kernel. While a cell runs synchronously inside vm with
// breakOnSigint, vm consumes the signal and throws in the cell; otherwise this handler cancels
// the pending await through `evaluator.interrupt()`.

import { Worker } from "node:worker_threads";
import { newInputBuffer, waitInputAnswer, type CallMethod, type ProtocolWorkerData, type ToMain, type ToProtocol } from "./bridge.js";
import type { ConnectionInfo, Ports } from "./connection.js";
import { InputInterrupted, InputNotAllowed, type Evaluator, type MainThreadEvaluator, type MainThreadSink, type OutputEvent } from "./evaluator.js";
import type { KernelInfoReplyContent } from "./messages.js";

export interface StartProtocolOptions {
  connection: ConnectionInfo;
  evaluator: MainThreadEvaluator;
  kernelInfo: KernelInfoReplyContent;
  /** Raise SIGINT on interrupt_request (default true; off only when embedding without vm). */
  signalOnInterrupt?: boolean;
  /** After a shutdown request, kill the process if the main thread has not finished (default 3000 ms). */
  forceExitMs?: number;
  /** Called once the first kernel_info_reply has gone out. */
  onKernelInfoReplied?: () => void;
}

export interface ProtocolHost {
  /** The ports bound (port 0 in the connection file picks a free one). */
  readonly ports: Ports;
  readonly session: string;
  /** Publishes output outside any request (a timer's console.log, a widget update). */
  emit(event: OutputEvent): void;
  /**
   * Resolves when the frontend's shutdown_request has been answered and the sockets closed;
   * rejects if the protocol thread dies (the kernel cannot talk any more: exit).
   */
  readonly stopped: Promise<{ restart: boolean }>;
  /** Stops the protocol thread without a shutdown request (tests, fatal errors). */
  terminate(): Promise<void>;
}

/** How to start protocol_worker: compiled JS in dist/, or the TS source through tsx in development. */
function workerSource(): { source: string | URL; eval: boolean } {
  const here = import.meta.url;
  if (!here.endsWith(".ts")) return { source: new URL("./protocol_worker.js", here), eval: false };
  // Worker threads do not inherit tsx's loader hooks (Node 20): register them first.
  let api: string;
  try {
    api = import.meta.resolve("tsx/esm/api");
  } catch {
    throw new Error("running the kernel from TypeScript sources needs tsx (a dev dependency); run the built dist/ instead");
  }
  const entry = new URL("./protocol_worker.ts", here).href;
  return { source: `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); })`, eval: true };
}

type Answer<T> = { resolve: (value: T) => void; reject: (e: Error) => void };

function inputError(name: string, message: string): Error {
  if (name === "KeyboardInterrupt") return new InputInterrupted();
  if (name === "StdinNotImplementedError") return new InputNotAllowed();
  const e = new Error(message);
  e.name = name;
  return e;
}

/** Starts the protocol thread and waits until its sockets are bound. */
export async function startProtocolThread(options: StartProtocolOptions): Promise<ProtocolHost> {
  const { evaluator } = options;
  const data: ProtocolWorkerData = {
    connection: options.connection,
    kernelInfo: options.kernelInfo,
    signalOnInterrupt: options.signalOnInterrupt ?? true,
    forceExitMs: options.forceExitMs ?? 3000,
  };
  const { source, eval: isEval } = workerSource();
  const worker = new Worker(source, { eval: isEval, workerData: data });
  const post = (message: ToProtocol): void => worker.postMessage(message);

  let running: number | null = null;
  const onSigint = (): void => evaluator.interrupt();
  process.on("SIGINT", onSigint);

  let nextInputId = 1;
  const inputs = new Map<number, Answer<string>>();
  const sinkFor = (callId: number): MainThreadSink => ({
    emit: (event) => post({ kind: "output", callId, event }),
    input: (prompt, opts) =>
      new Promise((resolve, reject) => {
        const inputId = nextInputId++;
        inputs.set(inputId, { resolve, reject });
        post({ kind: "input", callId, inputId, prompt, password: opts?.password ?? false, shared: null });
      }),
    inputSync: (prompt, opts) => {
      const shared = newInputBuffer();
      post({ kind: "input", callId, inputId: nextInputId++, prompt, password: opts?.password ?? false, shared });
      const answer = waitInputAnswer(shared); // Note [sync input] in bridge.ts
      if ("value" in answer) return answer.value;
      const [name = "Error", ...rest] = answer.error.split(": ");
      throw inputError(name, rest.join(": "));
    },
  });

  const fail = (callId: number, e: unknown): void =>
    post({ kind: "failure", callId, name: e instanceof Error ? e.name : "Error", message: e instanceof Error ? e.message : String(e) });
  const answer = (callId: number, work: Promise<unknown>): void => {
    work.then(
      (value) => {
        try {
          post({ kind: "result", callId, value });
        } catch (e) {
          fail(callId, e); // a result that cannot be cloned (a function inside): still an answer
        }
      },
      (e: unknown) => fail(callId, e),
    );
  };
  const calls: { [M in CallMethod]: (args: Parameters<Evaluator[M]>) => Promise<unknown> } = {
    complete: (args) => evaluator.complete(...args),
    inspect: (args) => evaluator.inspect(...args),
    isComplete: (args) => evaluator.isComplete(...args),
    history: (args) => evaluator.history(...args),
    commInfo: (args) => evaluator.commInfo(...args),
  };

  let resolveStopped!: (value: { restart: boolean }) => void;
  let rejectStopped!: (e: Error) => void;
  let isStopped = false;
  const stopped = new Promise<{ restart: boolean }>((resolve, reject) => {
    resolveStopped = resolve;
    rejectStopped = reject;
  });
  stopped.catch(() => undefined); // awaited by the caller; no unhandled rejection if it is not
  let resolveListening!: (value: { ports: Ports; session: string }) => void;
  let rejectListening!: (e: Error) => void;
  const listening = new Promise<{ ports: Ports; session: string }>((resolve, reject) => {
    resolveListening = resolve;
    rejectListening = reject;
  });

  const serve = async (message: ToMain): Promise<void> => {
    switch (message.kind) {
      case "listening":
        return resolveListening({ ports: message.ports, session: message.session });
      case "failed":
        return rejectListening(new Error(`the kernel's protocol thread could not start: ${message.message}`));
      case "kernel_info_replied":
        return options.onKernelInfoReplied?.();
      case "execute": {
        running = message.callId;
        const work = Promise.resolve().then(() => evaluator.execute(message.code, message.options, sinkFor(message.callId)));
        answer(message.callId, work.finally(() => (running === message.callId ? (running = null) : undefined)));
        return;
      }
      case "comm":
        return answer(message.callId, Promise.resolve().then(() => evaluator.comm(message.message, sinkFor(message.callId))));
      case "call":
        return answer(message.callId, Promise.resolve().then(() => (calls[message.method] as (a: unknown) => Promise<unknown>)(message.args)));
      case "interrupt":
        if (running === message.callId) evaluator.interrupt();
        return;
      case "input_answer":
      case "input_failed": {
        const pending = inputs.get(message.inputId);
        inputs.delete(message.inputId);
        if (message.kind === "input_answer") pending?.resolve(message.value);
        else pending?.reject(inputError(message.name, message.message));
        return;
      }
      case "shutdown":
        try {
          await evaluator.shutdown(message.restart);
        } finally {
          process.off("SIGINT", onSigint);
          post({ kind: "shutdown_done" });
          isStopped = true;
          resolveStopped({ restart: message.restart });
        }
        return;
    }
  };
  worker.on("message", (message: ToMain) => void serve(message));
  worker.on("error", (e) => rejectListening(e));
  worker.on("exit", (code) => {
    const e = new Error(`the kernel's protocol thread exited unexpectedly (code ${code})`);
    rejectListening(e);
    if (!isStopped) rejectStopped(e); // the kernel can no longer talk: let the caller exit
  });

  const { ports, session } = await listening.catch(async (e: unknown) => {
    process.off("SIGINT", onSigint);
    await worker.terminate();
    throw e;
  });
  return {
    ports,
    session,
    emit: (event) => post({ kind: "output", callId: null, event }),
    stopped,
    terminate: async () => {
      process.off("SIGINT", onSigint);
      isStopped = true;
      resolveStopped({ restart: false });
      await worker.terminate();
    },
  };
}
