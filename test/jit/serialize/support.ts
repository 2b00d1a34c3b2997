/** Shared helpers for the archive tests: the conformance cases and Python (not torch) pickles. */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";

export const casesDir = new URL("../../../../shared/conformance/cases/", import.meta.url);

export function caseNames(): string[] {
  return readdirSync(casesDir).filter((n) => existsSync(new URL(`${n}/model.pt`, casesDir))).sort();
}

export function caseArchive(name: string): Buffer {
  return readFileSync(new URL(`${name}/model.pt`, casesDir));
}

export function caseJson<T>(name: string, file: string): T {
  return JSON.parse(readFileSync(new URL(`${name}/${file}`, casesDir), "utf8")) as T;
}

/** CPython (golden pickle bytes, zipfile): skipped with a message where absent, required under CI=true. */
export const hasPython = existsSync("/usr/bin/python3");
if (!hasPython) {
  if (process.env["CI"] === "true") throw new Error("CI=true but /usr/bin/python3 is missing: .ci/run must install python3-torch");
  console.warn("[tsjit tests] /usr/bin/python3 not found: skipping the CPython pickle and zipfile comparisons");
}

/** Runs Python (no torch needed) and returns stdout as bytes. */
export function python(script: string, input?: Uint8Array): Buffer {
  return execFileSync("/usr/bin/python3", ["-c", script], { input, timeout: 60_000, maxBuffer: 64 * 1024 * 1024 });
}
