// stdout and stderr of cells: console.* and process.stdout/stderr.write become `stream` output
// of the execution that is running, or, once it has finished (a timer, a late promise), of the
// most recent one. Every write is emitted at once, in order; the protocol coalesces them.
//
// The global `console` is replaced, not only process.stdout.write patched, because a host may
// have swapped `console` for its own (vitest does); a cell's console must always reach the sink.

import { Console } from "node:console";
import { StringDecoder } from "node:string_decoder";
import type { ExecuteSink, OutputEvent } from "../protocol/evaluator.js";
import type { StreamName } from "../protocol/messages.js";

type Write = typeof process.stdout.write;

export class OutputRouter {
  private sink: ExecuteSink | null = null;
  private readonly undo: Array<() => void> = [];
  private readonly originals: Record<StreamName, Write> = {
    stdout: process.stdout.write.bind(process.stdout) as Write,
    stderr: process.stderr.write.bind(process.stderr) as Write,
  };

  /** Output from now on belongs to `sink` (until the next execution sets another). */
  setSink(sink: ExecuteSink): void {
    this.sink = sink;
  }

  write(name: StreamName, text: string): void {
    if (text.length === 0) return;
    if (this.sink === null) {
      this.originals[name](text); // before the first execution: the process's own stream
      return;
    }
    this.emit({ type: "stream", name, text });
  }

  /** Any output (display data, comm messages) for the current sink. */
  emit(event: OutputEvent): void {
    const sink = this.sink;
    try {
      if (sink === null) throw new Error("no execution has started yet");
      sink.emit(event);
    } catch (e) {
      // No sink, or the protocol side is gone (shutdown): say so where someone may see it.
      const what = event.type === "stream" ? event.text : `${event.type} output\n`;
      this.originals.stderr(`tsjit: output lost (${e instanceof Error ? e.message : String(e)}): ${what}`);
    }
  }

  /** Routes the global console and process.stdout/stderr.write here until `uninstall`. */
  install(): void {
    const descriptor = Object.getOwnPropertyDescriptor(globalThis, "console");
    const stream = (name: StreamName) => ({ write: (text: string) => (this.write(name, String(text)), true) });
    const cellConsole = new Console({
      stdout: stream("stdout") as unknown as NodeJS.WritableStream,
      stderr: stream("stderr") as unknown as NodeJS.WritableStream,
      colorMode: false,
      ignoreErrors: false, // write straight through, no error listeners on our fake streams
    });
    Object.defineProperty(globalThis, "console", { value: cellConsole, writable: true, configurable: true, enumerable: false });
    this.undo.push(() => {
      if (descriptor) Object.defineProperty(globalThis, "console", descriptor);
    });
    for (const name of ["stdout", "stderr"] as const) this.patchStream(name);
  }

  private patchStream(name: StreamName): void {
    const stream = process[name];
    const own = Object.getOwnPropertyDescriptor(stream, "write");
    const decoder = new StringDecoder("utf8");
    const write = (chunk: unknown, encodingOrCallback?: unknown, callback?: unknown): boolean => {
      const text = typeof chunk === "string" ? chunk : decoder.write(Buffer.from(chunk as Uint8Array));
      this.write(name, text);
      const done = typeof encodingOrCallback === "function" ? encodingOrCallback : callback;
      if (typeof done === "function") process.nextTick(done as () => void);
      return true;
    };
    stream.write = write as Write;
    this.undo.push(() => {
      if (own) Object.defineProperty(stream, "write", own);
      else delete (stream as { write?: Write }).write; // back to the prototype's
    });
  }

  uninstall(): void {
    for (const undo of this.undo.splice(0).reverse()) undo();
  }
}
