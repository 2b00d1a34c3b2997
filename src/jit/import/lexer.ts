/**
 * Tokens of the TorchScript Python subset an archive's code/ holds (torchscript-format.md §8):
 * Python's tokenizer rules for what PythonPrint emits and a little more (infix operators,
 * single-quoted strings, comments, CRLF, tabs-free indentation of any width).
 *
 * Indentation becomes INDENT / DEDENT tokens; line breaks inside brackets are ignored
 * (Python's implicit line joining), which is how `def f(self,\n    x: Tensor)` is one line.
 */
import type { SourceRange } from "../ir/index.js";
import { ScriptError } from "../frontend/errors.js";

export type TokenKind = "name" | "number" | "string" | "op" | "newline" | "indent" | "dedent" | "eof";

export interface Position {
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
}

export interface Token extends Position {
  readonly kind: TokenKind;
  /** The source text (for strings: the decoded value). */
  readonly text: string;
}

/** Longest first: the lexer takes the first that matches. */
const OPERATORS = [
  "**=", "//=", ">>=", "<<=", "->", "**", "//", "<<", ">>", "<=", ">=", "==", "!=", "+=", "-=", "*=", "/=", "%=",
  "&=", "|=", "^=", "+", "-", "*", "/", "%", "&", "|", "^", "~", "<", ">", "(", ")", "[", "]", "{", "}", ",", ":",
  ".", ";", "=", "@",
];

/** OPERATORS by their first character (each list still longest first), so a token tries one or a few. */
const OPERATORS_BY_FIRST: ReadonlyMap<string, readonly string[]> = (() => {
  const m = new Map<string, string[]>();
  for (const op of OPERATORS) {
    const list = m.get(op[0]!) ?? [];
    list.push(op);
    m.set(op[0]!, list);
  }
  return m;
})();

/** Names are capped at 256 characters per token (a longer run of name characters is split). */
const MAX_NAME = 256;
/** Number tokens are read within this many characters (a BigInt of a longer run would cost quadratic time). */
const MAX_NUMBER = 512;

// Character classes by code (the lexer runs per character, so no regex or string slice here).
const isNameStart = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
const isDigit = (c: number): boolean => c >= 48 && c <= 57;
const isNameChar = (c: number): boolean => isNameStart(c) || isDigit(c);

const SIMPLE_ESCAPES: Readonly<Record<string, string>> = {
  "\\": "\\", "'": "'", '"': '"', a: "\x07", b: "\b", f: "\f", n: "\n", r: "\r", t: "\t", v: "\v", "\n": "",
};

/** Where an error is reported: the file and its text, for the caret excerpt. */
export class SourceFile {
  private splitLines: readonly string[] | null = null;
  /** Offsets in `text` where line 1, 2, … start: every statement asks for its line's offset. */
  private lineStarts: readonly number[] | null = null;

  constructor(readonly name: string, readonly text: string) {}

  /** The lines, for error excerpts (split on first use: most files never fail). */
  get lines(): readonly string[] {
    return (this.splitLines ??= this.text.split(/\r?\n/));
  }

  /** The offset of a position in `text` (lines end in "\n" or "\r\n"). */
  offsetOf(at: Position): number {
    const starts = (this.lineStarts ??= lineStartOffsets(this.text));
    // a line past the end counts from the last line's start, as a scan for "\n" would
    const start = starts[Math.min(Math.max(at.line, 1), starts.length) - 1]!;
    return start + at.column - 1;
  }

  /** Where a node compiled from the statement at `at` came from: that statement's line. */
  sourceRange(at: Position): SourceRange {
    const start = this.offsetOf(at);
    const nl = this.text.indexOf("\n", start);
    const end = nl < 0 ? this.text.length : nl;
    return { file: this.name, line: at.line, col: at.column - 1, source: { text: this.text, start, end } };
  }

  error(at: Position, what: string): ScriptError {
    const text = this.lines[at.line - 1] ?? "";
    const excerpt = `    ${text}\n    ${" ".repeat(Math.max(0, at.column - 1))}~ <--- HERE`;
    return new ScriptError(what, this.name, at.line, at.column, excerpt);
  }
}

