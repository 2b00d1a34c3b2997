// The whole protocol side in a real kernel process: protocol thread (worker) + fake evaluator on
// the main thread, over real ZeroMQ on loopback, driven by our TypeScript client.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RawMessage } from "../../../src/kernel/protocol/wire.js";
import { parentId, TestClient } from "../support/client.js";
import { spawnFakeKernel, type KernelProcess } from "./support.js";

const content = <T>(m: RawMessage): T => m.content as T;
const types = (ms: RawMessage[]): string[] => ms.map((m) => (m.header.msg_type === "status" ? `status:${content<{ execution_state: string }>(m).execution_state}` : m.header.msg_type));

describe("kernel process (protocol thread + main-thread evaluator)", () => {
  let kernel: KernelProcess;
  let client: TestClient;

  beforeAll(async () => {
    kernel = await spawnFakeKernel();
    client = await TestClient.connect(kernel.connection);
  }, 20_000);

  afterAll(async () => {
    client?.close();
    kernel?.kill();
  });

  it("answers kernel_info on shell and control", async () => {
    for (const channel of ["shell", "control"] as const) {
      const reply = await client.request(channel, "kernel_info_request", {});
      expect(reply.header.msg_type).toBe("kernel_info_reply");
      expect(content<{ protocol_version: string; language_info: { name: string } }>(reply)).toMatchObject({
        protocol_version: "5.3",
        language_info: { name: "typescript" },
      });
    }
  });

  it("executes with busy, execute_input, output, result, reply, idle in order", async () => {
    const request = client.send("shell", "execute_request", { code: "result 42" });
    const reply = await client.reply("shell", request.msg_id);
    expect(content<{ status: string }>(reply).status).toBe("ok");
    const outputs = await client.outputs(request.msg_id);
    expect(types(outputs)).toEqual(["status:busy", "execute_input", "execute_result", "status:idle"]);
  });

  it("keeps heartbeat and control answering while the main thread spins for 2 s", async () => {
    const spin = client.send("shell", "execute_request", { code: "spin 2000" });
    await new Promise((r) => setTimeout(r, 200)); // the main thread is inside the loop now
    const started = performance.now();
    const pings: number[] = [];
    for (let i = 0; i < 5; i++) pings.push(await client.ping(`p${i}`));
    const info = await client.request("control", "kernel_info_request", {}, 1000);
    const controlMs = performance.now() - started;
    expect(Math.max(...pings)).toBeLessThan(100);
    expect(info.header.msg_type).toBe("kernel_info_reply");
    expect(controlMs).toBeLessThan(1000); // well before the 2 s spin ends
    const reply = await client.reply("shell", spin.msg_id, 5000);
    expect(content<{ status: string }>(reply).status).toBe("ok");
  });

  it("interrupts a synchronous while(true) through SIGINT and runs the next cell at once", async () => {
    const loop = client.send("shell", "execute_request", { code: "loop" });
    await new Promise((r) => setTimeout(r, 200));
    const sent = performance.now();
    const interrupt = await client.request("control", "interrupt_request", {}, 1000);
    expect(content<{ status: string }>(interrupt).status).toBe("ok");
    const reply = await client.reply("shell", loop.msg_id, 2000);
    expect(performance.now() - sent).toBeLessThan(500);
    expect(content<{ status: string; ename: string }>(reply)).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
    const next = await client.request("shell", "execute_request", { code: "print after" }, 1000);
    expect(content<{ status: string }>(next).status).toBe("ok"); // no abort window
  });

  it("interrupts a pending await", async () => {
    const hang = client.send("shell", "execute_request", { code: "hang" });
    await new Promise((r) => setTimeout(r, 100));
    await client.request("control", "interrupt_request", {}, 1000);
    const reply = await client.reply("shell", hang.msg_id, 2000);
    expect(content<{ ename: string }>(reply).ename).toBe("KeyboardInterrupt");
  });

  it("delivers 20,000 stream lines in order, all before idle", async () => {
    const request = client.send("shell", "execute_request", { code: "flood 20000" });
    const outputs = await client.outputs(request.msg_id, 20_000);
    const streams = outputs.filter((m) => m.header.msg_type === "stream");
    const stdout = streams.filter((m) => content<{ name: string }>(m).name === "stdout").map((m) => content<{ text: string }>(m).text).join("");
    const expected = Array.from({ length: 20_000 }, (_, i) => `line ${i}\n`).join("");
    expect(stdout).toBe(expected);
    expect(streams.length).toBeLessThan(2_000); // coalesced
    expect(types(outputs).at(-1)).toBe("status:idle");
    expect(types(outputs).at(-2)).toBe("stream"); // stderr "done" flushed before idle
  }, 30_000);

  it("answers input_request from a synchronous prompt on the main thread", async () => {
    const request = client.send("shell", "execute_request", { code: "inputsync name?", allow_stdin: true });
    const ask = await client.inbox.stdin.next((m) => parentId(m) === request.msg_id, 2000, "input_request");
    expect(ask.header.msg_type).toBe("input_request");
    expect(content<{ prompt: string }>(ask).prompt).toBe("name?");
    client.send("stdin", "input_reply", { value: "Ada" }, { parent: ask.header });
    const outputs = await client.outputs(request.msg_id);
    const text = outputs.filter((m) => m.header.msg_type === "stream").map((m) => content<{ text: string }>(m).text).join("");
    expect(text).toBe("got Ada\n");
  });

  it("interrupts a synchronous prompt waiting for input", async () => {
    const request = client.send("shell", "execute_request", { code: "inputsync never answered" });
    await client.inbox.stdin.next((m) => parentId(m) === request.msg_id, 2000, "input_request");
    await client.request("control", "interrupt_request", {}, 1000);
    const reply = await client.reply("shell", request.msg_id, 2000);
    expect(content<{ ename: string }>(reply).ename).toBe("KeyboardInterrupt");
  });

  it("takes an external SIGINT (interrupt_mode signal) without dying", async () => {
    kernel.child.kill("SIGINT"); // idle: nothing to stop, and the process must survive it
    await new Promise((r) => setTimeout(r, 100));
    expect(await client.ping()).toBeLessThan(1000);
    const loop = client.send("shell", "execute_request", { code: "loop" });
    await new Promise((r) => setTimeout(r, 200));
    kernel.child.kill("SIGINT");
    const reply = await client.reply("shell", loop.msg_id, 2000);
    expect(content<{ ename: string }>(reply).ename).toBe("KeyboardInterrupt");
  });

  it("survives 1,000 random and malformed messages on shell and control", async () => {
    const channels = ["shell", "control"] as const;
    const msgTypes = ["execute_request", "complete_request", "inspect_request", "history_request", "is_complete_request", "bogus_request", "kernel_info_request", "comm_info_request"];
    const expectReplies: Array<{ channel: (typeof channels)[number]; id: string }> = [];
    let seed = 12345;
    const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    const junk = (): unknown => [null, 42, "x", [1], { code: 7 }, { code: "print x", cursor_pos: 999 }, { detail_level: 3, code: "" }, {}][Math.floor(random() * 8)];
    for (let i = 0; i < 1000; i++) {
      const channel = channels[i % 2]!;
      const kind = Math.floor(random() * 4);
      if (kind === 0) {
        client.sendRaw(channel, [Buffer.from(`garbage ${i}`), Buffer.from([0, 255, 1])]);
      } else if (kind === 1) {
        const { frames } = client.frames("execute_request", { code: "print pwned" });
        frames[1] = Buffer.from("0".repeat(64)); // bad signature
        client.sendRaw(channel, frames);
      } else if (kind === 2) {
        const { frames } = client.frames("kernel_info_request", {});
        frames[2] = Buffer.from("{not json"); // breaks the signature too
        client.sendRaw(channel, frames);
      } else {
        const msgType = msgTypes[Math.floor(random() * msgTypes.length)]!;
        const body = junk();
        // A well-formed execute on control is refused; random content mostly fails validation.
        expectReplies.push({ channel, id: client.send(channel, msgType, body).msg_id });
      }
    }
    const replies = await Promise.all(expectReplies.map(({ channel, id }) => client.reply(channel, id, 10_000).then(() => null, () => id)));
    expect(replies.filter((r) => r !== null)).toEqual([]); // every signed request was answered
    expect(await client.ping()).toBeLessThan(1000);
    const ok = await client.request("shell", "execute_request", { code: "print still here" });
    expect(content<{ status: string }>(ok).status).toBe("ok");
    expect(client.undecodable).toEqual([]);
    // Nothing unsigned ran: "pwned" never printed.
    expect(client.inbox.iopub.all.some((m) => JSON.stringify(m.content).includes("pwned"))).toBe(false);
  }, 30_000);

  it("logged no internal errors", () => {
    expect(kernel.stderr.join("")).not.toMatch(/internal error|receive loop stopped|heartbeat stopped|send failed/);
  });

  it("shuts down on request: reply, then the process exits 0", async () => {
    const reply = await client.request("control", "shutdown_request", { restart: false });
    expect(content<{ status: string; restart: boolean }>(reply)).toEqual({ status: "ok", restart: false });
    const code = await Promise.race([kernel.exited, new Promise((r) => setTimeout(() => r("timeout"), 5000))]);
    expect(code).toBe(0);
  });
});
