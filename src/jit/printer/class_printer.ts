/**
 * Class bodies and code files as an archive's code/ holds them (python_print.cpp
 * printNamedType / printClass; torchscript-format.md §7-§8):
 *
 *   class MyCell_v1(Module):
 *     __parameters__ = []
 *     __buffers__ = []
 *     training : bool
 *     _is_full_backward_hook : Optional[bool]
 *     linear : __torch__.torch.nn.modules.linear.Linear
 *     def forward(self: __torch__.MyCell_v1,
 *       x: Tensor,
 *       h: Tensor) -> Tuple[Tensor, Tensor]:
 *       ...
 *
 * The printer does not know module objects; the caller describes each class with the small
 * interfaces below (what a ClassType holds in PyTorch: attributes in slot order with their
 * parameter/buffer flags, constants, methods, hooks).
 */
import type { Graph, JitType } from "../ir/index.js";
import { isValidIdentifier } from "./names.js";
import { PythonPrinter, type FunctionSignature, type PrinterOptions } from "./python_printer.js";
import { unqualifiedName } from "./code.js";

export interface ClassAttribute {
  readonly name: string;
  readonly type: JitType;
  readonly isParameter?: boolean;
  readonly isBuffer?: boolean;
}

/** A `Final` class constant: `eps : Final[float] = 1.0000000000000001e-05`. */
export interface ClassConstant {
  readonly name: string;
  /** The constant's own type (c10 prints the IValue's type: `(6,)` is `Tuple[int]`). */
  readonly type: JitType;
  /** Runtime representation (src/jit/runtime/objects.ts). */
  readonly value: unknown;
}

/** A method or hook: its graph and whatever of its schema the graph does not say. */
export interface MethodDescription extends FunctionSignature {
  readonly graph: Graph;
}

/** A method of an interface: a signature only (its body prints as `pass`). */
export interface InterfaceMethod {
  readonly name: string;
  /** Arguments after `self`. */
  readonly args: readonly { readonly name: string; readonly type: JitType }[];
  readonly returnType: JitType;
}

export interface ScriptClassDescription {
  /** "module" prints `(Module)` and the `__parameters__` / `__buffers__` lists. */
  readonly kind: "module" | "class";
  readonly qualifiedName: string;
  readonly attributes?: readonly ClassAttribute[];
  readonly constants?: readonly ClassConstant[];
  readonly methods?: readonly MethodDescription[];
  /** Forward pre-hooks and hooks, in registration order (a function may be registered twice). */
  readonly forwardPreHooks?: readonly MethodDescription[];
  readonly forwardHooks?: readonly MethodDescription[];
}

export interface NamedTupleDescription {
  readonly kind: "namedtuple";
  readonly qualifiedName: string;
  readonly fields: readonly { readonly name: string; readonly type: JitType }[];
}

export interface EnumDescription {
  readonly kind: "enum";
  readonly qualifiedName: string;
  readonly valueType: JitType;
  readonly members: readonly { readonly name: string; readonly value: unknown }[];
}

export interface InterfaceDescription {
  readonly kind: "interface" | "moduleInterface";
  readonly qualifiedName: string;
  readonly methods: readonly InterfaceMethod[];
}

/** A free function of a code file (`def relu(input: Tensor, inplace: bool=False) -> Tensor:`). */
export interface FunctionDescription extends Omit<FunctionSignature, "name"> {
  readonly kind: "function";
  readonly qualifiedName: string;
  readonly graph: Graph;
}

export type ClassDescription = ScriptClassDescription | NamedTupleDescription | EnumDescription | InterfaceDescription;
export type CodeFileItem = ClassDescription | FunctionDescription;

/** One class as its code file holds it. */
export function printClass(desc: ClassDescription, options: PrinterOptions = {}): string {
  return printCodeFile([desc], options);
}

/**
 * A whole code file (`code/__torch__.py`): its classes and functions in the order given, all
 * printed by one printer, so `_N` temporaries run on from one method to the next as in
 * PyTorch's archives, and tensor constants go to `options.constants` (constants.pkl).
 */
