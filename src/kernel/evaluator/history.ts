// Input history, kept across kernel restarts in a JSON Lines file (one object per executed
// cell: `{"session": 3, "line": 7, "source": "...", "output": "..."}`), answering the
// protocol's history_request as IPython's HistoryManager does:
//   tail    the last `n` cells over all sessions
//   range   cells `start <= line < stop` of one session (0: this one, -1: the one before, ...)
//   search  cells matching a glob (`*`, `?`), the last `n`, optionally without repeats
// Each evaluator is one session, numbered after the highest already in the file.
//
// Appending one line per cell keeps the cost per cell constant as history grows; the file is
// read once (on the first query or append), never rewritten.

import { appendFileSync, mkdirSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { HistoryQuery } from "../protocol/evaluator.js";
import type { HistoryTuple } from "../protocol/messages.js";

export interface HistoryEntry {
  session: number;
  line: number;
  source: string;
  output?: string;
}

/** `$JUPYTER_DATA_DIR/tsjit/history.jsonl`, else `$XDG_DATA_HOME` or `~/.local/share`. */
export function defaultHistoryFile(env: NodeJS.ProcessEnv = process.env): string {
  const base = env.JUPYTER_DATA_DIR ?? env.XDG_DATA_HOME ?? path.join(os.homedir(), ".local", "share");
  return path.join(base, "tsjit", "history.jsonl");
}

function parseEntry(line: string): HistoryEntry | undefined {
  try {
    const value = JSON.parse(line) as Partial<HistoryEntry>;
    if (typeof value.session !== "number" || typeof value.line !== "number" || typeof value.source !== "string") return undefined;
    return { session: value.session, line: value.line, source: value.source, ...(typeof value.output === "string" ? { output: value.output } : {}) };
  } catch {
    return undefined; // a torn last line (a crash mid-write) is skipped, not fatal
  }
}

/** IPython's globs (sqlite GLOB): `*` any run, `?` one character, the whole source must match. */
function globToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[\\s\\S]*").replace(/\?/g, "[\\s\\S]");
  return new RegExp(`^${body}$`);
}

export class HistoryStore {
  private entries: HistoryEntry[] | null = null;
  private currentSession = 0;
  private writable = true;

  constructor(
    readonly file: string,
    /** Where a failure to write the file is reported (once). */
    private readonly warn: (message: string) => void = () => undefined,
  ) {}

  private load(): HistoryEntry[] {
    if (this.entries !== null) return this.entries;
    let text = "";
    try {
      text = readFileSync(this.file, "utf8");
    } catch {
      // no history yet
    }
    this.entries = text.split("\n").flatMap((l) => (l.trim() === "" ? [] : (parseEntry(l) ?? [])));
    this.currentSession = this.entries.reduce((max, e) => Math.max(max, e.session), 0) + 1;
    return this.entries;
  }

  /** This evaluator's session number. */
  get session(): number {
    this.load();
    return this.currentSession;
  }

  /** Records cell `line` (its execution count) of this session. */
  append(line: number, source: string, output?: string): void {
    const entry: HistoryEntry = { session: this.session, line, source, ...(output === undefined ? {} : { output }) };
    this.load().push(entry);
    if (!this.writable) return;
    try {
      mkdirSync(path.dirname(this.file), { recursive: true });
      appendFileSync(this.file, JSON.stringify(entry) + "\n");
    } catch (e) {
      this.writable = false; // keep history in memory for this session
      this.warn(`tsjit: history is not saved: cannot write ${this.file} (${e instanceof Error ? e.message : String(e)})`);
    }
  }

  /** Attaches the output shown for cell `line` of this session (kept in memory; the file holds inputs). */
  setOutput(line: number, output: string): void {
    const entries = this.load();
    for (let i = entries.length - 1; i >= 0; i--) {
      const entry = entries[i]!;
      if (entry.session === this.currentSession && entry.line === line) {
        entry.output = output;
        return;
      }
    }
  }

  query(q: HistoryQuery): HistoryTuple[] {
    const all = this.load();
    let chosen: HistoryEntry[];
    switch (q.hist_access_type) {
      case "tail":
        chosen = q.n > 0 ? all.slice(-q.n) : [];
        break;
      case "range": {
        const session = q.session > 0 ? q.session : this.currentSession + q.session;
        const stop = typeof q.stop === "number" && q.stop > 0 ? q.stop : Infinity; // IPython: stop=None is "to the end"
        chosen = all.filter((e) => e.session === session && e.line >= q.start && e.line < stop);
        break;
      }
      case "search": {
        const re = globToRegExp(q.pattern);
        let found = all.filter((e) => re.test(e.source));
        if (q.unique) {
          const seen = new Set<string>();
          found = found.reverse().filter((e) => (seen.has(e.source) ? false : (seen.add(e.source), true))).reverse();
        }
        chosen = q.n > 0 ? found.slice(-q.n) : found;
        break;
      }
    }
    return chosen.map((e): HistoryTuple => (q.output ? [e.session, e.line, [e.source, e.output ?? null]] : [e.session, e.line, e.source]));
  }
}
