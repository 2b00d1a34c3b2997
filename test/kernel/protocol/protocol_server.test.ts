// The assembled protocol server in this thread (fake evaluator, real ZeroMQ on loopback):
// authentication at the socket boundary, replay, routing and display messages end to end.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { kernelInfoContent } from "../../../src/kernel/protocol/messages.js";
import { startProtocolServer, type ProtocolServer } from "../../../src/kernel/protocol/protocol_server.js";
import { parentId, TestClient } from "../support/client.js";
import { FakeEvaluator } from "./fixtures/fake_evaluator.js";
import { loopbackConnection } from "./support.js";

describe("protocol server over ZeroMQ", () => {
  const connection = loopbackConnection();
  const evaluator = new FakeEvaluator();
  const logs: string[] = [];
  let kernelInfoReplies = 0;
  let server: ProtocolServer;
  let client: TestClient;

  beforeAll(async () => {
    server = await startProtocolServer({
      connection,
      kernelInfo: kernelInfoContent({ languageVersion: "5.9.3", implementationVersion: "0.0.0" }),
      evaluator,
      log: (line) => logs.push(line),
      onShutdown: () => undefined,
      onKernelInfoReplied: () => kernelInfoReplies++,
    });
    client = await TestClient.connect({ ...connection, ports: server.ports });
  });

  afterAll(async () => {
    client?.close();
    await server?.stop();
  });

  /** Polls until `check` holds (or 3 s pass): delivery order across sockets is not guaranteed. */
  const eventually = async (check: () => boolean): Promise<void> => {
    for (const end = Date.now() + 3000; !check() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 10));
  };

  it("says once, after the first kernel_info_reply went out, that it did (the kernel then loads its evaluator)", async () => {
    expect(kernelInfoReplies).toBe(1); // TestClient.connect asks for kernel_info to know the kernel is up
    await client.request("shell", "kernel_info_request", {});
    await client.request("control", "kernel_info_request", {});
    expect(kernelInfoReplies).toBe(1);
  });

  it("drops badly signed and unsigned messages (logged, never executed)", async () => {
    const forged = client.frames("execute_request", { code: "print forged" });
    forged.frames[1] = Buffer.from("f".repeat(64));
    client.sendRaw("shell", forged.frames);
    const unsigned = client.frames("execute_request", { code: "print unsigned" });
    unsigned.frames[1] = Buffer.from("");
    client.sendRaw("control", unsigned.frames);
    const otherKey = new TestClient({ ...connection, key: "not-the-key", ports: server.ports });
    otherKey.send("shell", "execute_request", { code: "print wrong key" });
    const ok = await client.request("shell", "execute_request", { code: "print signed" });
    await eventually(() => logs.filter((l) => l.includes("bad_signature")).length >= 3);
    otherKey.close();
    expect(ok.content).toMatchObject({ status: "ok" });
    expect(evaluator.executed.map((e) => e.code)).toEqual(["print signed"]);
    expect(logs.filter((l) => l.includes("bad_signature"))).toHaveLength(3);
    expect(client.inbox.shell.all.some((m) => parentId(m) === forged.header.msg_id)).toBe(false);
  });

  it("runs a replayed message once", async () => {
    const { header, frames } = client.frames("execute_request", { code: "print once" });
    client.sendRaw("shell", frames);
    client.sendRaw("shell", frames);
    await client.reply("shell", header.msg_id);
    await client.request("shell", "kernel_info_request", {}); // the replay, if run, would precede this
    expect(evaluator.executed.filter((e) => e.code === "print once")).toHaveLength(1);
    expect(logs.some((l) => l.startsWith("dropped replayed message"))).toBe(true);
  });

  it("publishes display_data and update_display_data with the display id", async () => {
    const header = client.send("shell", "execute_request", { code: "display hello" });
    const outputs = await client.outputs(header.msg_id);
    const displays = outputs.filter((m) => m.header.msg_type.includes("display"));
    expect(displays.map((m) => [m.header.msg_type, m.content])).toEqual([
      ["display_data", { data: { "text/plain": "hello" }, metadata: {}, transient: { display_id: "d1" } }],
      ["update_display_data", { data: { "text/plain": "hello!" }, metadata: {}, transient: { display_id: "d1" } }],
    ]);
  });

  it("replaces output JSON cannot carry with a note on stderr, and still replies", async () => {
    const header = client.send("shell", "execute_request", { code: "bigint" });
    const reply = await client.reply("shell", header.msg_id);
    expect(reply.content).toMatchObject({ status: "ok" });
    const outputs = await client.outputs(header.msg_id);
    const note = outputs.find((m) => m.header.msg_type === "stream");
    expect(note?.content).toMatchObject({ name: "stderr", text: expect.stringMatching(/output could not be sent: .*BigInt/) });
  });

  it("carries comm messages both ways", async () => {
    client.send("shell", "comm_open", { comm_id: "w1", target_name: "jupyter.widget", data: {} });
    const msg = client.send("shell", "comm_msg", { comm_id: "w1", data: { value: 3 } });
    const outputs = await client.outputs(msg.msg_id);
    const echo = outputs.find((m) => m.header.msg_type === "comm_msg");
    expect(echo?.content).toEqual({ comm_id: "w1", data: { echo: { value: 3 } } });
    const info = await client.request("shell", "comm_info_request", {});
    expect(info.content).toEqual({ status: "ok", comms: { c1: { target_name: "jupyter.widget" } } });
  });

  it("signs everything it sends and publishes status with the request as parent", async () => {
    const header = client.send("control", "kernel_info_request", {});
    await client.reply("control", header.msg_id);
    const outputs = await client.outputs(header.msg_id);
    expect(outputs.map((m) => m.header.msg_type)).toEqual(["status", "status"]);
    expect(outputs[0]!.header).toMatchObject({ session: server.session, version: "5.3", username: "kernel" });
    expect(Number.isNaN(Date.parse(outputs[0]!.header.date))).toBe(false);
    expect(client.undecodable).toEqual([]);
  });
});
