// The pure handler with a fake evaluator and fake I/O: every request's lifecycle, no sockets.

import { describe, expect, it } from "vitest";
import { KernelHandler, type HandlerIO, type RequestChannel } from "../../../src/kernel/protocol/handler.js";
import { HeaderFactory, kernelInfoContent, type Header, type ParentHeader } from "../../../src/kernel/protocol/messages.js";
import { validateRequest } from "../../../src/kernel/protocol/validate.js";
import { FakeEvaluator } from "./fixtures/fake_evaluator.js";

interface Event {
  kind: "send" | "publish";
  channel?: RequestChannel;
  identities?: string[];
  msgType: string;
  content: Record<string, unknown>;
  parentId: string | undefined;
  header: Header;
}

class FakeIO implements HandlerIO {
  readonly events: Event[] = [];
  readonly logs: string[] = [];
  shutdowns: boolean[] = [];
  private readonly headers = new HeaderFactory("kernel-session");

  send(channel: RequestChannel, identities: Buffer[], message: { msg_type: string; content: unknown }, parent: ParentHeader): Header {
    const header = this.headers.make(message.msg_type);
    this.events.push({ kind: "send", channel, identities: identities.map(String), msgType: message.msg_type, content: message.content as Record<string, unknown>, parentId: (parent as Partial<Header>).msg_id, header });
    return header;
  }

  publish(message: { msg_type: string; content: unknown }, parent: ParentHeader): void {
    const header = this.headers.make(message.msg_type);
    this.events.push({ kind: "publish", msgType: message.msg_type, content: message.content as Record<string, unknown>, parentId: (parent as Partial<Header>).msg_id, header });
  }

  shutdown(restart: boolean): void {
    this.shutdowns.push(restart);
  }

  log(line: string): void {
    this.logs.push(line);
  }

  /** A compact trace of one request: "busy", "execute_input", "reply:execute_reply", "idle". */
  trace(msgId: string): string[] {
    return this.events
      .filter((e) => e.parentId === msgId)
      .map((e) => (e.msgType === "status" ? String(e.content["execution_state"]) : e.kind === "send" ? `${e.channel}:${e.msgType}` : e.msgType));
  }

  reply(msgId: string): Event {
    const e = this.events.find((x) => x.kind === "send" && x.parentId === msgId && x.channel !== "stdin");
    if (e === undefined) throw new Error(`no reply to ${msgId}`);
    return e;
  }
}

let n = 0;
function message(msgType: string, content: unknown, options: { identity?: string; parent?: Header } = {}) {
  const header: Header = { msg_id: `req-${++n}`, session: "client", username: "u", date: "", msg_type: msgType, version: "5.3" };
  const validated = validateRequest({ identities: [Buffer.from(options.identity ?? "client-id")], header, parent_header: options.parent ?? {}, metadata: {}, content, buffers: [], signature: "" });
  return { header, validated };
}

function setup() {
  const evaluator = new FakeEvaluator();
  const io = new FakeIO();
  const handler = new KernelHandler(evaluator, io, kernelInfoContent({ languageVersion: "5.9.3", implementationVersion: "0.0.0" }));
  const run = async (channel: RequestChannel, msgType: string, content: unknown) => {
    const m = message(msgType, content);
    await handler.receive(channel, m.validated);
    return m.header.msg_id;
  };
  return { evaluator, io, handler, run };
}

const tick = () => new Promise((r) => setTimeout(r, 0));

