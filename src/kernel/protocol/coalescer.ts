// Stream coalescing for IOPub.
//
// A cell that prints 20,000 lines must not become 20,000 ZeroMQ messages (frontends choke, and
// tslab drops what does not fit): consecutive `stream` messages with the same name and parent are
// merged for a few milliseconds (ipykernel flushes on a timer the same way). Nothing is dropped
// and order holds: any other message first flushes the pending text, so `idle`, published through
// here like everything else, always follows the output it closes.

import type { IopubMessage, ParentHeader, StreamName } from "./messages.js";

export type Schedule = (callback: () => void, delayMs: number) => () => void;

export const defaultSchedule: Schedule = (callback, delayMs) => {
  const timer = setTimeout(callback, delayMs);
  return () => clearTimeout(timer);
};

export interface CoalescerOptions {
  /** How long text may wait for more text before it is sent. */
  delayMs?: number;
  /** Send at once past this many characters, so one message stays a sane size. */
  maxChars?: number;
  schedule?: Schedule;
}

interface Pending {
  name: StreamName;
  parent: ParentHeader;
  chunks: string[];
  chars: number;
  cancel: () => void;
}

function sameParent(a: ParentHeader, b: ParentHeader): boolean {
  return (a as { msg_id?: string }).msg_id === (b as { msg_id?: string }).msg_id;
}

export class StreamCoalescer {
  private pending: Pending | null = null;
  private readonly delayMs: number;
  private readonly maxChars: number;
  private readonly schedule: Schedule;

  constructor(
    private readonly send: (message: IopubMessage, parent: ParentHeader) => void,
    options: CoalescerOptions = {},
  ) {
    this.delayMs = options.delayMs ?? 5;
    this.maxChars = options.maxChars ?? 256 * 1024;
    this.schedule = options.schedule ?? defaultSchedule;
  }

  publish(message: IopubMessage, parent: ParentHeader): void {
    if (message.msg_type !== "stream") {
      this.flush();
      this.send(message, parent);
      return;
    }
    const { name, text } = message.content;
    const p = this.pending;
    if (p !== null && p.name === name && sameParent(p.parent, parent)) {
      p.chunks.push(text);
      p.chars += text.length;
    } else {
      this.flush();
      this.pending = { name, parent, chunks: [text], chars: text.length, cancel: this.schedule(() => this.flush(), this.delayMs) };
    }
    if (this.pending !== null && this.pending.chars >= this.maxChars) this.flush();
  }

  /** Sends pending text now. Called before replies too, so output never trails its reply. */
  flush(): void {
    const p = this.pending;
    if (p === null) return;
    this.pending = null;
    p.cancel();
    this.send({ msg_type: "stream", content: { name: p.name, text: p.chunks.join("") } }, p.parent);
  }
}
