/**
 * What a ScriptModule tree looks like as TorchScript classes, for the archive writer: each
 * distinct class (qualified name) with its attributes in PyTorch's slot order — parameters,
 * buffers, plain attributes (`training`, `_is_full_backward_hook`, user values), submodules
 * (torchscript-format.md §4.5) — their types, and the free functions its methods call.
 *
 * Attribute types come from the methods' `prim::GetAttr` outputs when a method reads the
 * attribute (so a float attribute holding 2 stays `float`), else from the value.
 */
import { Module } from "../../nn/module.js";
import { Parameter } from "../../nn/parameter.js";
import { Tensor } from "../../tensor/tensor.js";
import {
  Types, classType, containedTypes, dictType, enumType, listType, optionalType, tupleType, type Block, type Graph, type JitType,
} from "../ir/index.js";
import type { ClassAttribute, CodeFileItem, ScriptClassDescription } from "../printer/index.js";
import { ScriptModule, compiledFunctions } from "../script_module.js";
import { isTuple } from "./pickle_values.js";
import { LoadedScriptModule, ScriptClassObject, ScriptEnumValue } from "./loaded_objects.js";
import { describeImportedClass, describeImportedFunction, type SourceImporter } from "../import/index.js";

export interface ModuleAttribute extends ClassAttribute {
  readonly value: unknown;
}

/** Own attributes of `m` in slot order, with their types. */
export function moduleAttributes(m: ScriptModule): ModuleAttribute[] {
  const declared = getAttrTypes(m);
  const own = m as unknown as Record<string, unknown>;
  const params: ModuleAttribute[] = [];
  const buffers: ModuleAttribute[] = [];
  const plain: ModuleAttribute[] = [
    { name: "training", type: Types.bool, value: m.training },
    { name: "_is_full_backward_hook", type: optionalType(Types.bool), value: null },
  ];
  const children: ModuleAttribute[] = [];
  const names = new Set([...Object.keys(own), ...m._buffers]);
  for (const name of names) {
    const value = own[name];
    if (name === "training" || name === "_is_full_backward_hook" || typeof value === "function" && !(value instanceof Module)) continue;
    if (value instanceof Parameter) params.push({ name, type: Types.tensor, value, isParameter: true });
    else if (m._buffers.has(name)) buffers.push({ name, type: Types.tensor, value, isBuffer: true });
    else if (value instanceof ScriptModule) children.push({ name, type: classType(value.qualifiedName), value });
    else if (value instanceof Module) throw new Error(`torch.jit.save: submodule '${name}' of ${m.original_name} is not a ScriptModule`);
    else {
      const type = declared.get(name) ?? inferType(value);
      if (type === null) throw new Error(`torch.jit.save: cannot infer a TorchScript type for attribute '${name}' of ${m.original_name}`);
      plain.push({ name, type, value });
    }
  }
  return [...params, ...buffers, ...plain, ...children];
}

/** Types the methods read attributes of `self` as. */
function getAttrTypes(m: ScriptModule): Map<string, JitType> {
  const out = new Map<string, JitType>();
  for (const method of m._methods.values()) {
    const self = method.graph.inputs[0];
    for (const n of method.graph.allNodes()) {
      if (n.kind === "prim::GetAttr" && n.inputs[0] === self) out.set(n.s("name"), n.output().type);
    }
  }
  return out;
}

/** Attributes of a TorchScript class instance, typed from their values. */
export function classObjectAttributes(o: ScriptClassObject): ModuleAttribute[] {
  return o.attributeNames().map((name) => {
    const value = o.getAttr(name);
    const type = inferType(value);
    if (type === null) throw new Error(`torch.jit.save: cannot infer a TorchScript type for attribute '${name}' of ${o.qualifiedName}`);
    return { name, type, value };
  });
}

/** The TorchScript type of a plain attribute value. */
export function inferType(v: unknown): JitType | null {
  if (v instanceof Tensor) return Types.tensor;
  if (typeof v === "boolean") return Types.bool;
  if (typeof v === "number") return Number.isInteger(v) ? Types.int : Types.float;
  if (typeof v === "string") return Types.str;
  if (v === null || v === undefined) return Types.none;
  if (isTuple(v)) {
    const items = v.map(inferType);
    return items.every((t): t is JitType => t !== null) ? tupleType(items) : null;
  }
  if (Array.isArray(v)) {
    if (v.length === 0) return listType(Types.tensor);
    if (v.every((x) => typeof x === "number")) return listType(v.every((x) => Number.isInteger(x)) ? Types.int : Types.float);
    const first = inferType(v[0]);
    return first ? listType(first) : null;
  }
  if (v instanceof Map) {
    const [k, x] = v.entries().next().value ?? ["", null];
    const kt = inferType(k);
    const vt = v.size === 0 ? Types.tensor : inferType(x);
    return kt && vt ? dictType(kt, vt) : null;
  }
  if (v instanceof ScriptModule || v instanceof ScriptClassObject) return classType(v.qualifiedName);
  if (v instanceof ScriptEnumValue) return enumType(v.qualifiedName);
  return null;
}

