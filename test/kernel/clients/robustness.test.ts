// 10,000 random and malformed messages on shell and control against the real kernel process
// (the TypeScript evaluator, started from the kernelspec install.js wrote): every signed request
// is answered, nothing unsigned, forged or replayed runs, and the kernel still works afterwards.
// (test/kernel/protocol/kernel_process.test.ts does 1,000 against the fake evaluator.)

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import * as zmq from "zeromq";
import { endpoint, type ConnectionInfo } from "../../../src/kernel/protocol/connection.js";
import { decode, type RawMessage, type Signer } from "../../../src/kernel/protocol/wire.js";
import { TestClient } from "../support/client.js";
import { installTempKernel, spawnInstalledKernel, type InstalledKernel, type KernelInstall } from "./support.js";

const TOTAL = 10_000;
const BATCH = 500;

/**
 * Sends over its own DEALER sockets, one send at a time: zeromq refuses a send while another is
 * still in progress (a large message can be), and a dropped send would look like a lost reply.
 * Replies come back to these sockets (the kernel's ROUTER routes by identity); IOPub is watched
 * by the TestClient.
 */
class SerialSender {
  readonly replied = new Set<string>();
  private readonly sockets: Record<"shell" | "control", zmq.Dealer>;
  private readonly queues: Record<"shell" | "control", Promise<void>> = { shell: Promise.resolve(), control: Promise.resolve() };

  constructor(connection: ConnectionInfo, signer: Signer) {
    this.sockets = { shell: new zmq.Dealer({ linger: 0 }), control: new zmq.Dealer({ linger: 0 }) };
    for (const channel of ["shell", "control"] as const) {
      const socket = this.sockets[channel];
      socket.connect(endpoint(connection, channel));
      void (async () => {
        for await (const frames of socket) {
          const decoded = decode(frames, signer);
          const parent = decoded.ok ? (decoded.message.parent_header as { msg_id?: string }).msg_id : undefined;
          if (parent !== undefined) this.replied.add(parent);
        }
      })().catch(() => undefined); // closed
    }
  }

  readonly sendErrors: string[] = [];

  send(channel: "shell" | "control", frames: Buffer[]): void {
    this.queues[channel] = this.queues[channel]
      .then(() => this.sockets[channel].send(frames))
      .catch((e: unknown) => void this.sendErrors.push(`${channel}: ${String(e)}`));
  }

