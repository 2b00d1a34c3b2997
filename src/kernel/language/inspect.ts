// Inspect (Shift-Tab): the language service's quick info, as text/plain and text/markdown.

import type ts from "typescript";
import type { InspectResult } from "../protocol/evaluator.js";
import { GENERATED_NAME, type CellSource } from "./cell_program.js";
import { typescript } from "./typescript.js";

interface Described {
  signature: string;
  documentation: string;
  tags: string[];
}

/**
 * Quick info for what the cursor touches: the identifier under or just before it, else the
 * call it is inside (`Math.max(|`), as IPython shows the docstring of the function being called.
 * `detailLevel` 1 (`obj??`) adds every JSDoc tag, not only the parameters and return.
 */
export function inspectAt(service: ts.LanguageService, source: CellSource, cursor: number, detailLevel: 0 | 1): InspectResult {
  const found = quickInfo(service, source, cursor) ?? signatureHelp(service, source, cursor);
  if (!found) return { found: false };
  const tags = detailLevel === 1 ? found.tags : found.tags.filter((t) => /^@(param|returns?|example|deprecated)\b/.test(t));
  const plain = [found.signature, found.documentation, ...tags].filter((s) => s !== "").join("\n\n");
  const markdown = ["```typescript\n" + found.signature + "\n```", found.documentation, ...tags.map((t) => `*${t.split(" ")[0]}* ${t.slice(t.indexOf(" ") + 1)}`)]
    .filter((s) => s !== "")
    .join("\n\n");
  return { found: true, data: { "text/plain": plain, "text/markdown": markdown }, metadata: {} };
}

function quickInfo(service: ts.LanguageService, source: CellSource, cursor: number): Described | undefined {
  for (const at of cursor > 0 ? [cursor, cursor - 1] : [cursor]) {
    const position = source.offset + at;
    const info = service.getQuickInfoAtPosition(source.fileName, position);
    if (!info || info.textSpan.start < source.offset) continue;
    const original = info.kind === "alias" ? declarationInfo(service, source.fileName, position) : undefined;
    const shown = original ?? info;
    const documented = shown.documentation?.length ? shown : (carriedVariableInfo(service, source, info) ?? shown);
    const signature = text(shown.displayParts) + callSignatures(service, source.fileName, info);
    return { signature, documentation: text(documented.documentation), tags: (documented.tags ?? []).map(tagText) };
  }
  return undefined;
}

/**
 * Quick info at the declaration an import stands for. Names from earlier cells reach a cell
 * as imports (Note [how later cells see a name]); "(alias) twice(...)\nimport twice" would show
 * the kernel's plumbing instead of `function twice(...)`.
 */
function declarationInfo(service: ts.LanguageService, fileName: string, position: number): ts.QuickInfo | undefined {
  const definition = service.getDefinitionAtPosition(fileName, position)?.find((d) => d.fileName !== fileName);
  return definition && service.getQuickInfoAtPosition(definition.fileName, definition.textSpan.start);
}

/**
 * Quick info of the original declaration of a variable from an earlier cell, which the header
 * re-declares as `declare let n: typeof __tsjit_prev_n` (and so without its JSDoc).
 */
function carriedVariableInfo(service: ts.LanguageService, source: CellSource, info: ts.QuickInfo): ts.QuickInfo | undefined {
  const name = source.text.slice(info.textSpan.start, info.textSpan.start + info.textSpan.length);
  const at = source.text.indexOf(`typeof __tsjit_prev_${name};`);
  if (at < 0 || at >= source.offset) return undefined;
  return declarationInfo(service, source.fileName, at + "typeof ".length);
}

/**
 * The call signatures of a callable value shown by its type's name (torch's ops are
 * `const tanh: Op<Unary>`): what to pass is what Shift-Tab is for.
 */
function callSignatures(service: ts.LanguageService, fileName: string, info: ts.QuickInfo): string {
  if (!VALUE_KINDS.has(info.kind)) return "";
  const program = service.getProgram();
  const file = program?.getSourceFile(fileName);
  const node = file && nodeAt(file, info.textSpan.start);
  if (!program || !node) return "";
  const checker = program.getTypeChecker();
  const signatures = checker.getTypeAtLocation(node).getCallSignatures();
  if (signatures.length === 0 || signatures.length > MAX_SIGNATURES) return "";
  const name = node.getText(file);
  return signatures.map((s) => `\n${name}${checker.signatureToString(s)}`).join("");
}

const VALUE_KINDS = new Set(["const", "let", "var", "property", "local var"]);
const MAX_SIGNATURES = 8;

/** The innermost node that starts at `position`. */
function nodeAt(file: ts.SourceFile, position: number): ts.Node | undefined {
  const ts = typescript();
  let found: ts.Node | undefined;
  const visit = (node: ts.Node): void => {
    if (position < node.getStart(file) || position >= node.end) return;
    found = node;
    ts.forEachChild(node, visit);
  };
  ts.forEachChild(file, visit);
  return found;
}

function signatureHelp(service: ts.LanguageService, source: CellSource, cursor: number): Described | undefined {
  const help = service.getSignatureHelpItems(source.fileName, source.offset + cursor, undefined);
  const item = help?.items[help.selectedItemIndex];
  if (!item) return undefined;
  const parameters = item.parameters.map((p) => text(p.displayParts)).join(text(item.separatorDisplayParts));
  const signature = text(item.prefixDisplayParts) + parameters + text(item.suffixDisplayParts);
  return { signature, documentation: text(item.documentation), tags: item.tags.map(tagText) };
}

function text(parts: readonly ts.SymbolDisplayPart[] | undefined): string {
  return typescript().displayPartsToString(parts ? [...parts] : []).replace(GENERATED_NAME, "");
}

function tagText(tag: ts.JSDocTagInfo): string {
  const body = text(tag.text);
  return body === "" ? `@${tag.name}` : `@${tag.name} ${body}`;
}