function lineStartOffsets(text: string): number[] {
  const starts = [0];
  for (let nl = text.indexOf("\n"); nl >= 0; nl = text.indexOf("\n", nl + 1)) starts.push(nl + 1);
  return starts;
}

export function tokenize(file: SourceFile): Token[] {
  return new Lexer(file).run();
}

class Lexer {
  private readonly text: string;
  private pos = 0;
  private line = 1;
  private lineStart = 0;
  private depth = 0;
  private readonly indents = [0];
  private readonly out: Token[] = [];

  constructor(private readonly file: SourceFile) {
    // PythonPrint writes "\n" only: the regex (compiled on first use in a process) only when needed
    this.text = file.text.includes("\r") ? file.text.replace(/\r\n?/g, "\n") : file.text;
  }

  private here(): Position {
    return { line: this.line, column: this.pos - this.lineStart + 1 };
  }

  private push(kind: TokenKind, text: string, at: Position): void {
    this.out.push({ kind, text, line: at.line, column: at.column });
  }

  private fail(what: string, at: Position = this.here()): never {
    throw this.file.error(at, what);
  }

  run(): Token[] {
    let atLineStart = true;
    while (this.pos < this.text.length) {
      if (atLineStart && this.depth === 0) {
        // a blank or comment-only line is skipped whole, newline included: the next line starts a line too
        atLineStart = this.indentation();
        if (atLineStart) continue;
      }
      const c = this.text[this.pos]!;
      if (c === "\n") {
        this.newline();
        if (this.depth === 0) atLineStart = true;
        continue;
      }
      if (c === " " || c === "\t") {
        this.pos++;
        continue;
      }
      if (c === "#") {
        while (this.pos < this.text.length && this.text[this.pos] !== "\n") this.pos++;
        continue;
      }
      if (c === "\\" && this.text[this.pos + 1] === "\n") {
        this.pos++;
        this.newlineNoToken();
        continue;
      }
      this.token();
    }
    const end = this.here();
    const last = this.out[this.out.length - 1];
    if (last && last.kind !== "newline" && last.kind !== "dedent" && last.kind !== "indent") this.push("newline", "", end);
    while (this.indents.length > 1) {
      this.indents.pop();
      this.push("dedent", "", end);
    }
    this.push("eof", "", end);
    return this.out;
  }

  /** Reads the indentation of a line; returns true when the line is blank (skipped whole). */
  private indentation(): boolean {
    let width = 0;
    while (this.text[this.pos] === " " || this.text[this.pos] === "\t") {
      if (this.text[this.pos] === "\t") this.fail("tabs are not allowed in indentation");
      width++;
      this.pos++;
    }
    const c = this.text[this.pos];
    if (c === undefined || c === "\n" || c === "#") {
      while (this.pos < this.text.length && this.text[this.pos] !== "\n") this.pos++;
      if (this.pos < this.text.length) this.newlineNoToken();
      return true;
    }
    const at = this.here();
    const top = this.indents[this.indents.length - 1]!;
    if (width > top) {
      this.indents.push(width);
      this.push("indent", "", at);
    } else {
      while (width < this.indents[this.indents.length - 1]!) {
        this.indents.pop();
        this.push("dedent", "", at);
      }
      if (width !== this.indents[this.indents.length - 1]) this.fail("unindent does not match any outer indentation level", at);
    }
    return false;
  }

  private newlineNoToken(): void {
    this.pos++;
    this.line++;
    this.lineStart = this.pos;
  }

  private newline(): void {
    if (this.depth === 0) {
      const last = this.out[this.out.length - 1];
      if (last && last.kind !== "newline" && last.kind !== "indent" && last.kind !== "dedent") this.push("newline", "", this.here());
    }
    this.newlineNoToken();
  }

