/**
 * torch.jit.save: a ScriptModule (traced, scripted, frozen, loaded) or a ScriptFunction as the
 * zip archive PyTorch 1.13's torch.jit.load reads (torchscript-format.md §1, §5.1):
 *
 *   <prefix>/extra/<name>     _extra_files, first
 *   <prefix>/data/<k>         storages reachable from the module object, in pickling order
 *   <prefix>/data.pkl         the module object (torchscript pickle dialect)
 *   <prefix>/code/<q>.py      classes and functions per qualifier, by the one printer
 *   <prefix>/constants/<k>    storages of tensor constants
 *   <prefix>/constants.pkl    the CONSTANTS.cN tuple (always present)
 *   <prefix>/version          max(3, the ops' minimum); `.data/version` from 6 on
 *
 * Code files larger than 200 bytes are deflated, everything else stored, data 64-byte aligned.
 * No `.debug_pkl` (optional for loading; our graphs carry no source ranges to put in it).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
import { RuntimeError } from "../../util/errors.js";
import { Types, classType, type Graph } from "../ir/index.js";
import { ConstantTable, printCodeFile, type CodeFileItem } from "../printer/index.js";
import { ScriptModule, compiledFunctions, type ScriptFunction } from "../script_module.js";
import { archivePrefix } from "./archive_reader.js";
import { classObjectAttributes, collectCodeItems, moduleAttributes } from "./module_classes.js";
import { PickleEnum, PickleObject, tuple } from "./pickle_values.js";
import { LoadedScriptModule, ScriptClassObject, ScriptEnumValue } from "./loaded_objects.js";
import { runGraph } from "../runtime/interpreter.js";
import type { FunctionTable } from "../runtime/objects.js";
import { pickle } from "./pickler.js";
import { StorageTable } from "./torch_save.js";
import { typedPickleValue } from "./typed_values.js";
import { ZipWriter } from "./zip_writer.js";

export interface SaveOptions {
  /** Extra files stored under `extra/` (strings are written as UTF-8). */
  readonly _extra_files?: Readonly<Record<string, string | Uint8Array>> | Map<string, string | Uint8Array>;
}

/** kMinToCompress in export_module.cpp. */
const MIN_TO_COMPRESS = 200;
/** kMinProducedFileFormatVersion. */
const BASE_VERSION = 3;
/** Ops whose schema changed, and the file version an archive using them must declare (§3). */
const VERSION_BUMPS: readonly [string, number][] = [
  ["aten::div", 4], ["aten::div_", 4], ["aten::full", 5], ["aten::linspace", 8], ["aten::logspace", 9], ["aten::gelu", 10],
];

function isScriptFunction(v: unknown): v is ScriptFunction {
  return typeof v === "function" && !(v instanceof ScriptModule) && "graph" in v && "qualified_name" in v;
}

/** A script function saved as PyTorch does: forward of a `__torch__.PlaceholderModule`. */
function placeholderModule(fn: ScriptFunction): ScriptModule {
  const m = new ScriptModule("__torch__.PlaceholderModule");
  const g = fn.graph.copy();
  g.insertInput(0, "self", classType("__torch__.PlaceholderModule"));
  m._defineMethod("forward", g);
  return m;
}

function functionTableOf(v: unknown): FunctionTable {
  return v instanceof LoadedScriptModule ? v._functions : compiledFunctions;
}

function requiredVersion(items: readonly CodeFileItem[]): number {
  let v = BASE_VERSION;
  const graphs: Graph[] = [];
  for (const item of items) {
    if (item.kind === "function") graphs.push(item.graph);
    else if (item.kind === "module" || item.kind === "class") for (const m of item.methods ?? []) graphs.push(m.graph);
  }
  for (const g of graphs) {
    for (const n of g.allNodes()) {
      for (const [op, min] of VERSION_BUMPS) if (n.kind === op) v = Math.max(v, min);
    }
  }
  return v;
}

/**
 * Note [ignored methods]: a call back into JavaScript (prim::PythonOp, from @torch.jit.ignore)
 * has no code another runtime could run, so saving refuses it with PyTorch's message.
 */
function refuseJavaScriptCalls(items: readonly CodeFileItem[]): void {
  for (const item of items) {
    const graphs = item.kind === "function" ? [item.graph]
      : item.kind === "module" || item.kind === "class" ? (item.methods ?? []).map((m) => m.graph) : [];
    for (const g of graphs) {
      for (const n of g.allNodes()) {
        if (n.kind !== "prim::PythonOp") continue;
        const where = n.sourceRange ? `\n  File "${n.sourceRange.file}", line ${n.sourceRange.line}` : "";
        throw new RuntimeError(
          `Could not export Python function call '${n.s("name")}'. Remove calls to Python functions before export. Did you forget to add @script or @script_method annotation? If this is a nn.ModuleList, add it to __constants__:${where}`,
        );
      }
    }
  }
}