describe("KernelHandler", () => {
  it("answers kernel_info between busy and idle", async () => {
    const { io, run } = setup();
    const id = await run("shell", "kernel_info_request", {});
    expect(io.trace(id)).toEqual(["busy", "shell:kernel_info_reply", "idle"]);
    expect(io.reply(id).content).toMatchObject({ status: "ok", protocol_version: "5.3", language_info: { name: "typescript", version: "5.9.3", file_extension: ".ts" } });
    expect(io.reply(id).identities).toEqual(["client-id"]);
  });

  it("publishes execute_input, outputs, execute_result, then the reply, then idle", async () => {
    const { io, run } = setup();
    const a = await run("shell", "execute_request", { code: "print hi" });
    const b = await run("shell", "execute_request", { code: "result 7" });
    expect(io.trace(a)).toEqual(["busy", "execute_input", "stream", "shell:execute_reply", "idle"]);
    expect(io.trace(b)).toEqual(["busy", "execute_input", "execute_result", "shell:execute_reply", "idle"]);
    const input = io.events.find((e) => e.parentId === b && e.msgType === "execute_input");
    expect(input?.content).toEqual({ code: "result 7", execution_count: 2 });
    const result = io.events.find((e) => e.parentId === b && e.msgType === "execute_result");
    expect(result?.content).toEqual({ execution_count: 2, data: { "text/plain": "7" }, metadata: {} });
    expect(io.reply(b).content).toEqual({ status: "ok", execution_count: 2, user_expressions: {}, payload: [] });
  });

  it("counts executions like IPython: silent and store_history=false do not use a number", async () => {
    const { io, run, handler, evaluator } = setup();
    const silent = await run("shell", "execute_request", { code: "result 1", silent: true });
    expect(io.trace(silent)).toEqual(["busy", "shell:execute_reply", "idle"]); // no execute_input, no execute_result
    expect(evaluator.executed[0]?.options).toMatchObject({ silent: true, storeHistory: false, executionCount: 1 });
    const unstored = await run("shell", "execute_request", { code: "x", store_history: false });
    expect(io.reply(unstored).content["execution_count"]).toBe(0);
    expect(handler.executionCount).toBe(1);
    const failed = await run("shell", "execute_request", { code: "fail nope" });
    expect(io.reply(failed).content).toMatchObject({ status: "error", execution_count: 1, ename: "Error", evalue: "nope" });
    expect(io.trace(failed)).toEqual(["busy", "execute_input", "error", "shell:execute_reply", "idle"]);
    expect(handler.executionCount).toBe(2); // an error uses its number too
  });

  it("stop_on_error aborts the executes queued behind a failure, not later ones (no abort window)", async () => {
    const { io, handler, evaluator } = setup();
    const fail = message("execute_request", { code: "fail boom" });
    const queued = message("execute_request", { code: "print queued" });
    const info = message("kernel_info_request", {});
    const noStop = message("execute_request", { code: "print also queued" });
    const all = [fail, queued, info].map((m) => handler.receive("shell", m.validated));
    await Promise.all(all);
    const later = message("execute_request", { code: "print later" });
    await Promise.all([handler.receive("shell", noStop.validated), handler.receive("shell", later.validated)]);
    expect(io.trace(queued.header.msg_id)).toEqual(["busy", "shell:execute_reply", "idle"]);
    expect(io.reply(queued.header.msg_id).content).toEqual({ status: "aborted" });
    expect(io.reply(info.header.msg_id).msgType).toBe("kernel_info_reply"); // only executes are aborted
    expect(io.reply(later.header.msg_id).content["status"]).toBe("ok");
    expect(evaluator.executed.map((e) => e.code)).toEqual(["fail boom", "print also queued", "print later"]);
  });

  it("stop_on_error=false keeps the queue running", async () => {
    const { io, handler } = setup();
    const fail = message("execute_request", { code: "fail boom", stop_on_error: false });
    const next = message("execute_request", { code: "print next" });
    await Promise.all([handler.receive("shell", fail.validated), handler.receive("shell", next.validated)]);
    expect(io.reply(next.header.msg_id).content["status"]).toBe("ok");
  });

  it("turns an evaluator rejection into an error reply and keeps going", async () => {
    const { io, run } = setup();
    const id = await run("shell", "execute_request", { code: "reject" });
    expect(io.reply(id).content).toMatchObject({ status: "error", ename: "TypeError", evalue: "evaluator bug" });
    const after = await run("shell", "execute_request", { code: "print ok" });
    expect(io.reply(after).content["status"]).toBe("ok");
  });

  it("answers unknown and malformed requests with an error reply, never silence", async () => {
    const { io, run } = setup();
    const unknown = await run("shell", "frobnicate_request", {});
    expect(io.reply(unknown)).toMatchObject({ msgType: "frobnicate_reply", content: { status: "error", ename: "UnknownMessageType" } });
    expect(io.trace(unknown)).toEqual(["busy", "shell:frobnicate_reply", "idle"]);
    const badCode = await run("shell", "execute_request", { code: 42 });
    expect(io.reply(badCode)).toMatchObject({ msgType: "execute_reply", content: { status: "error", ename: "MalformedRequest", evalue: '"code" must be a string' } });
    const notObject = await run("control", "complete_request", [1, 2]);
    expect(io.reply(notObject).content).toMatchObject({ status: "error", evalue: "content must be a JSON object" });
    const badCursor = await run("shell", "complete_request", { code: "ab", cursor_pos: 9 });
    expect(io.reply(badCursor).content["evalue"]).toMatch(/cursor_pos/);
    const badComm = await run("shell", "comm_msg", { data: {} });
    expect(io.trace(badComm)).toEqual(["busy", "idle"]); // comm messages have no reply
  });

  it("answers complete, inspect, is_complete, history and comm_info from the evaluator", async () => {
    const { io, run } = setup();
    const complete = await run("shell", "complete_request", { code: "ab", cursor_pos: 2 });
    expect(io.reply(complete).content).toEqual({ status: "ok", matches: ["alpha", "beta"], cursor_start: 1, cursor_end: 2, metadata: {} });
    // cursor_pos counts code points; the evaluator works in UTF-16 indices (the emoji is 2 units).
    const astral = await run("shell", "complete_request", { code: "😀ab", cursor_pos: 3 });
    expect(io.reply(astral).content).toMatchObject({ cursor_start: 2, cursor_end: 3 });
    const tooFar = await run("shell", "complete_request", { code: "😀ab", cursor_pos: 4 });
    expect(io.reply(tooFar).content["evalue"]).toMatch(/outside the code \(3 code points\)/);
    const failing = await run("shell", "complete_request", { code: "boom", cursor_pos: 4 });
    expect(io.reply(failing).content).toMatchObject({ status: "error", ename: "Error", evalue: "completer failed" });
    const found = await run("shell", "inspect_request", { code: "x", cursor_pos: 1, detail_level: 0 });
    expect(io.reply(found).content).toEqual({ status: "ok", found: true, data: { "text/plain": "x: number" }, metadata: {} });
    const missing = await run("shell", "inspect_request", { code: "y", cursor_pos: 0 });
    expect(io.reply(missing).content).toEqual({ status: "ok", found: false, data: {}, metadata: {} });
    const incomplete = await run("shell", "is_complete_request", { code: "if (x) {" });
    expect(io.reply(incomplete).content).toEqual({ status: "incomplete", indent: "  " });
    await run("shell", "execute_request", { code: "print 1" });
    const history = await run("shell", "history_request", { hist_access_type: "tail", n: 5, output: false, raw: true });
    expect(io.reply(history).content).toEqual({ status: "ok", history: [[0, 1, "print 1"]] });
    const badHistory = await run("shell", "history_request", { hist_access_type: "sideways" });
    expect(io.reply(badHistory).content["status"]).toBe("error");
    const comms = await run("shell", "comm_info_request", { target_name: "jupyter.widget" });
    expect(io.reply(comms).content).toEqual({ status: "ok", comms: { c1: { target_name: "jupyter.widget" } } });
  });

  it("answers control while a shell request is still running, and interrupt reaches the evaluator", async () => {
    const { io, handler, evaluator, run } = setup();
    const hang = message("execute_request", { code: "hang" });
    const done = handler.receive("shell", hang.validated);
    const queued = message("kernel_info_request", {});
    const queuedDone = handler.receive("shell", queued.validated);
    await tick();
    const info = await run("control", "kernel_info_request", {});
    expect(io.trace(info)).toEqual(["busy", "control:kernel_info_reply", "idle"]);
    expect(io.events.some((e) => e.parentId === queued.header.msg_id)).toBe(false); // shell is serial
    const interrupt = await run("control", "interrupt_request", {});
    expect(io.reply(interrupt).content).toEqual({ status: "ok" });
    await done;
    await queuedDone;
    expect(evaluator.interrupts).toBe(1);
    expect(io.reply(hang.header.msg_id).content).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
    expect(io.reply(queued.header.msg_id).msgType).toBe("kernel_info_reply");
  });

  it("refuses execute_request on control", async () => {
    const { io, run, evaluator } = setup();
    const id = await run("control", "execute_request", { code: "print x" });
    expect(io.reply(id).content).toMatchObject({ status: "error", ename: "WrongChannel" });
    expect(evaluator.executed).toEqual([]);
  });

  it("routes input_request to the requester's identity on stdin and resumes on input_reply", async () => {
    const { io, handler } = setup();
    const request = message("execute_request", { code: "input name?" }, { identity: "alice" });
    const done = handler.receive("shell", request.validated);
    await tick();
    const ask = io.events.find((e) => e.channel === "stdin");
    expect(ask).toMatchObject({ msgType: "input_request", identities: ["alice"], content: { prompt: "name?", password: false }, parentId: request.header.msg_id });
    await handler.receive("stdin", message("input_reply", { value: "Ada" }, { parent: ask!.header }).validated);
    await done;
    const stream = io.events.find((e) => e.parentId === request.header.msg_id && e.msgType === "stream");
    expect(stream?.content).toEqual({ name: "stdout", text: "got Ada\n" });
  });

  it("fails input when the frontend said allow_stdin=false, and when interrupted", async () => {
    const { io, handler, run } = setup();
    const refused = await run("shell", "execute_request", { code: "input x", allow_stdin: false });
    expect(io.reply(refused).content).toMatchObject({ status: "error", ename: "StdinNotImplementedError" });
    const waiting = message("execute_request", { code: "input y" });
    const done = handler.receive("shell", waiting.validated);
    await tick();
    await run("control", "interrupt_request", {});
    await done;
    expect(io.reply(waiting.header.msg_id).content).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
  });

  it("passes comms to the evaluator without a reply; its answers have the comm message as parent", async () => {
    const { io, run, evaluator } = setup();
    const open = await run("shell", "comm_open", { comm_id: "c1", target_name: "jupyter.widget", data: { a: 1 } });
    const msg = await run("shell", "comm_msg", { comm_id: "c1", data: { x: 2 } });
    expect(io.trace(open)).toEqual(["busy", "idle"]);
    expect(io.trace(msg)).toEqual(["busy", "comm_msg", "idle"]);
    expect(evaluator.comms.map((c) => c.type)).toEqual(["comm_open", "comm_msg"]);
    expect(evaluator.comms[0]).toMatchObject({ commId: "c1", targetName: "jupyter.widget", data: { a: 1 } });
  });

  it("publishes unsolicited output under the last shell request", async () => {
    const { io, run, handler } = setup();
    const id = await run("shell", "execute_request", { code: "print x" });
    handler.publishUnsolicited({ type: "stream", name: "stderr", text: "late\n" });
    expect(io.events.at(-1)).toMatchObject({ msgType: "stream", parentId: id, content: { name: "stderr", text: "late\n" } });
  });

  it("shuts down after the reply and ignores what follows", async () => {
    const { io, run } = setup();
    const id = await run("control", "shutdown_request", { restart: true });
    expect(io.trace(id)).toEqual(["busy", "control:shutdown_reply", "idle"]);
    expect(io.reply(id).content).toEqual({ status: "ok", restart: true });
    expect(io.shutdowns).toEqual([true]);
    const after = await run("shell", "kernel_info_request", {});
    expect(io.trace(after)).toEqual([]);
  });
});
