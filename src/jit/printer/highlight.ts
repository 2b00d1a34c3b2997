/**
 * Notebook display of TorchScript: syntax-highlighted HTML with inline styles only (a notebook
 * may strip <style> and scripts, and must not need network access), and the MIME bundle a
 * ScriptModule / ScriptFunction returns from `[Symbol.for("Jupyter.display")]()`.
 *
 * The highlighter is a small tokenizer over the printed subset (§8 of torchscript-format.md):
 * it never needs to parse, only to tell comments, strings, numbers, keywords, builtins,
 * `torch.` / `ops.` calls and qualified `__torch__.` names apart.
 */

/** Token classes and their inline styles (colours readable on light and dark backgrounds). */
const STYLES = {
  keyword: "color:#a626a4;font-weight:bold",
  builtin: "color:#0184bc",
  op: "color:#4078f2",
  qualified: "color:#c18401",
  type: "color:#c18401",
  string: "color:#50a14f",
  number: "color:#986801",
  comment: "color:#a0a1a7;font-style:italic",
} as const;

type TokenClass = keyof typeof STYLES;

const KEYWORDS = new Set([
  "def", "return", "if", "else", "elif", "for", "in", "while", "pass", "class", "raise", "and", "or", "not",
  "is", "None", "True", "False", "break", "continue", "with", "as", "assert", "lambda", "del", "global",
]);

const BUILTINS = new Set([
  "annotate", "uninitialized", "unchecked_cast", "isinstance", "getattr", "range", "int", "float", "bool",
  "str", "print", "sorted", "fork", "len", "CONSTANTS", "self", "Final",
]);

const TYPES = new Set([
  "Tensor", "List", "Dict", "Tuple", "Optional", "Union", "Future", "Any", "NoneType", "Device", "number",
  "Module", "NamedTuple", "Enum", "Interface", "ModuleInterface",
]);

/** Ordered token rules; the first that matches at the current position wins. */
const RULES: readonly [RegExp, TokenClass | null][] = [
  [/^#[^\n]*/, "comment"],
  [/^"(?:[^"\\\n]|\\.)*"?|^'(?:[^'\\\n]|\\.)*'?/, "string"],
  [/^(?:torch|ops)(?:\.[A-Za-z_]\w*)+/, "op"],
  [/^__torch__(?:\.[A-Za-z_]\w*)*/, "qualified"],
  [/^(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)/, "number"],
  [/^[A-Za-z_]\w*/, null],
  [/^\s+/, null],
  [/^[^\sA-Za-z_0-9"'#]+/, null],
];

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

function classOfWord(word: string): TokenClass | null {
  if (KEYWORDS.has(word)) return "keyword";
  if (BUILTINS.has(word)) return "builtin";
  if (TYPES.has(word)) return "type";
  return null;
}

/** Splits `code` into [text, class] tokens that concatenate back to `code`. */
export function tokenizeTorchScript(code: string): [string, TokenClass | null][] {
  const tokens: [string, TokenClass | null][] = [];
  let rest = code;
  while (rest.length > 0) {
    let matched = false;
    for (const [re, cls] of RULES) {
      const m = re.exec(rest);
      if (!m || m[0] === "") continue;
      const text = m[0];
      tokens.push([text, cls ?? (/^[A-Za-z_]/.test(text) ? classOfWord(text) : null)]);
      rest = rest.slice(text.length);
      matched = true;
      break;
    }
    if (!matched) {
      tokens.push([rest[0]!, null]);
      rest = rest.slice(1);
    }
  }
  return tokens;
}

/** `code` as a `<pre>` of inline-styled spans; all text is HTML-escaped. */
export function highlightTorchScript(code: string): string {
  const body = tokenizeTorchScript(code)
    .map(([text, cls]) => (cls === null ? escapeHtml(text) : `<span style="${STYLES[cls]}">${escapeHtml(text)}</span>`))
    .join("");
  return `<pre style="margin:0;font-family:monospace;white-space:pre;line-height:1.4">${body}</pre>`;
}

/**
 * The MIME bundle for a scripted or traced module or function: the code as text, and as
 * highlighted HTML followed, when given, by the graph in a collapsed <details> block.
 *
 * @example
 * displayBundle(module.code, String(module.graph))
 * // { "text/plain": "def forward(self, ...", "text/html": "<div><pre ...>...</pre><details>..." }
 */
export function displayBundle(code: string, graphText?: string): { "text/plain": string; "text/html": string } {
  let html = `<div>${highlightTorchScript(code)}`;
  if (graphText !== undefined) {
    html += '<details style="margin-top:4px"><summary style="cursor:pointer">graph</summary>' +
      `<pre style="margin:0;font-family:monospace;white-space:pre">${escapeHtml(graphText)}</pre></details>`;
  }
  return { "text/plain": code, "text/html": `${html}</div>` };
}