/** The class description the printer takes for module `m`. */
export function moduleClass(m: ScriptModule): ScriptClassDescription {
  if (m instanceof LoadedScriptModule && m._classDescription) return loadedClass(m, m._classDescription);
  return {
    kind: "module",
    qualifiedName: m.qualifiedName,
    attributes: moduleAttributes(m),
    methods: [...m._methods.values()].map((x) => ({ name: x.name, graph: x.graph })),
  };
}

/** A loaded module re-saved: the archive's own declarations, with the object's current values. */
function loadedClass(m: LoadedScriptModule, desc: ScriptClassDescription): ScriptClassDescription {
  const attributes: ModuleAttribute[] = (desc.attributes ?? []).map((a) => {
    let value: unknown;
    if (a.name === "training") value = m.training;
    else if (a.name === "_is_full_backward_hook") value = (m as unknown as Record<string, unknown>)[a.name] ?? null;
    else value = m.getAttr(a.name);
    return { ...a, value };
  });
  return { ...desc, attributes };
}

/** Qualified names of the free functions `graph` calls (prim::CallFunction's Function constants). */
export function calledFunctions(graph: Graph): string[] {
  const out: string[] = [];
  // a plain walk over the node lists: nested generators (graph.allNodes) were a measurable
  // share of torch.jit.load, which asks this of every method it loads
  const visit = (b: Block): void => {
    for (let n = b.firstNode; n !== null; n = n.next) {
      for (const o of n.outputs) {
        if (o.type.kind === "Function" && o.type.name) out.push(o.type.name);
      }
      for (const inner of n.blocks) visit(inner);
    }
  };
  visit(graph.block);
  return out;
}

/**
 * Every class and function the archive needs, in the order the serializer reaches them (root
 * first, then what it refers to), one entry per qualified name.
 */
export function collectCodeItems(root: ScriptModule, extraFunctions: readonly CodeFileItem[] = []): CodeFileItem[] {
  const items: CodeFileItem[] = [];
  const seen = new Set<string>();
  const importers = new Set<SourceImporter>();
  const graphs: Graph[] = [];
  // an attribute may name a class no method mentions (`c : __torch__.Color`, read only by Python)
  const attributeTypes: JitType[] = [];
  const visitModule = (m: ScriptModule) => {
    if (seen.has(m.qualifiedName)) return;
    seen.add(m.qualifiedName);
    if (m instanceof LoadedScriptModule && m._importer) importers.add(m._importer);
    const cls = moduleClass(m);
    items.push(cls);
    for (const x of cls.methods ?? []) graphs.push(x.graph);
    for (const a of cls.attributes ?? []) {
      if (a.type.kind === "Class" && a.name !== "training") visitValue(a);
      attributeTypes.push(a.type);
    }
  };
  const visitValue = (a: ClassAttribute) => {
    const v = (a as ModuleAttribute).value;
    if (v instanceof ScriptModule) visitModule(v);
  };
  visitModule(root);
  for (const f of extraFunctions) items.push(f);
  // classes the code names that are not modules (NamedTuples, enums, script classes, interfaces)
  const visitType = (t: JitType) => {
    const name = t.kind === "Class" || t.kind === "Enum" ? t.name : t.kind === "Tuple" ? t.named?.name ?? null : null;
    if (name !== null && !seen.has(name)) {
      for (const importer of importers) {
        const found = importer.loadType(name);
        if (found?.kind !== "class") continue;
        seen.add(name);
        const desc = describeImportedClass(found);
        items.push(desc);
        if (desc.kind === "class" || desc.kind === "module") for (const x of desc.methods ?? []) graphs.push(x.graph);
        break;
      }
    }
    for (const c of containedTypes(t)) visitType(c);
  };
  // functions and classes: breadth-first over every graph reached, then what only attributes name
  let next = 0;
  let nextAttribute = 0;
  while (next < graphs.length || nextAttribute < attributeTypes.length) {
    if (next === graphs.length) {
      visitType(attributeTypes[nextAttribute++]!);
      continue;
    }
    const g = graphs[next++]!;
    for (const n of g.allNodes()) for (const o of n.outputs) visitType(o.type);
    for (const v of g.inputs) visitType(v.type);
    for (const q of calledFunctions(g)) {
      if (seen.has(q)) continue;
      seen.add(q);
      const item = functionItem(q, importers);
      items.push(item);
      graphs.push(item.graph);
    }
  }
  return items;
}

/** A free function the code calls: from a loaded archive's code, else compiled in this process. */
function functionItem(q: string, importers: ReadonlySet<SourceImporter>): CodeFileItem & { graph: Graph } {
  for (const importer of importers) {
    const found = importer.loadType(q);
    if (found?.kind === "function") return describeImportedFunction(found);
  }
  const fn = compiledFunctions.get(q);
  if (!fn) throw new Error(`torch.jit.save: the code calls ${q}, which is not a compiled function`);
  return { kind: "function", qualifiedName: q, graph: fn.graph };
}
