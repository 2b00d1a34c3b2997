// TsEvaluator: the kernel's Evaluator for TypeScript cells, on the main thread.
//
// One execute: magics are rewritten (src/kernel/magics), the cell is compiled (cell_compiler.ts:
// parse errors stop here), type-checked against the earlier cells (src/kernel/language; in
// "error" mode type errors stop here, in "warn" mode they go to stderr), run (cell_runner.ts),
// and its last value becomes the execute_result (results.ts). Output of the cell goes to the
// request's sink (output_capture.ts). README.md in this folder explains the cell transform.

import { statSync } from "node:fs";
import path from "node:path";
import { InputNotAllowed } from "../protocol/evaluator.js";
import type {
  CommInbound,
  CompleteResult,
  ExecuteOptions,
  ExecuteOutcome,
  HistoryQuery,
  InspectResult,
  IsCompleteResult,
  MainThreadEvaluator,
  MainThreadSink,
  UserExpressionResult,
} from "../protocol/evaluator.js";
import type { HistoryTuple } from "../protocol/messages.js";
import { createDisplayApi, CommManager, type DisplayApi, type DisplaySink } from "../display/index.js";
import { createMagicsRuntime, rewriteMagics, type MagicsHost, type MagicsRuntime, type TypeCheckMode } from "../magics/index.js";
import { CellLanguageService, readNotebookTsconfig, type CellDiagnostic } from "../language/index.js";
import { registerSource } from "../../jit/source_registry.js";
import { compileCell, type CompiledCell } from "./cell_compiler.js";
import { defineGlobalGetter, defineGlobals, libraryGlobals, traceName, tsjitModule } from "./cell_globals.js";
import { CellRunner } from "./cell_runner.js";
import { Activity } from "./activity.js";
import { defaultHistoryFile, HistoryStore } from "./history.js";
import { ModuleLoader } from "./module_loader.js";
import { OutputRouter } from "./output_capture.js";
import { resultBundle, toProtocolBundle } from "./results.js";
import { RUNTIME } from "./runtime_names.js";
import { cellLabel, reportError, reportInterrupt, reportSyntaxError, reportTypeErrors, type ErrorReport, type RanCell } from "./traceback.js";

/** What the evaluator asks of the language side (CellLanguageService implements it). */
export interface CellLanguage {
  check(code: string): CellDiagnostic[];
  commit(code: string): void;
  complete(code: string, cursorPos: number): CompleteResult | Promise<CompleteResult>;
  inspect(code: string, cursorPos: number, detailLevel: 0 | 1): InspectResult | Promise<InspectResult>;
  isComplete(code: string): IsCompleteResult | Promise<IsCompleteResult>;
  warmUp?(): void;
  /** warmUp in steps (CellLanguageService.warmUpSteps). */
  warmUpSteps?(): Array<() => void>;
}

export interface TsEvaluatorOptions {
  /** The notebook's directory: relative imports, packages and tsconfig.json are found from here. */
  cwd: string;
  /** What a type error does: stop the cell ("error"), print to stderr and run ("warn"), nothing ("off"). */
  typeCheck?: TypeCheckMode;
  /** Where history is kept (default: history.ts's defaultHistoryFile). */
  historyFile?: string;
  /** The language service (default: a CellLanguageService for `cwd`). */
  language?: CellLanguage;
}

/** The mode the notebook's tsconfig.json asks for (`"tsjit": {"typeCheck": "warn"}`), if any. */
function typeCheckFromTsconfig(cwd: string): TypeCheckMode | undefined {
  const raw = readNotebookTsconfig(cwd).raw as { tsjit?: { typeCheck?: unknown } } | undefined;
  const mode = raw?.tsjit?.typeCheck;
  return mode === "error" || mode === "warn" || mode === "off" ? mode : undefined;
}

function formatDiagnostic(count: number, d: CellDiagnostic): string {
  return `${cellLabel(count)}:${d.line}:${d.column} - ${d.category} TS${d.code}: ${d.message}\n`;
}

/** The tracer's hook, if the kernel bound `__tsjit_name` before this evaluator was made. */
function boundTraceName(): unknown {
  const bound: unknown = (globalThis as Record<string, unknown>)[RUNTIME.name];
  return typeof bound === "function" ? bound : undefined;
}

