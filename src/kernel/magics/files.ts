/** %cd, %pwd, %env, %%writefile: IPython's forms and messages. */
import { appendFileSync, existsSync, statSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { resolve } from "node:path";
import type { MagicsHost } from "./host.js";
import { UsageError, parseOptions, shellSplit } from "./options.js";

const expandUser = (p: string): string => (p === "~" || p.startsWith("~/") ? homedir() + p.slice(1) : p);

export interface DirState {
  /** The directory before the last %cd (for `%cd -`). */
  previous: string | undefined;
}

/** `%cd [-q] [dir|-]`: changes directory and prints the new one (unless -q), as IPython does. */
export function cd(host: MagicsHost, state: DirState, args: string): void {
  const parsed = parseOptions(args, "q", "cd");
  const words = shellSplit(parsed.rest);
  if (words.length > 1) throw new UsageError(`%cd: too many arguments: ${parsed.rest}`);
  const arg = words[0];
  let target: string;
  if (arg === undefined) target = homedir();
  else if (arg === "-") {
    if (state.previous === undefined) throw new UsageError("%cd -: no previous directory");
    target = state.previous;
  } else target = resolve(host.cwd(), expandUser(arg));
  if (!existsSync(target) || !statSync(target).isDirectory()) {
    throw new UsageError(`[Errno 2] No such file or directory: '${arg ?? target}'`);
  }
  state.previous = host.cwd();
  host.chdir(target);
  if (!parsed.opts.has("q")) host.stdout(`${host.cwd()}\n`);
}

/** Environment variable names whose values `%env` hides (IPython's rule). */
const SECRET_PARTS = ["key", "token", "secret"] as const;

/**
 * `%env`: all variables (secrets hidden); `%env VAR`: its value; `%env VAR=value` or
 * `%env VAR value`: sets it and prints `env: VAR=value`.
 */
export function env(host: MagicsHost, args: string): Record<string, string> | string | undefined {
  const text = args.trim();
  if (text === "") {
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(process.env)) {
      if (v !== undefined) out[k] = SECRET_PARTS.some((s) => k.toLowerCase().includes(s)) ? "<hidden>" : v;
    }
    return out;
  }
  const split = text.includes("=") ? "=" : " ";
  const at = text.indexOf(split);
  if (at < 0) {
    const value = process.env[text];
    if (value === undefined) throw new UsageError(`Environment does not have key: ${text}`);
    return value;
  }
  const name = text.slice(0, at).trim();
  const value = text.slice(at + 1).trim();
  if (/\s/.test(name)) throw new UsageError(`refusing to set env var with whitespace: '${value}'`);
  process.env[name] = value;
  host.stdout(`env: ${name}=${value}\n`);
  return undefined;
}

/** `%%writefile [-a] path`: IPython's Writing / Overwriting / Appending to messages. */
export function writefile(host: MagicsHost, args: string, text: string): void {
  const parsed = parseOptions(args, "a", "writefile");
  const words = shellSplit(parsed.rest);
  const name = words[0];
  if (name === undefined || words.length > 1) throw new UsageError("%%writefile: expected one file name: %%writefile [-a] path");
  const filename = expandUser(name);
  const path = resolve(host.cwd(), filename);
  const append = parsed.opts.has("a");
  if (existsSync(path)) host.stdout(`${append ? "Appending to" : "Overwriting"} ${filename}\n`);
  else host.stdout(`Writing ${filename}\n`);
  if (append) appendFileSync(path, text, "utf8");
  else writeFileSync(path, text, "utf8");
}
