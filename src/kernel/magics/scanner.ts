/**
 * Which lines of a cell begin in code, as opposed to inside a comment, a string or a template
 * literal. Magics are recognised only at the start of such lines, so a `%timeit` or `!ls`
 * inside a template string or a block comment is left alone.
 *
 * A light lexer, not a parser: it follows comments, quotes, template literals (with `${}`
 * nesting) and regular expression literals (told from division by the token before the `/`,
 * as JS tools usually do), line by line, carrying its state across lines.
 */

type Mode = "code" | "block-comment" | "template" | "single-quote" | "double-quote";

const REGEX_AFTER_CHARS = new Set("(,=:[!&|?{};+-*%<>~^".split(""));
/** Tokens after which a new line continues an expression (`a &&\n  !b`), so holds no magic. */
const CONTINUES_AFTER_CHARS = new Set("(,=[!&|?+-*%<>~^".split(""));
const REGEX_AFTER_WORDS = new Set([
  "return", "typeof", "instanceof", "in", "of", "new", "delete", "void", "throw", "case", "do", "else", "yield", "await",
]);

export class LineScanner {
  private mode: Mode = "code";
  /** For each open `${` of a template: the brace depth at which its `}` closes it. */
  private readonly templateExprDepth: number[] = [];
  private braceDepth = 0;
  /** Open `(` and `[`: inside them a line continues an argument list or an array. */
  private groupDepth = 0;
  /** The last significant token in code: a punctuator char or a word. */
  private last = "";

  /** True when the next line starts in plain code (not in a comment, string or template). */
  atCode(): boolean {
    return this.mode === "code" && this.templateExprDepth.length === 0;
  }

  /**
   * True when the next line starts a statement: in code, outside parentheses and brackets, and
   * not after a token that needs an operand (`=`, `&&`, `,`, `return`...).
   */
  atStatementStart(): boolean {
    return this.atCode() && this.groupDepth === 0 && !CONTINUES_AFTER_CHARS.has(this.last) && !REGEX_AFTER_WORDS.has(this.last);
  }

  /** Advances over one line (without its line terminator). */
  scan(line: string): void {
    let i = 0;
    const n = line.length;
    while (i < n) {
      switch (this.mode) {
        case "block-comment": {
          const end = line.indexOf("*/", i);
          if (end < 0) return;
          i = end + 2;
          this.mode = "code";
          break;
        }
        case "single-quote":
        case "double-quote":
          i = this.scanQuoted(line, i, this.mode === "single-quote" ? "'" : '"');
          break;
        case "template":
          i = this.scanTemplate(line, i);
          break;
        case "code":
          i = this.scanCode(line, i);
          if (i < 0) return; // a line comment runs to the end of the line
          break;
      }
    }
    // A quote not closed by the end of the line ends there unless the line ends in a backslash.
    if ((this.mode === "single-quote" || this.mode === "double-quote") && !line.endsWith("\\")) this.mode = "code";
  }

  private scanQuoted(line: string, i: number, quote: string): number {
    while (i < line.length) {
      const c = line[i];
      if (c === "\\") i += 2;
      else if (c === quote) {
        this.mode = "code";
        this.last = "a"; // a string is an operand: a following "/" divides
        return i + 1;
      } else i++;
    }
    return i;
  }

  private scanTemplate(line: string, i: number): number {
    while (i < line.length) {
      const c = line[i];
      if (c === "\\") i += 2;
      else if (c === "`") {
        this.mode = "code";
        this.last = "a";
        return i + 1;
      } else if (c === "$" && line[i + 1] === "{") {
        this.templateExprDepth.push(this.braceDepth);
        this.braceDepth++;
        this.mode = "code";
        this.last = "{";
        return i + 2;
      } else i++;
    }
    return i;
  }

  /** One token of code; returns the next index, or -1 when the rest of the line is a comment. */
  private scanCode(line: string, i: number): number {
    const c = line[i] ?? "";
    const next = line[i + 1];
    if (/\s/.test(c)) return i + 1;
    if (c === "/" && next === "/") return -1;
    if (c === "/" && next === "*") {
      this.mode = "block-comment";
      return i + 2;
    }
    if (c === "'" || c === '"') {
      this.mode = c === "'" ? "single-quote" : "double-quote";
      return i + 1;
    }
    if (c === "`") {
      this.mode = "template";
      return i + 1;
    }
    if (c === "/" && this.regexAllowed()) return this.skipRegex(line, i);
    const word = /^[A-Za-z_$][\w$]*/.exec(line.slice(i));
    if (word !== null) {
      this.last = word[0];
      return i + word[0].length;
    }
    if (c === "(" || c === "[") this.groupDepth++;
    if ((c === ")" || c === "]") && this.groupDepth > 0) this.groupDepth--;
    if (c === "{") this.braceDepth++;
    if (c === "}") {
      this.braceDepth--;
      if (this.templateExprDepth.length > 0 && this.braceDepth === this.templateExprDepth[this.templateExprDepth.length - 1]) {
        this.templateExprDepth.pop();
        this.mode = "template";
        return i + 1;
      }
    }
    this.last = /[\d.]/.test(c) ? "a" : c;
    return i + 1;
  }

  private regexAllowed(): boolean {
    return this.last === "" || REGEX_AFTER_CHARS.has(this.last) || REGEX_AFTER_WORDS.has(this.last);
  }

  /** Skips a regex literal (with classes and escapes) and its flags. */
  private skipRegex(line: string, i: number): number {
    let inClass = false;
    for (let j = i + 1; j < line.length; j++) {
      const c = line[j];
      if (c === "\\") j++;
      else if (c === "[") inClass = true;
      else if (c === "]") inClass = false;
      else if (c === "/" && !inClass) {
        const flags = /^[a-z]*/.exec(line.slice(j + 1))?.[0] ?? "";
        this.last = "a";
        return j + 1 + flags.length;
      }
    }
    return line.length; // unterminated: not a regex after all, or a syntax error TypeScript will report
  }
}
