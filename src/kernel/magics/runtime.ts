/**
 * The object installed as `globalThis.__tsjit_magics`: what lowered magics call (table.ts
 * says which method each magic lowers to).
 */
import { CELL_MAGICS, LINE_MAGICS, LINE_MAGIC_BY_NAME, CELL_MAGIC_BY_NAME } from "./table.js";
import { UsageError } from "./options.js";
import { namedError, now, type MagicsHost, type Maybe, type TypeCheckMode } from "./host.js";
import { time, timeMark, timeReport, timeit, type BodyFactory, type TimeMark, type TimingState } from "./timing.js";
import { shellCapture, shellCommand, shellScript, type ShellState } from "./shell.js";
import { cd, env, writefile, type DirState } from "./files.js";
import { scriptMagic, traceMagic } from "./jit_magics.js";
import type { TimeitResult } from "./time_format.js";

const TYPE_CHECK_MODES: readonly TypeCheckMode[] = ["error", "warn", "off"];

/** %lsmagic's answer: displays itself as IPython's listing. */
export class MagicListing {
  toString(): string {
    const line = LINE_MAGICS.map((m) => `%${m.name}`).sort().join("  ");
    const cell = CELL_MAGICS.map((m) => `%%${m.name}`).sort().join("  ");
    return `Available line magics:\n${line}\n\nAvailable cell magics:\n${cell}\n\n` +
      "Shell commands: !command (output streamed); lines = %sx command (output captured).\n" +
      "Automagic is OFF, % prefix IS needed for line magics.";
  }

  [Symbol.for("Jupyter.display")](): Record<string, string> {
    return { "text/plain": this.toString() };
  }

  [Symbol.for("nodejs.util.inspect.custom")](): string {
    return this.toString();
  }
}

export interface MagicsRuntime {
  timeit(options: string, body: () => unknown): Maybe<TimeitResult | undefined>;
  timeitCell(options: string, factory: BodyFactory): Maybe<TimeitResult | undefined>;
  time(source: string, body: () => unknown): unknown;
  timeStart(): void;
  timeEnd(): void;
  trace(source: string, target: () => Maybe<[unknown, unknown[]]>, assigned: boolean): Maybe<unknown>;
  script(source: string, target: () => unknown, assigned: boolean): unknown;
  lsmagic(): MagicListing;
  pwd(): string;
  cd(args: string): void;
  env(args: string): Record<string, string> | string | undefined;
  typecheck(args: string): TypeCheckMode | undefined;
  writefile(args: string, text: string): void;
  shell(command: string): Promise<void>;
  sx(command: string): Promise<string[]>;
  shellCell(shell: string, args: string, script: string): Promise<void>;
  lineMagicNotFound(name: string): never;
  cellMagicNotFound(name: string, body: string): never;
  fail(ename: string, message: string): never;
  /** Stops what magics run in the background (shell commands, awaited %timeit loops). */
  interrupt(): void;
  /** The exit status of the last shell command (IPython's `_exit_code`). */
  readonly exit_code: number;
}

/**
 * The runtime for lowered magics, talking to the kernel through `host`. `clock` (seconds,
 * monotonic) times %timeit; the default is the process's high-resolution clock.
 *
 * @example
 * globalThis.__tsjit_magics = createMagicsRuntime(host);
 * vm.runInThisContext(rewriteMagics("%timeit f(x)").code);
 */
export function createMagicsRuntime(host: MagicsHost, opts: { clock?: () => number } = {}): MagicsRuntime {
  const timing: TimingState = { interrupted: false, clock: opts.clock ?? now };
  const shellState: ShellState = { exitCode: 0, running: new Set() };
  const dirs: DirState = { previous: undefined };
  let cellTimer: TimeMark | undefined;
  return {
    timeit: (options, body) => timeit(options, () => body, host, timing),
    timeitCell: (options, factory) => timeit(options, factory, host, timing),
    time: (_source, body) => time(body, host),
    timeStart: () => {
      cellTimer = timeMark();
    },
    timeEnd: () => {
      if (cellTimer === undefined) return;
      host.stdout(timeReport(cellTimer));
      cellTimer = undefined;
    },
    trace: (source, target, assigned) => traceMagic(host, source, target, assigned),
    script: (source, target, assigned) => scriptMagic(host, source, target, assigned),
    lsmagic: () => new MagicListing(),
    pwd: () => host.cwd(),
    cd: (args) => cd(host, dirs, args),
    env: (args) => env(host, args),
    typecheck: (args) => typecheck(host, args),
    writefile: (args, text) => writefile(host, args, text),
    shell: (command) => shellCommand(host, shellState, command),
    sx: (command) => shellCapture(host, shellState, command),
    shellCell: (shell, args, script) => shellScript(host, shellState, shell, args, script),
    lineMagicNotFound: (name) => {
      const hint = CELL_MAGIC_BY_NAME.has(name) ? ` (But cell magic \`%%${name}\` exists, did you mean that instead?)` : "";
      throw new UsageError(`Line magic function \`%${name}\` not found.${hint} %lsmagic lists the magics.`);
    },
    cellMagicNotFound: (name) => {
      const hint = LINE_MAGIC_BY_NAME.has(name) ? ` (But line magic \`%${name}\` exists, did you mean that instead?)` : "";
      throw new UsageError(`Cell magic \`%%${name}\` not found.${hint} %lsmagic lists the magics.`);
    },
    fail: (ename, message) => {
      throw namedError(ename, message);
    },
    interrupt: () => {
      timing.interrupted = true;
      for (const child of shellState.running) child.kill("SIGINT");
    },
    get exit_code() {
      return shellState.exitCode;
    },
  };
}

function typecheck(host: MagicsHost, args: string): TypeCheckMode | undefined {
  const mode = args.trim();
  if (mode === "") {
    if (host.typeCheck === undefined) throw new UsageError("%typecheck: usage: %typecheck error|warn|off");
    return host.typeCheck();
  }
  if (!(TYPE_CHECK_MODES as readonly string[]).includes(mode)) {
    throw new UsageError(`%typecheck: unknown mode '${mode}': use one of ${TYPE_CHECK_MODES.join(", ")}`);
  }
  if (host.setTypeCheck === undefined) throw new UsageError("%typecheck: this kernel does not let magics change type checking");
  host.setTypeCheck(mode as TypeCheckMode);
  host.stdout(`Type checking: ${mode} (from the next cell on)\n`);
  return undefined;
}
