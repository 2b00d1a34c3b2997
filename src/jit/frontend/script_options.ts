/** Options of torch.jit.script; apart from compile.ts so public typings need no TypeScript typings (script_error.ts). */
export interface ScriptOptions {
  /** Values for free names in scripted code (functions it calls), besides globalThis. */
  readonly globals?: Readonly<Record<string, unknown>>;
}
