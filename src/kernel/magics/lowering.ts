/**
 * Pieces of the TypeScript that magics lower to. Every lowering of a line magic is one line,
 * so the cell's line numbers survive (errors and type diagnostics point at the right line).
 */

/** The global object the lowered code calls (createMagicsRuntime installs it). */
export const RUNTIME = "__tsjit_magics";

/** A JS string literal of `s` (JSON is valid JS, U+2028 included since ES2019). */
export const lit = (s: string): string => JSON.stringify(s);

/** True when `code` uses `await` (then its thunk must be async, and the call awaited). */
export function usesAwait(code: string): boolean {
  return /(^|[^\w$.])await\b/.test(code);
}

const STATEMENT_START = /^(?:const|let|var|if|for|while|do|switch|try|throw|return|function|class|async\s+function|import|export)\b|^\{/;

/**
 * True when `code` is a statement (or several) rather than an expression: it starts with a
 * statement keyword or has a `;` outside brackets and quotes.
 */
export function isStatement(code: string): boolean {
  const text = code.trim();
  if (STATEMENT_START.test(text)) return true;
  let depth = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === "'" || c === '"' || c === "`") {
      const close = skipQuoted(text, i);
      i = close;
    } else if (c === "(" || c === "[" || c === "{") depth++;
    else if (c === ")" || c === "]" || c === "}") depth--;
    else if (c === ";" && depth === 0 && text.slice(i + 1).trim() !== "") return true;
  }
  return false;
}

function skipQuoted(text: string, start: number): number {
  const quote = text[start];
  for (let i = start + 1; i < text.length; i++) {
    if (text[i] === "\\") i++;
    else if (text[i] === quote) return i;
  }
  return text.length;
}

/** `() => (expr)` or `() => { statements }`, async when the code awaits. */
export function thunk(code: string): string {
  const body = code.trim().replace(/;\s*$/, "");
  const head = usesAwait(body) ? "async () => " : "() => ";
  return isStatement(body) ? `${head}{ ${body}; }` : `${head}(${body})`;
}

/** `await ` when the call's result is a promise the cell should wait for. */
export const awaitIf = (async: boolean): string => (async ? "await " : "");

/** `const NAME = EXPR` / `let [a, b]: T = EXPR` split into the binding part and the expression. */
export function splitDeclaration(code: string): { binding: string; expr: string } | undefined {
  const m = /^((?:const|let|var)\s+[^=]+?)\s*=(?![=>])\s*([\s\S]+)$/.exec(code.trim());
  if (m === null) return undefined;
  return { binding: m[1] ?? "", expr: (m[2] ?? "").replace(/;\s*$/, "") };
}

/**
 * Splits `callee(args)` at its last top-level call: `cell(x, h)` → ["cell", "x, h"],
 * `makeNet(3)(x)` → ["makeNet(3)", "x"]. Undefined when `code` does not end in a call.
 */
export function splitCall(code: string): [callee: string, args: string] | undefined {
  const text = code.trim().replace(/;\s*$/, "");
  if (!text.endsWith(")")) return undefined;
  let depth = 0;
  for (let i = text.length - 1; i >= 0; i--) {
    const c = text[i];
    if (c === ")" || c === "]" || c === "}") depth++;
    else if (c === "(" || c === "[" || c === "{") {
      depth--;
      if (depth === 0) {
        const callee = text.slice(0, i).trim();
        return callee === "" || c !== "(" ? undefined : [callee, text.slice(i + 1, -1)];
      }
    }
  }
  return undefined;
}

/**
 * One line of a verbatim cell body (%%writefile, %%bash) inside a template literal: escapes
 * what a template would interpret (backslash, backtick, `${`), adding no line.
 */
export function escapeTemplateLine(line: string): string {
  return line.replace(/\\/g, "\\\\").replace(/`/g, "\\`").replace(/\$\{/g, "\\${");
}
