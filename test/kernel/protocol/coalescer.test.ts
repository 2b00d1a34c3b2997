// Stream coalescing with a hand-driven clock: merged, ordered, never dropped.

import { describe, expect, it } from "vitest";
import { StreamCoalescer, type Schedule } from "../../../src/kernel/protocol/coalescer.js";
import type { Header, IopubMessage, ParentHeader } from "../../../src/kernel/protocol/messages.js";

const parent = (id: string): Header => ({ msg_id: id, session: "s", username: "u", date: "", msg_type: "execute_request", version: "5.3" });

function setup(maxChars?: number) {
  const sent: Array<{ type: string; text?: string; name?: string; parent: string | undefined }> = [];
  const timers: Array<() => void> = [];
  const schedule: Schedule = (callback) => {
    timers.push(callback);
    return () => timers.splice(timers.indexOf(callback), 1);
  };
  const coalescer = new StreamCoalescer(
    (m: IopubMessage, p: ParentHeader) => {
      const parentId = (p as Partial<Header>).msg_id;
      if (m.msg_type === "stream") sent.push({ type: "stream", name: m.content.name, text: m.content.text, parent: parentId });
      else sent.push({ type: m.msg_type, parent: parentId });
    },
    { schedule, ...(maxChars === undefined ? {} : { maxChars }) },
  );
  const stream = (name: "stdout" | "stderr", text: string, p = parent("a")) => coalescer.publish({ msg_type: "stream", content: { name, text } }, p);
  return { sent, timers, coalescer, stream };
}

describe("StreamCoalescer", () => {
  it("merges consecutive writes of one stream until the timer fires", () => {
    const { sent, timers, stream } = setup();
    for (let i = 0; i < 1000; i++) stream("stdout", `${i}\n`);
    expect(sent).toEqual([]);
    expect(timers).toHaveLength(1);
    timers[0]!();
    expect(sent).toHaveLength(1);
    expect(sent[0]!.text).toBe(Array.from({ length: 1000 }, (_, i) => `${i}\n`).join(""));
  });

  it("flushes before any other message, so idle never overtakes output", () => {
    const { sent, timers, stream, coalescer } = setup();
    stream("stdout", "a");
    coalescer.publish({ msg_type: "status", content: { execution_state: "idle" } }, parent("a"));
    expect(sent.map((s) => s.type)).toEqual(["stream", "status"]);
    expect(timers).toHaveLength(0); // the pending timer was cancelled
  });

  it("keeps stdout/stderr interleaving and parents apart", () => {
    const { sent, coalescer, stream } = setup();
    stream("stdout", "1");
    stream("stdout", "2");
    stream("stderr", "e");
    stream("stdout", "3");
    stream("stdout", "4", parent("b"));
    coalescer.flush();
    expect(sent.map((s) => `${s.parent}:${s.name}:${s.text}`)).toEqual(["a:stdout:12", "a:stderr:e", "a:stdout:3", "b:stdout:4"]);
  });

  it("sends at once past the size limit", () => {
    const { sent, stream } = setup(10);
    stream("stdout", "12345");
    stream("stdout", "67890");
    expect(sent.map((s) => s.text)).toEqual(["1234567890"]);
  });
});
