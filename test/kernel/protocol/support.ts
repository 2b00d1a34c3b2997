// Helpers shared by the protocol integration tests: connection files and a kernel child process.

import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { toConnectionJson, type ConnectionInfo, type Ports } from "../../../src/kernel/protocol/connection.js";

/** Loopback, every port 0 (the kernel picks free ones and reports them), a fresh key. */
export function loopbackConnection(): ConnectionInfo {
  return {
    transport: "tcp",
    ip: "127.0.0.1",
    ports: { shell: 0, control: 0, stdin: 0, iopub: 0, hb: 0 },
    key: randomUUID(),
    signatureScheme: "hmac-sha256",
  };
}

export interface KernelProcess {
  connection: ConnectionInfo;
  child: ChildProcess;
  stderr: string[];
  exited: Promise<number | null>;
  kill(): void;
}

const ROOT = fileURLToPath(new URL("../../../", import.meta.url));
const FAKE_KERNEL = fileURLToPath(new URL("./fixtures/fake_kernel.ts", import.meta.url));

/** Starts fixtures/fake_kernel.ts in a child process (so SIGINT hits it, not the test runner). */
export async function spawnFakeKernel(timeoutMs = 10_000): Promise<KernelProcess> {
  const dir = mkdtempSync(join(tmpdir(), "tsjit-kernel-"));
  const base = loopbackConnection();
  const file = join(dir, "connection.json");
  writeFileSync(file, JSON.stringify(toConnectionJson(base)));
  const child = spawn(process.execPath, ["--import", "tsx", FAKE_KERNEL, file], { cwd: ROOT, stdio: ["ignore", "pipe", "pipe"] });
  const stderr: string[] = [];
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => stderr.push(chunk));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => {
    rmSync(dir, { recursive: true, force: true });
    resolve(code);
  }));
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`fake kernel did not start: ${stderr.join("")}`)), timeoutMs);
    lines.once("line", (line) => {
      clearTimeout(timer);
      resolve(line);
    });
    void exited.then((code) => reject(new Error(`fake kernel exited with ${code}: ${stderr.join("")}`)));
  });
  const { ports } = JSON.parse(first) as { ports: Ports };
  return { connection: { ...base, ports }, child, stderr, exited, kill: () => child.kill("SIGKILL") };
}
