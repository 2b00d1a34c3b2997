/**
 * Magic argument parsing as IPython's `parse_options` does it (getopt): flags `-q`, options
 * with values `-n 10` / `-n10`, grouped flags `-qo`, options first and the rest verbatim.
 */

/** IPython's UsageError: a magic used wrongly (IPython prints it without a traceback). */
export class UsageError extends Error {
  override name = "UsageError";
}

export interface ParsedOptions {
  /** Option letter → value ("" for a flag). */
  opts: Map<string, string>;
  /** The text after the options, as written. */
  rest: string;
}

/**
 * Parses `line` with a getopt spec: `"n:r:tcp:qo"` (a letter followed by ":" takes a value).
 * `magic` names the magic in errors.
 */
export function parseOptions(line: string, spec: string, magic: string): ParsedOptions {
  const takesValue = new Map<string, boolean>();
  for (let i = 0; i < spec.length; i++) {
    const letter = spec[i] ?? "";
    const withValue = spec[i + 1] === ":";
    takesValue.set(letter, withValue);
    if (withValue) i++;
  }
  const opts = new Map<string, string>();
  let rest = line.trimStart();
  for (;;) {
    const m = /^-([A-Za-z])(\S*)\s*/.exec(rest);
    if (m === null || rest.startsWith("--")) break;
    let group = (m[1] ?? "") + (m[2] ?? "");
    rest = rest.slice(m[0].length);
    while (group.length > 0) {
      const letter = group[0] ?? "";
      const withValue = takesValue.get(letter);
      if (withValue === undefined) throw new UsageError(`%${magic}: option -${letter} not recognized ( allowed: "${spec}")`);
      group = group.slice(1);
      if (!withValue) {
        opts.set(letter, "");
        continue;
      }
      if (group.length > 0) {
        opts.set(letter, group);
      } else {
        const v = /^(\S+)\s*/.exec(rest);
        if (v === null) throw new UsageError(`%${magic}: option -${letter} requires argument ( allowed: "${spec}")`);
        opts.set(letter, v[1] ?? "");
        rest = rest.slice(v[0].length);
      }
      group = "";
    }
  }
  if (rest.startsWith("-- ")) rest = rest.slice(3);
  return { opts, rest };
}

/** An option's integer value, or `fallback` when absent. */
export function intOption(parsed: ParsedOptions, letter: string, fallback: number, magic: string): number {
  const raw = parsed.opts.get(letter);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new UsageError(`%${magic} -${letter} expects a non-negative integer, got '${raw}'`);
  return Number(raw);
}

/** Splits a command-line argument string as a POSIX shell would, for paths with quotes. */
export function shellSplit(text: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|((?:[^\s"'\\]|\\.)+)|(\s+)/g;
  let current: string | null = null;
  for (const m of text.matchAll(re)) {
    if (m[4] !== undefined) {
      if (current !== null) out.push(current);
      current = null;
      continue;
    }
    const piece = m[1] !== undefined ? m[1].replace(/\\(.)/g, "$1") : m[2] !== undefined ? m[2] : (m[3] ?? "").replace(/\\(.)/g, "$1");
    current = (current ?? "") + piece;
  }
  if (current !== null) out.push(current);
  return out;
}