/**
 * Note [warming the emitter]
 * Cells with TypeScript-only syntax that erasure leaves alone (enums, namespaces, decorators:
 * Note [erasing instead of emitting] in type_erasure.ts) go through TypeScript's emit, which
 * the type check never runs: without this, the first such cell waits
 * while V8 compiles the emitter (measured: 60-70 ms of CPU for the first emit of a small class,
 * 8-15 ms for the next ones). Compilation id 0 is never given to a cell.
 */
const EMITTER_WARM_UP_CELL = `enum Shade { Light, Dark }
interface Sized { size: number }
class Warm<T> implements Sized { private readonly seen: T[] = []; constructor(public size: number, readonly label?: string) {} add(v: T): this { this.seen.push(v as T); return this; } }
const warm: Warm<number> = new Warm<number>(1).add(Shade.Dark)!;
warm.size`;

interface Execution {
  sink: MainThreadSink;
  allowStdin: boolean;
}

export class TsEvaluator implements MainThreadEvaluator {
  private cwd: string;
  private typeCheck: TypeCheckMode;
  private readonly language: CellLanguage;
  private readonly historyStore: HistoryStore;
  private readonly output = new OutputRouter();
  private readonly runner = new CellRunner();
  private readonly loader: ModuleLoader;
  private readonly magics: MagicsRuntime;
  private readonly displayApi: DisplayApi;
  /** Comms (widgets): targets cells register, comms they open. */
  readonly comms: CommManager;
  /** Every compiled cell by compilation id, for tracebacks and source registrations. */
  private readonly cells = new Map<number, RanCell>();
  private nextCellId = 1;
  private execution: Execution | null = null;
  /** Requests in progress and when the last one ended, for the warm-up (Note [warming up when quiet]). */
  private readonly activity = new Activity();
  private readonly processHandlers: Array<[string, (...args: unknown[]) => void]> = [];

  constructor(opts: TsEvaluatorOptions) {
    this.cwd = path.resolve(opts.cwd);
    this.typeCheck = opts.typeCheck ?? typeCheckFromTsconfig(this.cwd) ?? "error";
    this.language = opts.language ?? new CellLanguageService({ cwd: this.cwd });
    this.historyStore = new HistoryStore(opts.historyFile ?? defaultHistoryFile(), (m) => this.output.write("stderr", m + "\n"));
    this.comms = new CommManager({ log: (line) => this.output.write("stderr", line + "\n") });
    const displaySink: DisplaySink = {
      display: (bundle, o) => {
        const { data, metadata } = toProtocolBundle(bundle);
        if (o.update && o.displayId !== undefined) this.output.emit({ type: "update_display_data", data, metadata, displayId: o.displayId });
        else this.output.emit({ type: "display_data", data, metadata, ...(o.displayId === undefined ? {} : { displayId: o.displayId }) });
      },
      clearOutput: (wait) => this.output.emit({ type: "clear_output", wait }),
    };
    this.displayApi = createDisplayApi(displaySink);
    this.magics = createMagicsRuntime(this.magicsHost(displaySink));
    this.loader = new ModuleLoader(() => this.cwd, new Map<string, unknown>([["tsjit", tsjitModule], ["tslab", this.displayApi.tslab]]));
    this.output.install();
    this.installGlobals();
    this.installProcessHandlers();
  }

  private magicsHost(displaySink: DisplaySink): MagicsHost {
    return {
      display: (bundle) => displaySink.display(bundle, {}),
      stdout: (text) => this.output.write("stdout", text),
      stderr: (text) => this.output.write("stderr", text),
      cwd: () => this.cwd,
      chdir: (dir) => this.chdir(dir),
      setTypeCheck: (mode) => this.setTypeCheck(mode),
      typeCheck: () => this.typeCheck,
    };
  }

  private chdir(dir: string): void {
    const next = path.resolve(this.cwd, dir);
    if (!statSync(next).isDirectory()) throw new Error(`${next} is not a directory`);
    this.cwd = next;
    try {
      process.chdir(next); // relative paths in fs calls follow %cd
    } catch {
      // worker threads cannot chdir: the cells' own cwd (imports, magics) still moved
    }
  }

  setTypeCheck(mode: TypeCheckMode): void {
    this.typeCheck = mode;
  }

