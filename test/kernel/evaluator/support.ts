// Driving TsEvaluator directly: a sink that records what a cell emits, and a runner that
// numbers executions as the protocol would.

import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { ExecuteOptions, ExecuteOutcome, MainThreadSink, OutputEvent } from "../../../src/kernel/protocol/evaluator.js";
import { TsEvaluator, type TsEvaluatorOptions } from "../../../src/kernel/evaluator/index.js";

export class RecordingSink implements MainThreadSink {
  readonly events: OutputEvent[] = [];
  readonly prompts: string[] = [];

  constructor(private readonly answers: string[] = []) {}

  emit(event: OutputEvent): void {
    this.events.push(event);
  }

  async input(prompt: string): Promise<string> {
    return this.inputSync(prompt);
  }

  inputSync(prompt: string): string {
    this.prompts.push(prompt);
    return this.answers.shift() ?? "";
  }

  /** All text of one stream, in order. */
  text(name: "stdout" | "stderr"): string {
    return this.events.flatMap((e) => (e.type === "stream" && e.name === name ? [e.text] : [])).join("");
  }
}

export type Ran = { outcome: ExecuteOutcome; sink: RecordingSink };

export class Session {
  private count = 1;

  constructor(readonly evaluator: TsEvaluator) {}

  /** Executes `code` as the next cell (`In [n]`). */
  async run(code: string, options: Partial<ExecuteOptions> & { sink?: RecordingSink } = {}): Promise<Ran> {
    const sink = options.sink ?? new RecordingSink();
    const executionCount = this.count;
    const storeHistory = options.storeHistory ?? true;
    if (storeHistory) this.count++;
    const outcome = await this.evaluator.execute(
      code,
      { executionCount, silent: false, storeHistory, userExpressions: {}, allowStdin: true, stopOnError: true, ...options },
      sink,
    );
    return { outcome, sink };
  }

  /** The text/plain of the cell's result, or undefined when it has none; throws on error. */
  async value(code: string): Promise<string | undefined> {
    const { outcome } = await this.run(code);
    if (outcome.status !== "ok") throw new Error(`cell failed: ${outcome.ename}: ${outcome.evalue}\n${outcome.traceback.join("\n")}`);
    return outcome.result?.data["text/plain"] as string | undefined;
  }

  get nextCount(): number {
    return this.count;
  }
}

export function tempDir(prefix = "tsjit-evaluator-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** An evaluator with its history in a temp dir and type checking off unless asked. */
export function newSession(opts: Partial<TsEvaluatorOptions> = {}): Session {
  const cwd = opts.cwd ?? tempDir();
  return new Session(new TsEvaluator({ cwd, typeCheck: "off", historyFile: join(cwd, "history.jsonl"), ...opts }));
}

/** Strips ANSI colour codes from traceback lines. */
export function plain(lines: readonly string[]): string {
  // eslint-disable-next-line no-control-regex
  return lines.join("\n").replace(/\x1b\[[0-9;]*m/g, "");
}