  /**
   * A run of decimal digits not followed by `.`, `e`, `x`, `j` or another name character (most
   * numbers in code/: sizes, dims, indices), without the general number regex; null otherwise.
   * Runs are read up to the regex's 512-character window, so a longer one goes to the regex as before.
   */
  private plainInteger(): string | null {
    const text = this.text;
    const limit = Math.min(text.length, this.pos + MAX_NUMBER);
    let end = this.pos;
    while (end < limit && isDigit(text.charCodeAt(end))) end++;
    if (end === this.pos) return null;
    const next = text.charCodeAt(end);
    if (next === 46 || isNameChar(next)) return null;
    const digits = text.slice(this.pos, end);
    this.pos = end;
    return digits;
  }

  private token(): void {
    const at = this.here();
    const text = this.text;
    const code = text.charCodeAt(this.pos);
    if (isNameStart(code)) {
      const start = this.pos;
      const limit = Math.min(text.length, start + MAX_NAME);
      let end = start + 1;
      while (end < limit && isNameChar(text.charCodeAt(end))) end++;
      this.pos = end;
      this.push("name", text.slice(start, end), at);
      return;
    }
    const c = text[this.pos]!;
    if (isDigit(code) || (code === 46 && isDigit(text.charCodeAt(this.pos + 1)))) {
      const plain = this.plainInteger();
      if (plain !== null) {
        this.push("number", plain, at);
        return;
      }
      const m = /^(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?j?)/.exec(this.text.slice(this.pos, this.pos + MAX_NUMBER))!;
      this.pos += m[0].length;
      this.push("number", m[0], at);
      return;
    }
    if (c === '"' || c === "'") {
      this.push("string", this.string(c), at);
      return;
    }
    const op = this.operator(c);
    if (op === undefined) this.fail(`unexpected character '${c}'`);
    if (op === "(" || op === "[" || op === "{") this.depth++;
    if (op === ")" || op === "]" || op === "}") this.depth = Math.max(0, this.depth - 1);
    this.pos += op.length;
    this.push("op", op, at);
  }

  /** The longest operator at `pos`, or undefined. */
  private operator(c: string): string | undefined {
    return OPERATORS_BY_FIRST.get(c)?.find((o) => o.length === 1 || this.text.startsWith(o, this.pos));
  }

  /** A quoted string with Python's escapes (c10's quoting writes \\ \' \" \a \b \f \n \r \t \v and \ooo). */
  private string(quote: string): string {
    const at = this.here();
    const triple = this.text.startsWith(quote.repeat(3), this.pos);
    this.pos += triple ? 3 : 1;
    let out = "";
    for (;;) {
      if (this.pos >= this.text.length) this.fail("unterminated string literal", at);
      const c = this.text[this.pos]!;
      if (triple ? this.text.startsWith(quote.repeat(3), this.pos) : c === quote) {
        this.pos += triple ? 3 : 1;
        return out;
      }
      if (c === "\n") {
        if (!triple) this.fail("unterminated string literal", at);
        out += c;
        this.newlineNoToken();
        continue;
      }
      if (c !== "\\") {
        out += c;
        this.pos++;
        continue;
      }
      out += this.escape();
    }
  }

  private escape(): string {
    const e = this.text[this.pos + 1];
    if (e === undefined) this.fail("unterminated string literal");
    if (e in SIMPLE_ESCAPES) {
      this.pos += 2;
      if (e === "\n") {
        this.line++;
        this.lineStart = this.pos;
      }
      return SIMPLE_ESCAPES[e]!;
    }
    const oct = /^[0-7]{1,3}/.exec(this.text.slice(this.pos + 1, this.pos + 4));
    if (oct) {
      this.pos += 1 + oct[0].length;
      return String.fromCharCode(parseInt(oct[0], 8));
    }
    const hex = e === "x" ? /^[0-9a-fA-F]{2}/ : e === "u" ? /^[0-9a-fA-F]{4}/ : e === "U" ? /^[0-9a-fA-F]{8}/ : null;
    if (hex) {
      const m = hex.exec(this.text.slice(this.pos + 2, this.pos + 10));
      if (!m) this.fail(`truncated \\${e} escape`);
      this.pos += 2 + m[0].length;
      return String.fromCodePoint(parseInt(m[0], 16));
    }
    // Python keeps an unknown escape as written
    this.pos += 2;
    return `\\${e}`;
  }
}