  async waitFor(ids: string[], timeoutMs: number): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    while (ids.some((id) => !this.replied.has(id)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    return ids.filter((id) => !this.replied.has(id));
  }

  close(): void {
    for (const socket of Object.values(this.sockets)) socket.close();
  }
}

/** A deterministic generator (a fixed seed makes a failure reproducible). */
function lcg(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31;
}

// Request types that must be answered. shutdown_request is left out (it would end the test), as
// are comm_* and input_reply, which get no reply by the spec.
const MSG_TYPES = [
  "execute_request", "complete_request", "inspect_request", "history_request", "is_complete_request",
  "kernel_info_request", "comm_info_request", "interrupt_request", "bogus_request", "debug_request", "execute_reply", "x".repeat(300),
];
// Code that is safe to run whatever it means: syntax errors, unknown names, nothing with side effects.
const CODES = ["", "1+", "}{", "print x", "\u0000", ")".repeat(1000), "let = 5", "undefinedName", "`${", "/*", "\ud800", "ünïcödé + 😀", "1 +\n\n\n+"];

function junkContent(random: () => number): unknown {
  const code = CODES[Math.floor(random() * CODES.length)]!;
  const pool: unknown[] = [
    null, 42, "x", [1, 2], true, {}, { code: 7 }, { code }, { code, cursor_pos: -1 }, { code, cursor_pos: 1e9 },
    { code, cursor_pos: 1.5 }, { code, cursor_pos: "3" }, { code, cursor_pos: 0, detail_level: 7 },
    { code, silent: "yes" }, { code, user_expressions: [] }, { code, allow_stdin: 1 }, { hist_access_type: "range" },
    { hist_access_type: "tail", n: -5 }, { hist_access_type: "search", pattern: 5 }, { hist_access_type: "nope" },
    { target_name: 3 }, { a: { b: { c: { d: [[[[[]]]]] } } } }, { code: "x".repeat(100_000), cursor_pos: 3 },
  ];
  return pool[Math.floor(random() * pool.length)];
}

function randomBytes(random: () => number, length: number): Buffer {
  return Buffer.from(Array.from({ length }, () => Math.floor(random() * 256)));
}

describe("the real kernel under 10,000 random and malformed messages", () => {
  let install: KernelInstall;
  let kernel: InstalledKernel;
  let client: TestClient;
  let sender: SerialSender;

  beforeAll(async () => {
    install = installTempKernel();
    kernel = await spawnInstalledKernel(install);
    const died = kernel.exited.then((code) => Promise.reject(new Error(`the kernel exited with ${code}:\n${kernel.stderr.join("")}`)));
    client = await Promise.race([TestClient.connect(kernel.connection, 60_000), died]);
    sender = new SerialSender(kernel.connection, client.signer);
  }, 90_000);

  afterAll(async () => {
    sender?.close();
    client?.close();
    kernel?.kill();
    if (kernel !== undefined) await kernel.exited;
    install?.cleanup();
  });

  it("answers every signed request and drops the rest", async () => {
    const random = lcg(20_240_601);
    const channels = ["shell", "control"] as const;
    const sentValid: Buffer[][] = [];
    let answered = 0;
    for (let start = 0; start < TOTAL; start += BATCH) {
      const expected = new Map<string, string>(); // msg_id → what was sent, for the failure message
      for (let i = start; i < Math.min(TOTAL, start + BATCH); i++) {
        const channel = channels[i % 2]!;
        const kind = random();
        if (kind < 0.1) {
          // Garbage frames: random bytes, sometimes around a real delimiter.
          const frames = Array.from({ length: Math.floor(random() * 8) }, () => randomBytes(random, Math.floor(random() * 64)));
          if (random() < 0.5) frames.splice(Math.floor(random() * (frames.length + 1)), 0, Buffer.from("<IDS|MSG>"));
          sender.send(channel, frames.length > 0 ? frames : [Buffer.alloc(0)]);
        } else if (kind < 0.2) {
          const { frames } = client.frames("execute_request", { code: 'console.log("pwned")' });
          frames[1] = Buffer.from(random() < 0.5 ? "0".repeat(64) : randomBytes(random, 32).toString("hex")); // forged signature
          sender.send(channel, frames);
        } else if (kind < 0.25 && sentValid.length > 0) {
          sender.send(channel, sentValid[Math.floor(random() * sentValid.length)]!); // a replay: dropped
        } else if (kind < 0.3) {
          // Correctly signed, but the header is not a usable header.
          const header = ["{not json", "[]", '{"msg_id": 5}', "null", '{"msg_id": "m", "msg_type": ""}'].map((h) => Buffer.from(h))[Math.floor(random() * 5)]!;
          const json = [header, Buffer.from("{}"), Buffer.from("{}"), Buffer.from("{}")];
          sender.send(channel, [Buffer.from("<IDS|MSG>"), Buffer.from(client.signer.sign(json)), ...json]);
        } else {
          const msgType = MSG_TYPES[Math.floor(random() * MSG_TYPES.length)]!;
          const content = junkContent(random);
          const { header, frames } = client.frames(msgType, content);
          sender.send(channel, frames);
          if (sentValid.length < 100) sentValid.push(frames);
          expected.set(header.msg_id, `${msgType.slice(0, 40)} on ${channel}: ${JSON.stringify(content)?.slice(0, 80)}`);
        }
      }
      const missing = await sender.waitFor([...expected.keys()], 60_000);
      expect(missing.map((id) => expected.get(id))).toEqual([]);
      answered += expected.size;
    }
    expect(answered).toBeGreaterThan(TOTAL / 2);
    expect(sender.sendErrors).toEqual([]);
    expect(client.undecodable).toEqual([]);
  }, 600_000);

  it("ran nothing it should not have: no forged cell printed", () => {
    expect(client.inbox.iopub.all.some((m: RawMessage) => JSON.stringify(m.content).includes("pwned"))).toBe(false);
  });

  it("still answers: heartbeat, kernel_info, and a cell", async () => {
    await client.ping();
    const info = await client.request("control", "kernel_info_request", {});
    expect(info.header.msg_type).toBe("kernel_info_reply");
    const request = client.send("shell", "execute_request", { code: "const survived = 6 * 7;\nsurvived" });
    const outputs = await client.outputs(request.msg_id, 30_000);
    const result = outputs.find((m) => m.header.msg_type === "execute_result");
    expect((result?.content as { data: Record<string, string> } | undefined)?.data["text/plain"]).toBe("42");
  }, 60_000);

  it("logged no internal errors", () => {
    expect(kernel.stderr.join("")).not.toMatch(/internal error|receive loop stopped|heartbeat stopped|send failed|Unhandled|Uncaught/);
  });
});
