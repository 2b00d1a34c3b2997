/**
 * Running `tsjit run` as a user does (a child process), and reading PyTorch 1.13's reference
 * outputs for the article (../shared/reference/pytorch-1.13-seed-outputs.md).
 *
 * Note [cli from dist or sources]: as the kernel client tests do (test/kernel/clients/support.ts),
 * the command runs from dist/ when dist/ is at least as new as src/ (`npm test` builds it first),
 * otherwise from src/cli.ts through tsx, with a warning; under CI=true a stale dist/ is an error.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { distIsFresh } from "../support/dist_fresh.js";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const SEED_OUTPUTS = fileURLToPath(new URL("../../../shared/reference/pytorch-1.13-seed-outputs.md", import.meta.url));

/** The node arguments that start `tsjit` (Note [cli from dist or sources]). */
function cliArgs(): string[] {
  const dist = join(ROOT, "dist", "cli.js");
  if (distIsFresh(dist)) return [dist];
  if (process.env["CI"] === "true") throw new Error("CI=true but dist/ is older than src/: run the tests with `npm test` (its pretest builds dist/)");
  console.warn("[tsjit tests] dist/ is older than src/ (run `npm run build`): tsjit run runs src/cli.ts through tsx");
  return ["--import", import.meta.resolve("tsx"), join(ROOT, "src", "cli.ts")];
}

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs `tsjit <args>` in `cwd`; asynchronous so vitest's timers keep running. */
export function runTsjit(args: string[], cwd: string, timeoutMs = 240_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [...cliArgs(), ...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("exit", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * One verbatim block of the reference outputs: the fenced block under `## <title>` (the title
 * as written there, e.g. "1g. traced_cell.code"), without its trailing newline.
 */
export function seedOutput(title: string): string {
  const text = readFileSync(SEED_OUTPUTS, "utf8");
  const heading = text.split(/^## /m).find((section) => section.split("\n", 1)[0]!.trim() === title);
  if (heading === undefined) throw new Error(`${SEED_OUTPUTS} has no section "## ${title}"`);
  const block = /^```[a-z]*\n([\s\S]*?)^```/m.exec(heading);
  if (block?.[1] === undefined) throw new Error(`${SEED_OUTPUTS}: section "${title}" has no fenced block`);
  return block[1].replace(/\n$/, "");
}

/** The first `tensor(...)` of a printed tuple or array, whitespace removed (Python's tuple and util.inspect's array indent differently). */
export function firstTensor(printed: string): string {
  const start = printed.indexOf("tensor(");
  if (start < 0) throw new Error(`no tensor in ${printed}`);
  let depth = 0;
  for (let i = start + "tensor".length; i < printed.length; i++) {
    if (printed[i] === "(") depth++;
    else if (printed[i] === ")" && --depth === 0) return printed.slice(start, i + 1).replace(/\s+/g, "");
  }
  throw new Error(`unbalanced tensor in ${printed}`);
}