export function printCodeFile(items: readonly CodeFileItem[], options: PrinterOptions = {}): string {
  const p = new PythonPrinter(options);
  for (const item of items) printItem(p, item);
  return p.text();
}

function printItem(p: PythonPrinter, item: CodeFileItem): void {
  switch (item.kind) {
    case "function":
      p.printFunction(item.graph, { ...item, name: unqualifiedName(item.qualifiedName) });
      return;
    case "module":
    case "class":
      printScriptClass(p, item);
      return;
    case "namedtuple":
      p.line(`class ${unqualifiedName(item.qualifiedName)}(NamedTuple):`);
      p.indented(() => item.fields.forEach((f) => p.line(`${f.name} : ${p.annotation(f.type)}`)));
      return;
    case "enum":
      printEnum(p, item);
      return;
    case "interface":
    case "moduleInterface":
      printInterface(p, item);
      return;
  }
}

/** A quoted name list: `["weight", "bias", ]` (every name followed by ", "). */
function nameList(names: readonly string[]): string {
  return `[${names.map((n) => `"${n}", `).join("")}]`;
}

function printScriptClass(p: PythonPrinter, c: ScriptClassDescription): void {
  const isModule = c.kind === "module";
  const attributes = c.attributes ?? [];
  const preHooks = c.forwardPreHooks ?? [];
  const hooks = c.forwardHooks ?? [];
  p.line(`class ${unqualifiedName(c.qualifiedName)}${isModule ? "(Module)" : ""}:`);
  p.indented(() => {
    if (isModule) {
      p.line(`__parameters__ = ${nameList(attributes.filter((a) => a.isParameter).map((a) => a.name))}`);
      p.line(`__buffers__ = ${nameList(attributes.filter((a) => a.isBuffer).map((a) => a.name))}`);
      if (preHooks.length > 0) p.line(`__forward_pre_hooks__ = ${nameList(preHooks.map((h) => h.name))}`);
      if (hooks.length > 0) p.line(`__forward_hooks__ = ${nameList(hooks.map((h) => h.name))}`);
    }
    attributes.forEach((a, i) => {
      if (isValidIdentifier(a.name)) {
        p.line(`${a.name} : ${p.annotation(a.type)}`);
        return;
      }
      // Names such as ModuleList's "0" are not identifiers: the annotations dict is written
      // directly (and created first when the very first attribute needs it, as PyTorch does).
      if (i === 0) p.line("__annotations__ = []");
      p.line(`__annotations__["${a.name}"] = ${p.annotation(a.type)}`);
    });
    for (const k of c.constants ?? []) p.line(`${k.name} : Final[${p.annotation(k.type)}] = ${p.literal(k.value, k.type)}`);
    for (const m of c.methods ?? []) p.printFunction(m.graph, m);
    const printed = new Set<string>();
    for (const h of [...hooks, ...preHooks]) {
      if (printed.has(h.name)) continue;
      printed.add(h.name);
      p.printFunction(h.graph, h);
    }
  });
}

function printEnum(p: PythonPrinter, e: EnumDescription): void {
  p.line(`class ${unqualifiedName(e.qualifiedName)}(Enum):`);
  const quote = e.valueType.kind === "str" ? '"' : "";
  p.indented(() => {
    for (const m of e.members) {
      const text = e.valueType.kind === "str" ? String(m.value) : p.literal(m.value, e.valueType);
      p.line(`${m.name} = ${quote}${text}${quote}`);
    }
  });
}

function printInterface(p: PythonPrinter, i: InterfaceDescription): void {
  p.line(`class ${unqualifiedName(i.qualifiedName)}(${i.kind === "moduleInterface" ? "ModuleInterface" : "Interface"}):`);
  p.indented(() => {
    for (const m of i.methods) {
      const args = m.args.map((a) => `, ${a.name}: ${p.annotation(a.type)}`).join("");
      p.line(`def ${m.name}(self${args}) -> ${p.annotation(m.returnType)}:`);
      p.line("  pass");
    }
  });
}
