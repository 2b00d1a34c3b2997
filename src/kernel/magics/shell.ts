/**
 * Shell commands: `!cmd` (output streamed as it comes), `%sx cmd` (output captured as lines,
 * IPython's `%sx`), `%%bash` / `%%sh` (the cell is the script). Commands run in the notebook's
 * working directory with the kernel's environment; stdin is closed (there is no terminal).
 * A non-zero exit status is reported on stderr and kept as `exitCode` (IPython's `_exit_code`).
 */
import { spawn, type ChildProcess } from "node:child_process";
import type { MagicsHost } from "./host.js";
import { shellSplit } from "./options.js";

export interface ShellState {
  /** The exit status of the last command (IPython's `_exit_code`). */
  exitCode: number;
  /** Running commands, so an interrupt can stop them. */
  readonly running: Set<ChildProcess>;
}

interface RunOptions {
  /** Text for the command's stdin; stdin is closed at once when absent. */
  input?: string;
  /** Collect stdout instead of streaming it. */
  capture?: boolean;
}

function describeExit(what: string, code: number | null, signal: NodeJS.Signals | null): string {
  return signal !== null ? `${what} was killed by ${signal}\n` : `${what} exited with status ${code}\n`;
}

function run(host: MagicsHost, state: ShellState, what: string, child: ChildProcess, opts: RunOptions): Promise<string> {
  state.running.add(child);
  let captured = "";
  child.stdout?.setEncoding("utf8");
  child.stderr?.setEncoding("utf8");
  child.stdout?.on("data", (chunk: string) => {
    if (opts.capture) captured += chunk;
    else host.stdout(chunk);
  });
  child.stderr?.on("data", (chunk: string) => host.stderr(chunk));
  if (opts.input !== undefined) child.stdin?.end(opts.input);
  return new Promise((resolve, reject) => {
    child.on("error", (e) => {
      state.running.delete(child);
      reject(new Error(`${what} could not start: ${e.message}`));
    });
    child.on("close", (code, signal) => {
      state.running.delete(child);
      state.exitCode = code ?? 128;
      if (code !== 0) host.stderr(describeExit(what, code, signal));
      resolve(captured);
    });
  });
}

function spawnShell(host: MagicsHost, command: string, input: boolean): ChildProcess {
  return spawn(command, { shell: true, cwd: host.cwd(), env: process.env, stdio: [input ? "pipe" : "ignore", "pipe", "pipe"] });
}

/** `!cmd`: runs it with /bin/sh, streaming its output. */
export async function shellCommand(host: MagicsHost, state: ShellState, command: string): Promise<void> {
  if (command.trim() === "") return;
  await run(host, state, `!${command}`, spawnShell(host, command, false), {});
}

/** `%sx cmd`: its stdout as lines (stderr still streams). */
export async function shellCapture(host: MagicsHost, state: ShellState, command: string): Promise<string[]> {
  const out = await run(host, state, `%sx ${command}`, spawnShell(host, command, false), { capture: true });
  const lines = out.split(/\r?\n/);
  if (lines[lines.length - 1] === "") lines.pop();
  return lines;
}

/** `%%bash args` / `%%sh args`: the cell text is the script, fed on stdin as IPython does. */
export async function shellScript(host: MagicsHost, state: ShellState, shell: string, args: string, script: string): Promise<void> {
  const child = spawn(shell, shellSplit(args), { cwd: host.cwd(), env: process.env, stdio: ["pipe", "pipe", "pipe"] });
  await run(host, state, `%%${shell}`, child, { input: script });
}
