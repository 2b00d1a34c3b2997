/**
 * ConstantPropagationImmutableTypes, the part scripted code meets (TorchScript's
 * constant_propagation.cpp): a builtin on numbers, bools or strings whose inputs are all
 * constants is computed now (`0 < 3` is True), an `if` on a constant keeps only the branch
 * taken, its nodes moved in place of the if, and an if output that is the same on both branches
 * goes (removeExtraIfOutputs). Tensors are never folded. Enum constants (which freezing makes of
 * enum attributes) fold too: `==`/`!=` of two of them (c10's EnumHolder equality: the same
 * class and member name) and `.value` of one whose value is known; and `None is None`.
 */
import { constantValue, insertConstant, printType, type Block, type ConstantValue, type EnumMember, type Graph, type Node, type Value } from "../ir/index.js";
import { builtinImpl, isBuiltin } from "../runtime/builtin_registry.js";
import { resolveNodeOverload } from "../runtime/op_call.js";

const FOLDABLE = new Set(["int", "float", "bool", "str"]);

function asRuntime(c: ConstantValue): unknown {
  switch (c.type) {
    case "int": return Number(c.value);
    case "float": case "bool": case "str": return c.value;
    default: return undefined;
  }
}

/** Puts constant `c` where `n` was: its one output's uses read the constant, and `n` goes. */
function replaceByConstant(g: Graph, n: Node, c: ConstantValue): true {
  const v = g.withInsertPoint(n, () => insertConstant(g, c));
  n.output().replaceAllUsesWith(v);
  n.destroy();
  return true;
}

function fold(g: Graph, n: Node): boolean {
  if (n.blocks.length || n.outputs.length !== 1 || !FOLDABLE.has(n.output().type.kind)) return false;
  if (!n.kind.startsWith("aten::")) return false;
  const consts = n.inputs.map((v) => constantValue(v.node));
  if (consts.some((c) => c === null || !FOLDABLE.has(c.type))) return false;
  const ov = resolveNodeOverload(n);
  if (!ov || !isBuiltin(ov)) return false;
  let result: unknown;
  try {
    result = builtinImpl(ov, n.inputs.map((v) => v.type))(...consts.map((c) => asRuntime(c!)));
  } catch {
    return false; // an error at run time stays an error at run time
  }
  const t = n.output().type.kind;
  const c: ConstantValue | null = t === "bool" && typeof result === "boolean" ? { type: "bool", value: result }
    : t === "int" && typeof result === "number" ? { type: "int", value: result }
    : t === "float" && typeof result === "number" ? { type: "float", value: result }
    : t === "str" && typeof result === "string" ? { type: "str", value: result } : null;
  if (!c) return false;
  return replaceByConstant(g, n, c);
}

const ENUM_COMPARISONS: Readonly<Record<string, boolean>> = { "aten::eq": true, "aten::ne": false };

/** aten::eq/ne of two Enum constants, and prim::EnumValue of one whose value is known. */
function foldEnum(g: Graph, n: Node): boolean {
  const consts = n.inputs.map((v) => constantValue(v.node));
  if (consts.length === 0 || consts.some((c) => c?.type !== "Enum")) return false;
  const members = consts.map((c) => (c as Extract<ConstantValue, { type: "Enum" }>).value);
  let c: ConstantValue | null = null;
  const equalMeans = ENUM_COMPARISONS[n.kind];
  if (equalMeans !== undefined && members.length === 2) {
    const [a, b] = members as [EnumMember, EnumMember];
    const same = a.enumName === b.enumName && a.name === b.name;
    c = { type: "bool", value: same === equalMeans };
  } else if (n.kind === "prim::EnumValue" && members.length === 1) {
    const v = members[0]!.value;
    c = typeof v === "string" ? { type: "str", value: v }
      : typeof v === "bigint" ? { type: "int", value: v }
      : typeof v === "number" && n.output().type.kind === "float" ? { type: "float", value: v }
      : typeof v === "number" && n.output().type.kind === "int" ? { type: "int", value: v } : null;
  }
  if (c === null) return false;
  return replaceByConstant(g, n, c);
}

/** `None is None` and `None is not None` (e.g. an inlined `dtype is None` with dtype given as None). */
function foldNoneIdentity(g: Graph, n: Node): boolean {
  if ((n.kind !== "aten::__is__" && n.kind !== "aten::__isnot__") || n.inputs.length !== 2) return false;
  if (!n.inputs.every((v) => constantValue(v.node)?.type === "None")) return false;
  return replaceByConstant(g, n, { type: "bool", value: n.kind === "aten::__is__" });
}

/** Replaces `if` on a constant by the nodes of the branch taken. */
function inlineIf(n: Node): boolean {
  const c = constantValue(n.input().node);
  if (c?.type !== "bool") return false;
  const taken: Block = n.blocks[c.value ? 0 : 1]!;
  for (const m of [...taken.nodes()]) m.moveBefore(n);
  const outs: Value[] = taken.outputs.slice();
  n.outputs.forEach((o, i) => o.replaceAllUsesWith(outs[i]!));
  n.destroy();
  return true;
}

const SCALARS = new Set(["int", "float", "bool", "str", "None"]);

function sameConstant(a: Value, b: Value): ConstantValue | null {
  const x = constantValue(a.node);
  const y = constantValue(b.node);
  if (!x || !y || x.type !== y.type || !SCALARS.has(x.type) || printType(a.type) !== printType(b.type)) return null;
  return String((x as { value?: unknown }).value) === String((y as { value?: unknown }).value) ? x : null;
}

/**
 * removeExtraIfOutputs: an if output both branches give the same value, or equal constants,
 * is that value (`continue` and the loop's own condition both say True).
 */
function removeExtraIfOutputs(g: Graph, n: Node): void {
  const [thenB, elseB] = [n.blocks[0]!, n.blocks[1]!];
  for (let i = 0; i < thenB.outputs.length; ) {
    const t = thenB.outputs[i]!;
    const e = elseB.outputs[i]!;
    const c = t === e ? null : sameConstant(t, e);
    if (t !== e && !c) {
      i++;
      continue;
    }
    const v = c ? g.withInsertPoint(n, () => insertConstant(g, c)) : t;
    n.outputs[i]!.replaceAllUsesWith(v);
    n.eraseOutput(i);
    thenB.eraseOutput(i);
    elseB.eraseOutput(i);
  }
}

export function constantPropagation(g: Graph): void {
  const visit = (b: Block) => {
    for (let n = b.firstNode; n !== null && n !== b.returnNode; ) {
      const next: Node | null = n.next;
      if (n.kind === "prim::If" && inlineIf(n)) {
        n = next ? next.prev : b.firstNode; // revisit the moved-in nodes
        if (n === null || n === b.returnNode) n = b.firstNode;
        continue;
      }
      for (const inner of n.blocks) visit(inner);
      if (n.kind === "prim::If") removeExtraIfOutputs(g, n);
      if (!foldEnum(g, n) && !foldNoneIdentity(g, n)) fold(g, n);
      n = next;
    }
  };
  visit(g.block);
}