  /**
   * Loads TypeScript's checker, tsjit's typings and TypeScript's emitter now, so that the first
   * cell does not wait for them. The steps are synchronous, and each waits for the kernel to be
   * quiet (Note [warming up when quiet]): a cell that arrives meanwhile is checked and run before
   * the rest of the warm-up (it needs only what the first step built).
   */
  async warmUp(): Promise<void> {
    const language = this.language.warmUpSteps?.() ?? [() => this.language.warmUp?.()];
    for (const step of [...language, () => this.warmUpEmitter()]) {
      await this.activity.quiet();
      step();
    }
  }

  /** Note [warming the emitter]: compiled, never run. */
  private warmUpEmitter(): void {
    const warm = compileCell(EMITTER_WARM_UP_CELL, 0);
    if (!warm.ok) throw new Error(`tsjit: the warm-up cell does not compile: ${warm.errors.map((e) => e.message).join("; ")}`);
  }

  private installGlobals(): void {
    defineGlobals({
      ...libraryGlobals(),
      display: this.displayApi.display,
      clear_output: (wait?: boolean) => this.displayApi.clear_output(wait),
      tslab: this.displayApi.tslab,
      comms: this.comms,
      prompt: (message?: unknown, defaultValue?: unknown) => this.prompt(message, defaultValue),
      [RUNTIME.name]: boundTraceName() ?? traceName,
      [RUNTIME.import]: (specifier: string, options?: { with?: Record<string, string> }) => this.loader.import(specifier, options),
      [RUNTIME.require]: (specifier: string) => this.loader.require(specifier),
      [RUNTIME.await]: this.runner.awaitValue,
      [RUNTIME.source]: (target: unknown, cellId: number, index: number) => this.registerSource(target, cellId, index),
      __tsjit_magics: this.magics,
    });
    defineGlobalGetter(RUNTIME.importMeta, () => this.loader.importMeta());
  }

  /** Errors nobody awaited or caught must not end the kernel: they become stderr of the cell. */
  private installProcessHandlers(): void {
    const report = (prefix: string) => (e: unknown) => {
      const { traceback } = reportError(e, (id) => this.cells.get(id));
      this.output.write("stderr", `${prefix}${traceback.join("\n")}\n`);
    };
    this.processHandlers.push(["unhandledRejection", report("Uncaught (in promise) ")], ["uncaughtException", report("Uncaught ")]);
    for (const [event, handler] of this.processHandlers) process.on(event, handler);
  }

  private prompt(message: unknown, defaultValue: unknown): string {
    const execution = this.execution;
    if (execution === null || !execution.allowStdin) throw new InputNotAllowed();
    const answer = execution.sink.inputSync(message === undefined ? "" : String(message));
    return answer === "" && defaultValue !== undefined ? String(defaultValue) : answer;
  }

  private registerSource(target: unknown, cellId: number, index: number): void {
    const ran = this.cells.get(cellId);
    const source = ran?.cell.sources[index];
    if (typeof target !== "function" || ran === undefined || source === undefined) return;
    registerSource(target, { file: cellLabel(ran.count), text: source.text, line: source.line, column: source.column });
  }

  async execute(code: string, options: ExecuteOptions, sink: MainThreadSink): Promise<ExecuteOutcome> {
    return this.activity.during(() => this.executeCell(code, options, sink));
  }

  private async executeCell(code: string, options: ExecuteOptions, sink: MainThreadSink): Promise<ExecuteOutcome> {
    const count = options.executionCount;
    this.execution = { sink, allowStdin: options.allowStdin };
    this.output.setSink(sink);
    this.comms.setOutput(sink);
    if (options.storeHistory) this.historyStore.append(count, code);

    const prepared = this.prepare(code, count);
    if ("ename" in prepared) return { status: "error", ...prepared };
    const ran = await this.runner.run(prepared.script, prepared.isAsync);
    this.commit(prepared.code);
    if (!ran.ok) return { status: "error", ...(ran.interrupted ? reportInterrupt() : this.report(ran.error)) };

    const outcome: Extract<ExecuteOutcome, { status: "ok" }> = { status: "ok" };
    if (prepared.hasResult && !options.silent) {
      const result = this.bundleOrStderr(ran.value);
      if (result !== undefined) {
        outcome.result = result;
        const plain = result.data["text/plain"];
        if (options.storeHistory && typeof plain === "string") this.historyStore.setOutput(count, plain);
      }
    }
    const expressions = Object.entries(options.userExpressions);
    if (expressions.length > 0) {
      outcome.userExpressions = {};
      for (const [name, expression] of expressions) outcome.userExpressions[name] = await this.userExpression(expression, count);
    }
    return outcome;
  }