/** `code/a/b.py` for `a.b.C`. */
function codeFileOf(qualifiedName: string): string {
  return `code/${qualifiedName.slice(0, qualifiedName.lastIndexOf(".")).replace(/\./g, "/")}.py`;
}

/** The archive bytes of `m`. */
export function serializeModule(target: ScriptModule | ScriptFunction, prefix = "archive", opts: SaveOptions = {}): Buffer {
  const root = isScriptFunction(target) ? placeholderModule(target) : target;
  if (!(root instanceof ScriptModule)) throw new TypeError("torch.jit.save: expected a ScriptModule or a ScriptFunction");
  const zip = new ZipWriter();
  const extra = opts._extra_files instanceof Map ? [...opts._extra_files] : Object.entries(opts._extra_files ?? {});
  for (const [name, content] of extra) zip.add(`${prefix}/extra/${name}`, typeof content === "string" ? Buffer.from(content, "utf8") : content);

  // data.pkl: one PickleObject per module object, shared when the module is
  const objects = new Map<unknown, PickleObject>();
  const objectOf = (v: unknown): unknown => {
    if (v instanceof ScriptEnumValue) return new PickleEnum(v.qualifiedName, v.value);
    if (!(v instanceof ScriptModule) && !(v instanceof ScriptClassObject)) return v;
    let o = objects.get(v);
    if (!o) {
      const state = new Map<string, unknown>();
      o = new PickleObject(v.qualifiedName, state);
      objects.set(v, o);
      const getstate = v.getMethod("__getstate__");
      if (getstate && v.getMethod("__setstate__")) {
        // PyTorch pickles what __getstate__ returns; the loader hands it to __setstate__
        const returned = runGraph(getstate.graph, [v], { functions: functionTableOf(v), name: "__getstate__" });
        o = new PickleObject(v.qualifiedName, typedPickleValue(returned[0] ?? null, getstate.graph.outputs[0]?.type ?? Types.none, objectOf));
        objects.set(v, o);
        return o;
      }
      const attrs = v instanceof ScriptModule ? moduleAttributes(v) : classObjectAttributes(v);
      for (const a of attrs) state.set(a.name, typedPickleValue(a.value, a.type, objectOf));
    }
    return o;
  };
  const dataStorages = new StorageTable();
  const data = pickle(objectOf(root) as PickleObject, { dialect: "torchscript", storageKey: (s) => dataStorages.key(s) });
  for (const [key, bytes] of dataStorages.records()) zip.add(`${prefix}/data/${key}`, bytes);
  zip.add(`${prefix}/data.pkl`, data);

  // code/: one printer per file, one constant table for the archive
  const items = collectCodeItems(root);
  refuseJavaScriptCalls(items);
  const files = new Map<string, CodeFileItem[]>();
  for (const item of items) {
    const file = codeFileOf(item.qualifiedName);
    files.set(file, [...(files.get(file) ?? []), item]);
  }
  const constants = new ConstantTable();
  for (const [file, fileItems] of files) {
    const text = Buffer.from(printCodeFile(fileItems, { constants }), "utf8");
    zip.add(`${prefix}/${file}`, text, { deflate: text.length > MIN_TO_COMPRESS });
  }

  const constantStorages = new StorageTable();
  const constantValues = tuple(constants.entries.map((c) => typedPickleValue(c, Types.tensor, objectOf)));
  const constantsPkl = pickle(constantValues, { dialect: "torchscript", storageKey: (s) => constantStorages.key(s) });
  for (const [key, bytes] of constantStorages.records()) zip.add(`${prefix}/constants/${key}`, bytes);
  zip.add(`${prefix}/constants.pkl`, constantsPkl);

  const version = requiredVersion(items);
  zip.add(`${prefix}/${version >= 6 ? ".data/version" : "version"}`, Buffer.from(`${version}\n`));
  return zip.finish();
}

/**
 * torch.jit.save(m, path, {_extra_files}) writes the archive (creating missing folders) and
 * returns its bytes; with no path, only returns them (PyTorch's BytesIO case, prefix `archive`).
 */
export function save(m: ScriptModule | ScriptFunction, f?: string, opts: SaveOptions = {}): Buffer {
  const bytes = serializeModule(m, archivePrefix(f ?? null), opts);
  if (f !== undefined) {
    mkdirSync(dirname(f), { recursive: true });
    writeFileSync(f, bytes);
  }
  return bytes;
}

declare module "../script_module.js" {
  interface ScriptModule {
    /** `m.save(path, {_extra_files})`: torch.jit.save(m, path). */
    save(f: string, opts?: SaveOptions): void;
  }
}

Object.defineProperty(ScriptModule.prototype, "save", {
  value(this: ScriptModule, f: string, opts: SaveOptions = {}): void {
    save(this, f, opts);
  },
  writable: true,
  configurable: true,
  enumerable: false,
});
