/** A MagicsHost that records what magics print and show, and a runner for lowered cells. */
import { rewriteMagics, createMagicsRuntime, type MagicsHost, type MagicsRuntime, type TypeCheckMode } from "../../../src/kernel/magics/index.js";
import type { MimeBundle } from "../../../src/kernel/display/index.js";

export class RecordingHost implements MagicsHost {
  out = "";
  err = "";
  readonly displays: MimeBundle[] = [];
  mode: TypeCheckMode = "error";
  constructor(public dir: string = process.cwd()) {}
  display(bundle: MimeBundle): void {
    this.displays.push(bundle);
  }
  stdout(text: string): void {
    this.out += text;
  }
  stderr(text: string): void {
    this.err += text;
  }
  cwd(): string {
    return this.dir;
  }
  chdir(dir: string): void {
    this.dir = dir;
  }
  setTypeCheck(mode: TypeCheckMode): void {
    this.mode = mode;
  }
  typeCheck(): TypeCheckMode {
    return this.mode;
  }
}

type AsyncFn = (...args: unknown[]) => Promise<unknown>;
const AsyncFunction = Object.getPrototypeOf(async function () {}).constructor as new (...args: string[]) => AsyncFn;

/**
 * Rewrites `cell` and runs it (it must be JavaScript once lowered) with `scope`'s entries as
 * variables and the runtime as `__tsjit_magics`; cells hand values back through `out`.
 */
export async function runCell(cell: string, scope: Record<string, unknown>, runtime: MagicsRuntime): Promise<void> {
  const { code } = rewriteMagics(cell);
  const names = Object.keys(scope);
  const fn = new AsyncFunction("__tsjit_magics", ...names, code);
  await fn(runtime, ...names.map((n) => scope[n]));
}

export function setup(opts: { clock?: () => number; dir?: string } = {}): { host: RecordingHost; runtime: MagicsRuntime } {
  const host = new RecordingHost(opts.dir);
  return { host, runtime: createMagicsRuntime(host, opts.clock === undefined ? {} : { clock: opts.clock }) };
}