  /** Magics, compile, type check: a runnable cell, or the error that stops it. */
  private prepare(code: string, count: number): CompiledCell | ErrorReport {
    let source: string;
    try {
      source = rewriteMagics(code).code;
    } catch (e) {
      return this.report(e);
    }
    const compiled = compileCell(source, this.nextCellId++);
    if (!compiled.ok) return reportSyntaxError(compiled.errors, code, count);
    this.cells.set(compiled.cell.id, { cell: compiled.cell, count, typed: code });
    if (this.typeCheck === "off") return compiled.cell;
    let diagnostics: CellDiagnostic[];
    try {
      diagnostics = this.language.check(source);
    } catch (e) {
      this.output.write("stderr", `tsjit: the type checker failed, running the cell unchecked: ${e instanceof Error ? e.message : String(e)}\n`);
      return compiled.cell;
    }
    const errors = diagnostics.filter((d) => d.category === "error");
    if (this.typeCheck === "error" && errors.length > 0) return reportTypeErrors(errors, code, count);
    for (const d of diagnostics) this.output.write("stderr", formatDiagnostic(count, d));
    return compiled.cell;
  }

  /** The cell ran (even partly): its declarations are what later cells are checked against. */
  private commit(source: string): void {
    try {
      this.language.commit(source);
    } catch (e) {
      this.output.write("stderr", `tsjit: the type checker could not take this cell in: ${e instanceof Error ? e.message : String(e)}\n`);
    }
  }

  private report(e: unknown): ErrorReport {
    return reportError(e, (id) => this.cells.get(id));
  }

  /** A value's bundle; a display method that throws is reported on stderr (IPython does the same). */
  private bundleOrStderr(value: unknown): ReturnType<typeof resultBundle> {
    try {
      return resultBundle(value);
    } catch (e) {
      this.output.write("stderr", `${this.report(e).traceback.join("\n")}\n`);
      return undefined;
    }
  }

  /** IPython's user_expressions: each evaluated after the cell, its bundle or its error. */
  private async userExpression(expression: string, count: number): Promise<UserExpressionResult> {
    const compiled = compileCell(`(${expression}\n)`, this.nextCellId++);
    if (!compiled.ok) return { status: "error", ...reportSyntaxError(compiled.errors, expression, count) };
    this.cells.set(compiled.cell.id, { cell: compiled.cell, count, typed: expression });
    const ran = await this.runner.run(compiled.cell.script, compiled.cell.isAsync);
    if (!ran.ok) return { status: "error", ...(ran.interrupted ? reportInterrupt() : this.report(ran.error)) };
    const bundle = resultBundle(ran.value) ?? { data: { "text/plain": "undefined" }, metadata: {} };
    return { status: "ok", data: bundle.data, metadata: bundle.metadata };
  }

  async complete(code: string, cursorPos: number): Promise<CompleteResult> {
    return this.activity.during(async () => this.language.complete(code, cursorPos));
  }

  async inspect(code: string, cursorPos: number, detailLevel: 0 | 1): Promise<InspectResult> {
    return this.activity.during(async () => this.language.inspect(code, cursorPos, detailLevel));
  }

  async isComplete(code: string): Promise<IsCompleteResult> {
    return this.language.isComplete(code);
  }

  async history(query: HistoryQuery): Promise<HistoryTuple[]> {
    return this.historyStore.query(query);
  }

  async commInfo(targetName?: string): Promise<{ [commId: string]: { target_name: string } }> {
    return this.comms.commInfo(targetName);
  }

  async comm(message: CommInbound, sink: MainThreadSink): Promise<void> {
    await this.comms.handle(message, sink);
  }

  interrupt(): void {
    this.runner.interrupt();
    this.magics.interrupt();
  }

  async shutdown(_restart: boolean): Promise<void> {
    this.interrupt();
    for (const [event, handler] of this.processHandlers.splice(0)) process.off(event, handler);
    this.output.uninstall();
    this.execution = null;
  }
}
