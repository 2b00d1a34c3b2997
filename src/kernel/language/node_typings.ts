// When a check needs Node's typings (@types/node and undici-types).
//
// Note [node typings on demand]
// Node's typings are 100 of the ~350 files a check's program holds and 2.3 of its 3.6 MB of
// declarations: with them, each check's new checker merges their globals again, and the idle
// kernel holds their syntax trees (tens of MB). A notebook that computes with tensors never
// names them. So, unless tsconfig.json lists `types` itself, a session starts without them
// (`types: []`) and turns them on, for good, the first time
//   - a cell mentions a name Node's typings add (NODE_NAMES: `process`, `console`, `Buffer`,
//     `setTimeout`, `URL`, ...: the globals @types/node declares and lib.es2022 does not, and
//     the members it adds to lib's interfaces), or imports anything but "tsjit" (a builtin, a
//     package or a file beside the notebook may use Node's types), or uses `import.meta`,
//     `using`, `declare global`/`declare module` or a `/// <reference>`;
//   - or a check without them still met a missing Node name: TypeScript's "do you need type
//     definitions for node?" family in the cell; a name or property it could not find for
//     which one of NODE_NAMES might be its "Did you mean ...?" (`consle.log`: with Node's
//     typings TypeScript suggests `console`); or any error the checker met inside a
//     declaration file while checking the cell (tsjit's own typings name `Buffer`: torch.save
//     returns one). The cell is then checked again with them.
// Completing a bare identifier offers the globals that start with what was typed, so it turns
// them on when one of NODE_NAMES does (`pro` → `process`; any, for nothing typed yet); a member
// completion `x.` needs only the names the cell mentions. On or off, a cell that uses Node
// gets exactly the diagnostics it had before this, and one that does not gets the same ones
// too: Node's typings only add declarations, and those a cell could notice are in NODE_NAMES.
// test/kernel/language/node_typings.test.ts checks NODE_NAMES against @types/node itself.

import { dirname, sep } from "node:path";
import type ts from "typescript";
import type { CellOutline } from "./cell_outline.js";
import { typescript } from "./typescript.js";

/**
 * Names whose meaning changes with Node's typings: the globals @types/node (v20, with
 * undici-types) declares beyond lib.es2022, and the members it adds to lib's interfaces
 * (`Error.captureStackTrace`, `Symbol.dispose`). A cell mentioning one, anywhere (a property
 * name too), is checked with Node's typings.
 */
export const NODE_NAMES: ReadonlySet<string> = new Set([
  // values and namespaces
  "AbortController", "AbortSignal", "Blob", "BroadcastChannel", "Buffer", "ByteLengthQueuingStrategy",
  "CompressionStream", "CountQueuingStrategy", "CustomEvent", "DOMException", "DecompressionStream", "Event",
  "EventSource", "EventTarget", "File", "FormData", "Headers", "MessageChannel", "MessageEvent", "MessagePort",
  "NodeJS", "PerformanceEntry", "PerformanceMark", "PerformanceMeasure", "PerformanceObserver",
  "PerformanceObserverEntryList", "PerformanceResourceTiming", "ReadableByteStreamController", "ReadableStream",
  "ReadableStreamBYOBReader", "ReadableStreamBYOBRequest", "ReadableStreamDefaultController",
  "ReadableStreamDefaultReader", "Request", "Response", "TextDecoder", "TextDecoderStream", "TextEncoder",
  "TextEncoderStream", "TransformStream", "TransformStreamDefaultController", "URL", "URLSearchParams", "WebSocket",
  "WritableStream", "WritableStreamDefaultController", "WritableStreamDefaultWriter", "__dirname", "__filename",
  "atob", "btoa", "clearImmediate", "clearInterval", "clearTimeout", "console", "crypto", "exports", "fetch", "gc",
  "global", "globalThis", "module", "performance", "process", "queueMicrotask", "require", "setImmediate",
  "setInterval", "setTimeout", "structuredClone",
  // types only
  "AllowSharedBuffer", "AsyncDisposable", "BufferConstructor", "BufferEncoding", "Console", "Disposable",
  "EventListenerOptions", "EventSourceInit", "Global", "MessageEventInit", "NodeModule", "NodeRequire",
  "NonSharedBuffer", "QueuingStrategy", "RelativeIndexable", "RequestInit", "RequireResolve", "ResponseInit",
  "WebSocketInit", "_Blob", "_File", "_ByteLengthQueuingStrategy", "_CompressionStream", "_CountQueuingStrategy",
  "_DecompressionStream", "_QueuingStrategy", "_ReadableByteStreamController", "_ReadableStream",
  "_ReadableStreamBYOBReader", "_ReadableStreamBYOBRequest", "_ReadableStreamDefaultController",
  "_ReadableStreamDefaultReader", "_TextDecoderStream", "_TextEncoderStream", "_TransformStream",
  "_TransformStreamDefaultController", "_WritableStream", "_WritableStreamDefaultController",
  "_WritableStreamDefaultWriter",
  // members added to lib's interfaces (ErrorConstructor, SymbolConstructor; ImportMeta: see mentionsNode)
  "captureStackTrace", "prepareStackTrace", "stackTraceLimit", "dispose", "asyncDispose",
]);

/** Whether completing a bare identifier typed as `prefix` may offer one of Node's names (case-insensitive, as completion filters). */
export function mayCompleteToNode(prefix: string): boolean {
  const typed = prefix.toLowerCase();
  for (const name of NODE_NAMES) if (name.slice(0, typed.length).toLowerCase() === typed) return true;
  return false;
}

