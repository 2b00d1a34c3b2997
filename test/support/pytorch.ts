/**
 * Real PyTorch as a reference: runs Debian's /usr/bin/python3 (python3-torch 1.13) on a script
 * that prints JSON. Tests that need it skip with a clear message where it is absent, except
 * under CI=true, where .ci/run has installed it and its absence is a failure.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const PYTHON = "/usr/bin/python3";

function probe(): boolean {
  if (!existsSync(PYTHON)) return false;
  try {
    execFileSync(PYTHON, ["-c", "import torch"], { stdio: "ignore", timeout: 60_000 });
    return true;
  } catch {
    return false;
  }
}

export const hasTorch = probe();

if (!hasTorch) {
  if (process.env["CI"] === "true") {
    throw new Error("CI=true but PyTorch (Debian python3-torch) is not importable by /usr/bin/python3: .ci/run must install it");
  }
  console.warn("[tsjit tests] PyTorch not found (apt-get install python3-torch): skipping PyTorch reference tests");
}

/** Runs `script` under PyTorch; it must print one JSON document on stdout. */
export function runTorch<T = unknown>(script: string): T {
  const prelude = "import json, math, torch\ntorch.set_num_threads(1)\n";
  const out = execFileSync(PYTHON, ["-c", prelude + script], {
    encoding: "utf8",
    timeout: 120_000,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, OMP_NUM_THREADS: "1", OMP_WAIT_POLICY: "PASSIVE" },
  });
  return JSON.parse(out) as T;
}
