// SIGINT stops a cell spinning in synchronous code and a cell waiting on a promise; the kernel
// process lives and runs the next cell. (A child process: the signal must not hit the runner.)

import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const CHILD = fileURLToPath(new URL("./fixtures/sigint_cells.ts", import.meta.url));

it("SIGINT interrupts `while (true) {}` and a pending await; the next cells run", async () => {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  const outcomes: unknown[] = [];
  const lines = createInterface({ input: child.stdout });
  for await (const line of lines) {
    const message = JSON.parse(line) as { event?: { type: string; text?: string }; outcome?: unknown };
    if (message.event?.text === "spinning\n" || message.event?.text === "waiting\n") {
      setTimeout(() => child.kill("SIGINT"), 50);
    }
    if (message.outcome !== undefined) outcomes.push(message.outcome);
  }
  expect(outcomes).toEqual([
    expect.objectContaining({ status: "error", ename: "KeyboardInterrupt" }),
    { status: "ok", result: { data: { "text/plain": "true" }, metadata: {} } },
    expect.objectContaining({ status: "error", ename: "KeyboardInterrupt" }),
    { status: "ok", result: { data: { "text/plain": "'after'" }, metadata: {} } },
  ]);
}, 60_000);
