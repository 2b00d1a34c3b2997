// When the kernel process loads its evaluator (Note [answer before the evaluator loads] in
// src/kernel/main.ts): after the first kernel_info_reply, or on its own when nobody asks.

import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { toConnectionJson, type ConnectionInfo } from "../../../src/kernel/protocol/connection.js";
import { freePort } from "../clients/support.js";
import { TestClient } from "../support/client.js";
import { loopbackConnection } from "./support.js";

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const LAZY_KERNEL = fileURLToPath(new URL("./fixtures/lazy_kernel.ts", import.meta.url));

interface Started {
  connection: ConnectionInfo;
  child: ChildProcess;
  /** Resolves when the kernel says it started loading its evaluator. */
  loading: Promise<void>;
  loadingSeen: () => boolean;
}

const cleanups: Array<() => void> = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

async function startKernel(loadUnaskedMs: number): Promise<Started> {
  const dir = mkdtempSync(join(tmpdir(), "tsjit-load-"));
  const ports = { shell: await freePort(), control: await freePort(), stdin: await freePort(), iopub: await freePort(), hb: await freePort() };
  const connection: ConnectionInfo = { ...loopbackConnection(), ports };
  const file = join(dir, "connection.json");
  writeFileSync(file, JSON.stringify(toConnectionJson(connection)));
  const child = spawn(process.execPath, ["--import", "tsx", LAZY_KERNEL, file, String(loadUnaskedMs)], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  cleanups.push(() => {
    child.kill("SIGKILL");
    rmSync(dir, { recursive: true, force: true });
  });
  let seen = false;
  const loading = new Promise<void>((resolve) => {
    child.stdout!.setEncoding("utf8").on("data", (chunk: string) => {
      if (chunk.includes("loading the evaluator")) {
        seen = true;
        resolve();
      }
    });
  });
  return { connection, child, loading, loadingSeen: () => seen };
}

describe("the kernel process loads its evaluator", () => {
  it("after answering the first kernel_info, not before", async () => {
    const kernel = await startKernel(60_000);
    await new Promise((r) => setTimeout(r, 1500)); // started and bound by now (or still starting): nothing asked yet
    expect(kernel.loadingSeen()).toBe(false);
    const client = await TestClient.connect(kernel.connection, 20_000); // asks for kernel_info until answered
    cleanups.push(() => client.close());
    await kernel.loading;
    expect(kernel.loadingSeen()).toBe(true);
  }, 30_000);

  it("on its own, a while after binding, when no frontend asks", async () => {
    const kernel = await startKernel(100);
    await kernel.loading;
    expect(kernel.loadingSeen()).toBe(true);
  }, 30_000);
});