/** The one module a cell may import without Node's typings: tsjit's own (its typings are checked for Node below). */
const MODULES_WITHOUT_NODE: ReadonlySet<string> = new Set(["tsjit"]);

/**
 * TypeScript's own hints that a name is Node's: 2580/2591 "Cannot find name 'process'. Do you
 * need to install type definitions for node?", 2584 "... include 'dom'" (said of `console`).
 */
const NODE_HINT_CODES: ReadonlySet<number> = new Set([2580, 2591, 2584]);

/**
 * "Cannot find name 'x'" (2304, 2552 with a suggestion), "Cannot find namespace" (2503),
 * "Property 'x' does not exist on type" (2339, 2551 with a suggestion): the first quoted word
 * of the message is the name TypeScript looked for, and may suggest one of Node's instead.
 */
const MISSING_NAME_CODES: ReadonlySet<number> = new Set([2304, 2552, 2503, 2339, 2551]);

/** Whether `cell` may mean something else with Node's typings (Note [node typings on demand]). */
export function mentionsNode(cell: ts.SourceFile, outline: CellOutline): boolean {
  for (const name of outline.referenced) if (NODE_NAMES.has(name)) return true;
  if (cell.referencedFiles.length > 0 || cell.typeReferenceDirectives.length > 0 || cell.libReferenceDirectives.length > 0) return true;
  const ts = typescript();
  let found = false;
  const visit = (node: ts.Node): void => {
    if (found) return;
    if (
      (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) &&
      node.moduleSpecifier !== undefined &&
      !(ts.isStringLiteral(node.moduleSpecifier) && MODULES_WITHOUT_NODE.has(node.moduleSpecifier.text))
    ) {
      found = true;
    } else if (ts.isImportEqualsDeclaration(node) || ts.isImportTypeNode(node) || ts.isMetaProperty(node)) {
      found = true; // `import x = require(...)`, `import("m").T`, `import.meta`
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      found = true; // `await import("m")`
    } else if (ts.isModuleDeclaration(node) && (ts.isStringLiteral(node.name) || (node.flags & ts.NodeFlags.GlobalAugmentation) !== 0)) {
      found = true; // `declare module "m"`, `declare global`
    } else if (ts.isVariableDeclarationList(node) && isUsing(ts, node)) {
      found = true; // `using` needs Symbol.dispose
    } else {
      ts.forEachChild(node, visit);
    }
  };
  visit(cell);
  return found;
}

/**
 * Whether TypeScript's spelling suggestion for `name` could be one of NODE_NAMES. Its rule
 * (checker's getSpellingSuggestion): a candidate at most max(2, 34% of the length) longer or
 * shorter, at an edit distance under 40% of the length + 1, where its distance charges 2 for a
 * substitution and 0.1 for a change of case. The plain case-blind distance used here is never
 * more than that, so this says yes whenever TypeScript might (and sometimes when it would not).
 */
export function mightSuggestNodeName(name: string): boolean {
  const maxLengthDifference = Math.max(2, Math.floor(name.length * 0.34));
  const maxDistance = Math.floor(name.length * 0.4) + 1;
  const lower = name.toLowerCase();
  for (const candidate of NODE_NAMES) {
    if (Math.abs(candidate.length - name.length) > maxLengthDifference) continue;
    if (editDistance(lower, candidate.toLowerCase()) <= maxDistance) return true;
  }
  return false;
}

/** Levenshtein distance, each insertion, deletion and substitution costing 1. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j]! + 1, row[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = row;
  }
  return previous[b.length]!;
}

/** `using` or `await using` (AwaitUsing is Using | Const, so `const` alone shares a bit with it). */
function isUsing(ts: typeof import("typescript"), list: ts.VariableDeclarationList): boolean {
  const kind = list.flags & ts.NodeFlags.BlockScoped;
  return kind === ts.NodeFlags.Using || kind === ts.NodeFlags.AwaitUsing;
}

/** The checker's diagnostics for one file, including those met while checking others (internal API). */
type CheckerWithFileDiagnostics = ts.TypeChecker & { getDiagnostics?(file: ts.SourceFile): readonly ts.Diagnostic[] };

/**
 * Whether a check made without Node's typings met a Node name it could not find: a hint in the
 * cell's own diagnostics, or an error in a declaration file met while checking the cell (such
 * errors are recorded even though skipLibCheck leaves those files unchecked). Where TypeScript
 * does not expose what it met, assume it did.
 */
export function checkMissedNode(program: ts.Program, cellDiagnostics: readonly ts.Diagnostic[]): boolean {
  const ts = typescript();
  for (const d of cellDiagnostics) {
    if (NODE_HINT_CODES.has(d.code)) return true;
    const missing = MISSING_NAME_CODES.has(d.code) ? /'([^']+)'/.exec(ts.flattenDiagnosticMessageText(d.messageText, "\n"))?.[1] : undefined;
    if (missing !== undefined && mightSuggestNodeName(missing)) return true;
  }
  const checker = program.getTypeChecker() as CheckerWithFileDiagnostics;
  if (typeof checker.getDiagnostics !== "function") return true;
  const libFolder = dirname(ts.getDefaultLibFilePath(program.getCompilerOptions())) + sep;
  for (const file of program.getSourceFiles()) {
    if (!file.isDeclarationFile || file.fileName.startsWith(libFolder)) continue;
    if (checker.getDiagnostics(file).some((d) => d.category === ts.DiagnosticCategory.Error)) return true;
  }
  return false;
}
