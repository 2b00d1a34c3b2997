// `tsjit run <notebook.ipynb ...> [--output DIR | --inplace] [--timeout S]`: executes notebooks
// headless through the tsjit kernel over the real Jupyter protocol (no Python, no Jupyter), one
// fresh kernel per notebook in the notebook's folder, as nbclient does. Each cell's output is
// printed as text/plain with progress; the executed notebooks are written back; the exit code is
// 1 when a cell failed (each failure named: notebook, cell index, ename: evalue), 2 on a usage
// mistake.

import { mkdir } from "node:fs/promises";
import { basename, dirname, join, resolve } from "node:path";
import { executeCell } from "./execute_cell.js";
import { KernelSession, KernelSessionError } from "./kernel_session.js";
import { NotebookFormatError, readNotebook, writeNotebook, type Json, type Notebook, type Output } from "./notebook.js";

export const RUN_USAGE = "tsjit run <notebook.ipynb ...> [--output DIR | --inplace] [--timeout S]";

export interface RunOptions {
  notebooks: string[];
  /** Where executed notebooks go: a folder, the notebook itself, or nowhere (print only). */
  destination: { kind: "dir"; dir: string } | { kind: "inplace" } | { kind: "none" };
  /** Per cell, in seconds. */
  timeoutS: number;
}

export class RunUsageError extends Error {
  override name = "RunUsageError";
}

const DEFAULT_TIMEOUT_S = 600;

/** @throws RunUsageError naming the bad argument */
export function parseRunArgs(args: readonly string[]): RunOptions {
  const notebooks: string[] = [];
  let destination: RunOptions["destination"] = { kind: "none" };
  let timeoutS = DEFAULT_TIMEOUT_S;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = (): string => {
      const v = args[++i];
      if (v === undefined) throw new RunUsageError(`${arg} needs a value`);
      return v;
    };
    if (arg === "--inplace") {
      if (destination.kind === "dir") throw new RunUsageError("--inplace and --output exclude each other");
      destination = { kind: "inplace" };
    } else if (arg === "--output" || arg === "-o") {
      if (destination.kind === "inplace") throw new RunUsageError("--inplace and --output exclude each other");
      destination = { kind: "dir", dir: value() };
    } else if (arg === "--timeout") {
      const text = value();
      timeoutS = Number(text);
      if (!Number.isFinite(timeoutS) || timeoutS <= 0) throw new RunUsageError(`--timeout expects a positive number of seconds, got ${JSON.stringify(text)}`);
    } else if (arg.startsWith("-")) {
      throw new RunUsageError(`unknown option ${JSON.stringify(arg)}`);
    } else {
      notebooks.push(arg);
    }
  }
  if (notebooks.length === 0) throw new RunUsageError("expected at least one notebook (.ipynb)");
  return { notebooks, destination, timeoutS };
}

/** A cell that failed: what the exit message names. */
export interface CellFailure {
  notebook: string;
  cellIndex: number;
  ename: string;
  evalue: string;
}

export interface RunIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const stdio: RunIo = { out: (t) => process.stdout.write(t), err: (t) => process.stderr.write(t) };

/** What a terminal shows of an output: its text/plain (a traceback for errors). */
function terminalText(output: Output): string {
  switch (output.output_type) {
    case "stream":
      return output.text;
    case "error":
      return `${output.traceback.length > 0 ? output.traceback.join("\n") : `${output.ename}: ${output.evalue}`}\n`;
    default: {
      const plain: Json | undefined = output.data["text/plain"];
      return typeof plain === "string" ? (plain.endsWith("\n") ? plain : `${plain}\n`) : "";
    }
  }
}

function firstLine(source: string): string {
  const line = source.split("\n").find((l) => l.trim().length > 0) ?? "";
  return line.length > 60 ? `${line.slice(0, 57)}...` : line;
}

/**
 * Runs one notebook's code cells in order in a fresh kernel; stops at the first failing cell
 * (later cells keep what they had, as nbclient leaves them). Returns the failure, if any.
 */
async function runNotebook(path: string, notebook: Notebook, options: RunOptions, io: RunIo): Promise<CellFailure | undefined> {
  const codeCells = notebook.cells.flatMap((cell, index) => (cell.cell_type === "code" ? [index] : []));
  io.out(`${path}: ${codeCells.length} code cells\n`);
  const kernel = await KernelSession.start({ cwd: dirname(resolve(path)) });
  try {
    const info = await kernel.kernelInfo();
    await kernel.waitForEvaluator();
    if (typeof info["language_info"] === "object" && info["language_info"] !== null) notebook.metadata["language_info"] = info["language_info"] as Json;
    for (const [n, index] of codeCells.entries()) {
      const cell = notebook.cells[index]!;
      io.out(`[${n + 1}/${codeCells.length}] cell ${index}: ${firstLine(cell.source)}\n`);
      const result = await executeCell(kernel, cell.source, options.timeoutS * 1000, (output) => io.out(terminalText(output))).catch((e: unknown) => {
        // The kernel died or stopped answering: this cell failed; the kernel's stderr is in the message.
        if (!(e instanceof KernelSessionError)) throw e;
        return { status: "error" as const, executionCount: null, outputs: [], ename: e.name, evalue: e.message };
      });
      cell.outputs = result.outputs;
      cell.execution_count = result.executionCount;
      if (result.status === "error") {
        if (!result.outputs.some((o) => o.output_type === "error")) io.err(`${result.ename}: ${result.evalue}\n`);
        return { notebook: path, cellIndex: index, ename: result.ename, evalue: result.evalue };
      }
    }
    return undefined;
  } finally {
    await kernel.close();
  }
}

async function destinationOf(path: string, options: RunOptions): Promise<string | undefined> {
  const { destination } = options;
  if (destination.kind === "none") return undefined;
  if (destination.kind === "inplace") return path;
  await mkdir(destination.dir, { recursive: true });
  return join(destination.dir, basename(path));
}

/** Runs every notebook (each one even if an earlier one failed); resolves to the failures. */
export async function runNotebooks(options: RunOptions, io: RunIo = stdio): Promise<CellFailure[]> {
  const failures: CellFailure[] = [];
  for (const path of options.notebooks) {
    const notebook = await readNotebook(path);
    const failure = await runNotebook(path, notebook, options, io);
    if (failure !== undefined) failures.push(failure);
    const target = await destinationOf(path, options);
    if (target !== undefined) {
      await writeNotebook(target, notebook);
      io.out(`${path}: wrote ${target}\n`);
    }
  }
  return failures;
}

/** The `tsjit run` command: resolves to the process exit code. */
export async function runCommand(args: readonly string[], io: RunIo = stdio): Promise<number> {
  let options: RunOptions;
  try {
    options = parseRunArgs(args);
  } catch (e) {
    if (!(e instanceof RunUsageError)) throw e;
    io.err(`tsjit run: ${e.message}\nusage: ${RUN_USAGE}\n`);
    return 2;
  }
  let failures: CellFailure[];
  try {
    failures = await runNotebooks(options, io);
  } catch (e) {
    // A notebook that cannot be read, or a kernel that cannot start: the message says which and why.
    const expected = e instanceof NotebookFormatError || e instanceof KernelSessionError || typeof (e as { code?: unknown }).code === "string";
    if (!expected) throw e;
    io.err(`tsjit run: ${(e as Error).message}\n`);
    return 1;
  }
  for (const f of failures) io.err(`tsjit run: ${f.notebook}: cell ${f.cellIndex} failed: ${f.ename}: ${f.evalue}\n`);
  return failures.length === 0 ? 0 : 1;
}
