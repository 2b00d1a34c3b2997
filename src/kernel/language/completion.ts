// Completions from the language service, shaped as Jupyter's complete_reply.

import type ts from "typescript";
import type { CompleteResult } from "../protocol/evaluator.js";
import type { CellSource } from "./cell_program.js";
import { typescript } from "./typescript.js";

/** Generated header names and the kernel's private globals are not for the user. */
const HIDDEN = /^(__tsjit_prev_|__tsjit_c\d+_|__tsjit_magics$|__tsjit_name$)/;

/**
 * What IPython's completer calls each kind (`_jupyter_types_experimental[].type`, which
 * JupyterLab shows beside each match); kinds it has no word for keep TypeScript's name.
 */
const JUPYTER_TYPE: Record<string, string> = {
  method: "function",
  function: "function",
  "local function": "function",
  constructor: "function",
  class: "class",
  "local class": "class",
  module: "module",
  "external module name": "module",
  property: "property",
  getter: "property",
  setter: "property",
  var: "instance",
  let: "instance",
  const: "instance",
  "local var": "instance",
  parameter: "param",
  keyword: "keyword",
  directory: "path",
  script: "path",
};

const OPTIONS: ts.GetCompletionsAtPositionOptions = {
  includeCompletionsWithInsertText: true,
  includeAutomaticOptionalChainCompletions: true,
  includeCompletionsForModuleExports: false,
  includeCompletionsForImportStatements: false,
};

interface Match {
  text: string;
  start: number;
  end: number;
  type: string;
  sortText: string;
}

/**
 * `carriedNoun` names what an earlier cell declared a name as: such names reach the cell as
 * imports, which the language service calls "alias".
 */
export function completeAt(
  service: ts.LanguageService,
  source: CellSource,
  code: string,
  cursor: number,
  carriedNoun: (name: string) => string | undefined,
): CompleteResult {
  const typed = identifierBefore(code, cursor);
  const info = service.getCompletionsAtPosition(source.fileName, source.offset + cursor, OPTIONS);
  const empty: CompleteResult = { matches: [], cursorStart: typed.start, cursorEnd: cursor, metadata: { _jupyter_types_experimental: [] } };
  if (!info) return empty;
  const matches: Match[] = [];
  for (const entry of info.entries) {
    if (HIDDEN.test(entry.name)) continue;
    const span = entry.replacementSpan ?? info.optionalReplacementSpan;
    const start = span ? span.start - source.offset : typed.start;
    const end = span ? Math.max(cursor, span.start + span.length - source.offset) : cursor;
    const prefix = code.slice(start, cursor);
    const text = entry.insertText ?? entry.name;
    if (start < 0 || !startsWithIgnoringCase(text, prefix)) continue;
    const kind = entry.kind === "alias" ? (carriedNoun(entry.name) ?? entry.kind) : entry.kind;
    matches.push({ text, start, end, type: JUPYTER_TYPE[kind] ?? kind, sortText: entry.sortText });
  }
  if (matches.length === 0) return empty;
  matches.sort((a, b) => (a.sortText < b.sortText ? -1 : a.sortText > b.sortText ? 1 : a.text < b.text ? -1 : a.text > b.text ? 1 : 0));
  // Jupyter replaces one range for every match: the widest one asked for.
  const cursorStart = Math.min(...matches.map((m) => m.start));
  const cursorEnd = Math.max(...matches.map((m) => m.end));
  const texts = matches.map((m) => code.slice(cursorStart, m.start) + m.text + code.slice(m.end, cursorEnd));
  return {
    matches: texts,
    cursorStart,
    cursorEnd,
    metadata: {
      _jupyter_types_experimental: matches.map((m, i) => ({ start: cursorStart, end: cursorEnd, text: texts[i] ?? m.text, type: m.type })),
    },
  };
}

function startsWithIgnoringCase(text: string, prefix: string): boolean {
  return text.slice(0, prefix.length).toLowerCase() === prefix.toLowerCase();
}

/** The identifier being typed, ending at the cursor (start === cursor when there is none). */
export function identifierBefore(code: string, cursor: number): { start: number; text: string } {
  const ts = typescript();
  let start = cursor;
  while (start > 0) {
    const ch = code.codePointAt(start - 1) ?? 0;
    // A low surrogate: step over the pair (identifiers may hold astral letters).
    const width = start >= 2 && ch >= 0xdc00 && ch <= 0xdfff ? 2 : 1;
    const point = code.codePointAt(start - width) ?? 0;
    if (!ts.isIdentifierPart(point, ts.ScriptTarget.ESNext)) break;
    start -= width;
  }
  return { start, text: code.slice(start, cursor) };
}
