import { describe, expect, it } from "vitest";
import { CommManager, type Comm, type CommMessage } from "../../../src/kernel/display/index.js";
import type { CommInbound, OutputEvent } from "../../../src/kernel/protocol/index.js";

class RecordingSink {
  readonly events: OutputEvent[] = [];
  emit(event: OutputEvent): void {
    this.events.push(event);
  }
}

function manager(): { comms: CommManager; logs: string[] } {
  const logs: string[] = [];
  return { comms: new CommManager({ log: (l) => logs.push(l) }), logs };
}

const open = (commId: string, targetName: string, data = {}): CommInbound => ({ type: "comm_open", commId, targetName, data, metadata: {}, buffers: [] });
const msg = (commId: string, data = {}): CommInbound => ({ type: "comm_msg", commId, data, metadata: {}, buffers: [] });
const close = (commId: string, data = {}): CommInbound => ({ type: "comm_close", commId, data, metadata: {}, buffers: [] });

describe("comms opened by the frontend", () => {
  it("reach the target, exchange messages both ways, and close", async () => {
    const { comms } = manager();
    const received: CommMessage[] = [];
    let closedWith: unknown;
    let opened: Comm | undefined;
    comms.registerTarget("echo", (comm, openMsg) => {
      opened = comm;
      comm.send({ hello: openMsg.data["name"] ?? null });
      comm.onMsg((m) => {
        received.push(m);
        comm.send({ echo: m.data["value"] ?? null }, { via: "test" }, [new Uint8Array([7])]);
      });
      comm.onClose((m) => void (closedWith = m.data));
    });
    const sink = new RecordingSink();
    await comms.handle(open("c1", "echo", { name: "w" }), sink);
    expect(opened?.comm_id).toBe("c1");
    expect(comms.commInfo()).toEqual({ c1: { target_name: "echo" } });
    await comms.handle(msg("c1", { value: 5 }), sink);
    expect(received.map((m) => m.data)).toEqual([{ value: 5 }]);
    await comms.handle(close("c1", { bye: true }), sink);
    expect(closedWith).toEqual({ bye: true });
    expect(comms.commInfo()).toEqual({});
    expect(sink.events).toEqual([
      { type: "comm_msg", commId: "c1", data: { hello: "w" } },
      { type: "comm_msg", commId: "c1", data: { echo: 5 }, metadata: { via: "test" }, buffers: [new Uint8Array([7])] },
    ]);
    expect(opened?.closed).toBe(true);
  });

  it("an open to an unknown target is answered with comm_close (as ipykernel)", async () => {
    const { comms, logs } = manager();
    const sink = new RecordingSink();
    await comms.handle(open("c2", "jupyter.widget"), sink);
    expect(sink.events).toEqual([{ type: "comm_close", commId: "c2", data: {} }]);
    expect(comms.commInfo()).toEqual({});
    expect(logs).toEqual(["No such comm target registered: jupyter.widget"]);
  });

  it("a target handler that throws gets the comm closed and the error logged", async () => {
    const { comms, logs } = manager();
    comms.registerTarget("bad", () => {
      throw new Error("boom");
    });
    const sink = new RecordingSink();
    await comms.handle(open("c3", "bad"), sink);
    expect(sink.events).toEqual([{ type: "comm_close", commId: "c3", data: {} }]);
    expect(logs[0]).toContain("Exception opening comm with target: bad");
    expect(logs[0]).toContain("boom");
  });

  it("messages to unknown comms are logged, not fatal", async () => {
    const { comms, logs } = manager();
    await comms.handle(msg("nope"), new RecordingSink());
    expect(logs).toEqual(["No such comm: nope (comm_msg ignored)"]);
  });
});

describe("comms opened by the kernel", () => {
  it("send comm_open, messages and comm_close through the current output", async () => {
    const { comms } = manager();
    const executeSink = new RecordingSink();
    comms.setOutput(executeSink);
    const comm = comms.open("jupyter.widget", { state: { value: 1 } }, { version: "2.1.0" }, { targetModule: "m" });
    const fromFrontend: unknown[] = [];
    comm.onMsg((m) => void fromFrontend.push(m.data));
    expect(comms.commInfo("jupyter.widget")).toEqual({ [comm.comm_id]: { target_name: "jupyter.widget" } });
    expect(comms.commInfo("other")).toEqual({});
    comm.send({ method: "update", state: { value: 2 } });

    // A frontend message is handled with its own sink: replies go there (Note [comm output]).
    const msgSink = new RecordingSink();
    comm.onMsg((m) => {
      fromFrontend.push(m.data);
      comm.send({ ack: true });
    });
    await comms.handle(msg(comm.comm_id, { event: "click" }), msgSink);
    expect(fromFrontend).toEqual([{ event: "click" }]);
    expect(msgSink.events).toEqual([{ type: "comm_msg", commId: comm.comm_id, data: { ack: true } }]);

    comm.close({ reason: "done" });
    comm.close(); // twice: nothing more
    expect(() => comm.send({})).toThrow("is closed");
    expect(executeSink.events).toEqual([
      { type: "comm_open", commId: comm.comm_id, targetName: "jupyter.widget", data: { state: { value: 1 } }, targetModule: "m", metadata: { version: "2.1.0" } },
      { type: "comm_msg", commId: comm.comm_id, data: { method: "update", state: { value: 2 } } },
      { type: "comm_close", commId: comm.comm_id, data: { reason: "done" } },
    ]);
    expect(comms.commInfo()).toEqual({});
  });

  it("cannot send before any request gave it an output", () => {
    const { comms } = manager();
    expect(() => comms.open("t")).toThrow("no output channel yet");
  });
});
