/**
 * IPython as a reference for magic output: Debian's /usr/bin/python3 with IPython (it comes
 * with python3-ipykernel, which Debian's jupyter-notebook installs). Tests skip with a message
 * where it is absent, except under CI=true, where its absence is a failure.
 */
import { execFileSync } from "node:child_process";
import { existsSync } from "node:fs";

const PYTHON = "/usr/bin/python3";

function probe(): boolean {
  if (!existsSync(PYTHON)) return false;
  try {
    execFileSync(PYTHON, ["-c", "import IPython.core.magics.execution"], { stdio: "ignore", timeout: 60_000 });
    return true;
  } catch {
    return false;
  }
}

export const hasIPython = probe();

if (!hasIPython) {
  if (process.env["CI"] === "true") {
    throw new Error("CI=true but IPython is not importable by /usr/bin/python3: .ci/run must install jupyter-notebook (python3-ipykernel)");
  }
  console.warn("[tsjit tests] IPython not found (apt-get install python3-ipython): skipping IPython reference tests");
}

/** Runs `script` (with IPython's execution magics imported) and parses its JSON output. */
export function runIPython<T = unknown>(script: string): T {
  const prelude = "import json\nfrom IPython.core.magics.execution import _format_time, TimeitResult\n";
  const out = execFileSync(PYTHON, ["-c", prelude + script], { encoding: "utf8", timeout: 60_000, env: { ...process.env, PYTHONIOENCODING: "utf-8" } });
  return JSON.parse(out) as T;
}
