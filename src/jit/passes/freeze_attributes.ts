/**
 * Freezing, step 2: attributes read with prim::GetAttr become constants, as torch.jit.freeze
 * folds parameters, buffers and plain attributes (enum members too) of an eval-mode module. A
 * folded value is named after its path (`%self.fc1.weight`) and hoisted to the top of the
 * graph; tensors are detached (`requires_grad=0`). Attributes that some method writes with
 * prim::SetAttr, and those listed in `preserved` (paths like "scale" or "fc1.weight"), stay
 * attribute reads.
 *
 * Given:
 *   %fc1 : Linear = prim::GetAttr[name="fc1"](%self)
 *   %weight : Tensor = prim::GetAttr[name="weight"](%fc1)
 *   %y : Tensor = aten::linear(%x, %weight, %none)
 * Execute: foldAttributes(graph, module, new Set(), new Set())
 * Result:
 *   %self.fc1.weight : Float(8, 4, strides=[4, 1], requires_grad=0, device=cpu) = prim::Constant[value=<Tensor>]()
 *   %y : Tensor = aten::linear(%x, %self.fc1.weight, %none)
 */
import { Tensor } from "../../tensor/tensor.js";
import { createConstant, tensorTypeOf, type Block, type ConstantValue, type Graph, type JitType, type Node } from "../ir/index.js";
import { ScriptEnumValue } from "../runtime/enum_value.js";
import { isScriptObject, type ScriptObject } from "../runtime/objects.js";

/** An attribute path from `self` ("fc1.weight"), or null when the object is not static. */
function attributePath(n: Node, graph: Graph): string[] | null {
  const owner = n.inputs[0]!;
  if (owner === graph.inputs[0]) return [n.s("name")];
  if (owner.node.kind !== "prim::GetAttr") return null;
  const parent = attributePath(owner.node, graph);
  return parent === null ? null : [...parent, n.s("name")];
}

function readPath(self: ScriptObject, path: readonly string[]): unknown {
  let cur: unknown = self;
  for (const name of path) {
    if (!isScriptObject(cur) || !cur.hasAttr(name)) return undefined;
    cur = cur.getAttr(name);
  }
  return cur;
}

/** The constant an attribute value becomes, or null when it cannot be a constant. */
function constantOf(v: unknown, type: JitType): ConstantValue | null {
  if (v instanceof Tensor) return { type: "Tensor", value: v.detach() };
  if (v === null) return { type: "None" };
  // an enum member folds to `prim::Constant[value=__torch__.Color.RED]`, as PyTorch's freeze does
  if (v instanceof ScriptEnumValue) return enumConstantOf(v);
  if (typeof v === "boolean") return { type: "bool", value: v };
  if (typeof v === "string") return { type: "str", value: v };
  if (typeof v === "number" || typeof v === "bigint") {
    return type.kind === "float" ? { type: "float", value: Number(v) } : { type: "int", value: v };
  }
  if (Array.isArray(v) && type.kind === "List") {
    const el = type.element.kind;
    if (el === "int" && v.every((x) => typeof x === "number")) return { type: "int[]", value: v as number[] };
    if (el === "float" && v.every((x) => typeof x === "number")) return { type: "float[]", value: v as number[] };
    if (el === "bool" && v.every((x) => typeof x === "boolean")) return { type: "bool[]", value: v as boolean[] };
    if (el === "str" && v.every((x) => typeof x === "string")) return { type: "str[]", value: v as string[] };
  }
  return null;
}

/** An Enum constant for `v`, or null when its value is not one an enum may hold (int, float, str). */
function enumConstantOf(v: ScriptEnumValue): ConstantValue | null {
  const value = v.value;
  if (typeof value !== "number" && typeof value !== "bigint" && typeof value !== "string") return null;
  return { type: "Enum", value: { enumName: v.qualifiedName, name: v.name, value } };
}

/** Attribute paths written by prim::SetAttr in any of `graphs` ("fc1.count"). */
export function mutatedAttributes(graphs: readonly Graph[]): Set<string> {
  const out = new Set<string>();
  const visit = (g: Graph, b: Block) => {
    for (const n of b.nodes()) {
      if (n.kind === "prim::SetAttr") {
        const owner = n.inputs[0]!;
        const prefix = owner === g.inputs[0] ? [] : owner.node.kind === "prim::GetAttr" ? attributePath(owner.node, g) : null;
        // a write through an unknown object: nothing of that name may be folded
        out.add(prefix === null ? `*.${n.s("name")}` : [...prefix, n.s("name")].join("."));
      }
      for (const inner of n.blocks) visit(g, inner);
    }
  };
  for (const g of graphs) visit(g, g.block);
  return out;
}

function isKept(path: readonly string[], preserved: ReadonlySet<string>, mutated: ReadonlySet<string>): boolean {
  const key = path.join(".");
  return preserved.has(key) || mutated.has(key) || mutated.has(`*.${path[path.length - 1]}`);
}

/** Replaces foldable attribute reads by constants; returns whether any was folded. */
export function foldAttributes(graph: Graph, self: ScriptObject, preserved: ReadonlySet<string>, mutated: ReadonlySet<string>): boolean {
  let changed = false;
  const byPath = new Map<string, Node>();
  const visit = (b: Block) => {
    for (const n of [...b.nodes()]) {
      for (const inner of n.blocks) visit(inner);
      if (n.kind !== "prim::GetAttr") continue;
      const path = attributePath(n, graph);
      if (path === null || isKept(path, preserved, mutated)) continue;
      const key = path.join(".");
      let constant = byPath.get(key);
      if (constant === undefined) {
        const c = constantOf(readPath(self, path), n.output().type);
        if (c === null) continue;
        constant = createConstant(graph, c);
        if (c.type === "Tensor") constant.output().setType(tensorTypeOf(c.value));
        constant.output().setDebugName(`self.${key}`);
        graph.prependNode(constant);
        byPath.set(key, constant);
      }
      n.output().replaceAllUsesWith(constant.output());
      changed = true;
    }
  };
  visit(graph.block);
  return changed;
}
