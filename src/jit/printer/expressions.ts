/**
 * The expression a node computes, as printed TorchScript (python_print.cpp printRHS): the
 * right-hand side of `x = ...`, or the text inlined at the node's one use.
 *
 * Most node kinds have a fixed spelling, looked up in EXPRESSION_FORMS; everything else is an
 * operator call, `torch.<name>(...)` for aten ops and `ops.<ns>.<name>(...)` otherwise, with
 * arguments chosen by the op's schema (schema_lookup.ts).
 */
import { annotationStr, constantValue, optionalType, quoteString, type JitType, type Node, type Value } from "../ir/index.js";
import { isValidIdentifier } from "./names.js";
import { necessaryArgs, schemaForNode } from "./schema_lookup.js";
import { printConstantValue, printTensorAttribute, type LiteralContext } from "./values.js";

export interface ExpressionContext extends LiteralContext {
  /** How a value is referred to at this point: its variable name or its inlined expression. */
  useOf(v: Value): string;
  /** The qualified name a Function constant prints as (`__torch__.torch.nn.functional.relu`). */
  functionName(node: Node): string;
}

type Form = (node: Node, ctx: ExpressionContext) => string;

const ann = (t: JitType, ctx: ExpressionContext): string => annotationStr(t, ctx.typePrinter);
const list = (vs: readonly Value[], ctx: ExpressionContext): string => vs.map((v) => ctx.useOf(v)).join(", ");
/** `name(a, b)` over all inputs. */
const call = (name: string): Form => (n, ctx) => `${name}(${list(n.inputs, ctx)})`;
/** `annotate(T, x)`: the output type stated, for values whose type the parser cannot infer. */
const annotateOutput: Form = (n, ctx) => `annotate(${ann(n.output().type, ctx)}, ${ctx.useOf(n.input())})`;
const uncheckedCast: Form = (n, ctx) => `unchecked_cast(${ann(n.output().type, ctx)}, ${ctx.useOf(n.input())})`;

/**
 * c10 elementTypeCanBeInferredFromMembers: a literal `[a, b]` has the type of its members,
 * which is not the declared one for optionals, unions, numbers and Any (`List[Optional[Tensor]]`
 * built from tensors), so those lists and dicts are written inside `annotate(...)`.
 */
function inferableFromMembers(t: JitType): boolean {
  return !["Union", "Optional", "Scalar", "Any"].includes(t.kind);
}

/** Node kinds with their own spelling. */
const EXPRESSION_FORMS: Readonly<Record<string, Form>> = {
  "prim::Constant": printConstantNode,
  "prim::Uninitialized": (n, ctx) => `uninitialized(${ann(n.output().type, ctx)})`,
  "aten::ScalarImplicit": annotateOutput,
  "aten::FloatImplicit": annotateOutput,
  "aten::IntImplicit": annotateOutput,
  "aten::Int": call("int"),
  "aten::Float": call("float"),
  "aten::Bool": call("bool"),
  "aten::str": call("str"),
  "aten::sorted": call("sorted"),
  "prim::Print": call("print"),
  // python_print.cpp's spelling; such code cannot be exported (jit_save.ts refuses it)
  "prim::PythonOp": (n, ctx) => `^${n.s("name")}()(${list(n.inputs, ctx)})`,
  "aten::__getitem__": (n, ctx) => {
    const container = ctx.useOf(n.input(0));
    return `${isValidIdentifier(container) ? container : `(${container})`}[${ctx.useOf(n.input(1))}]`;
  },
  "prim::TupleConstruct": (n, ctx) => {
    const t = n.output().type;
    const prefix = t.kind === "Tuple" && t.named?.name ? ann(t, ctx) : "";
    return `${prefix}(${list(n.inputs, ctx)}${n.inputs.length === 1 ? ",)" : ")"}`;
  },
  "prim::TupleIndex": (n, ctx) => `(${ctx.useOf(n.input(0))})[${ctx.useOf(n.input(1))}]`,
  "prim::TupleSlice": (n, ctx) => `(${ctx.useOf(n.input())})[${n.i("beg")}:${n.i("end")}]`,
  "prim::ListConstruct": (n, ctx) => {
    const t = n.output().type;
    const items = `[${list(n.inputs, ctx)}]`;
    const plain = n.inputs.length > 0 && t.kind === "List" && inferableFromMembers(t.element);
    return plain ? items : `annotate(${ann(t, ctx)}, ${items})`;
  },
  "prim::DictConstruct": (n, ctx) => {
    const t = n.output().type;
    const pairs: string[] = [];
    for (let i = 0; i + 1 < n.inputs.length; i += 2) pairs.push(`${ctx.useOf(n.input(i))}: ${ctx.useOf(n.input(i + 1))}`);
    const items = `{${pairs.join(", ")}}`;
    const plain = n.inputs.length > 0 && t.kind === "Dict" && inferableFromMembers(t.key) && inferableFromMembers(t.value);
    return plain ? items : `annotate(${ann(t, ctx)}, ${items})`;
  },
  "prim::CreateObject": (n, ctx) => {
    const cls = ann(n.output().type, ctx);
    return `${cls}.__new__(${cls})`;
  },
  "prim::GetAttr": (n, ctx) => {
    const field = n.s("name");
    const obj = ctx.useOf(n.input());
    return isValidIdentifier(field) ? `${obj}.${field}` : `getattr(${obj}, ${quoteString(field)})`;
  },
  // Calls of compiled functions and methods print every argument followed by ", ".
  "prim::CallFunction": (n, ctx) => `${ctx.useOf(n.input(0))}(${n.inputs.slice(1).map((v) => `${ctx.useOf(v)}, `).join("")})`,
  "prim::CallMethod": (n, ctx) =>
    `(${ctx.useOf(n.input(0))}).${n.s("name")}(${n.inputs.slice(1).map((v) => `${ctx.useOf(v)}, `).join("")})`,
  "aten::_unwrap_optional": (n, ctx) => {
    // unwrap_optional(None) cannot be typed by schema matching, so None gets its type spelled out.
    const input = n.input();
    const isNone = input.type.kind === "NoneType" || constantValue(input.node)?.type === "None";
    const arg = isNone ? `annotate(${ann(optionalType(n.output().type), ctx)}, ${ctx.useOf(input)})` : ctx.useOf(input);
    return `torch._unwrap_optional(${arg})`;
  },
  "prim::unchecked_unwrap_optional": uncheckedCast,
  "prim::unchecked_cast": uncheckedCast,
  "prim::isinstance": (n, ctx) => {
    const tys = n.attr("types");
    const types = tys?.kind === "tys" ? tys.value : [];
    const spelled = types.length === 1 ? ann(types[0]!, ctx) : `(${types.map((t) => ann(t, ctx)).join(", ")})`;
    return `isinstance(${ctx.useOf(n.input())}, ${spelled})`;
  },
  "prim::tolist": (n, ctx) => `annotate(${ann(n.output().type, ctx)}, ${ctx.useOf(n.input(0))}.tolist())`,
  "prim::EnumValue": (n, ctx) => `(${ctx.useOf(n.input())}).value`,
  "prim::EnumName": (n, ctx) => `(${ctx.useOf(n.input())}).name`,
};

/** Ops whose Python name is not `torch.<name>` (printOpName's override table). */
const OP_NAME_OVERRIDES: Readonly<Record<string, string>> = {
  "aten::backward": "torch.autograd.backward",
  "aten::grad": "torch.autograd.grad",
};

/** The printed name of an op: `torch.add` for aten::add, `ops.prim.RaiseException` otherwise. */
export function printOpName(kind: string): string {
  const override = OP_NAME_OVERRIDES[kind];
  if (override !== undefined) return override;
  const sep = kind.indexOf("::");
  const ns = kind.slice(0, sep);
  const name = kind.slice(sep + 2);
  return ns === "aten" ? `torch.${name}` : `ops.${ns}.${name}`;
}

/** The expression `node` computes (python_print.cpp printRHS). */
export function printExpression(node: Node, ctx: ExpressionContext): string {
  const form = EXPRESSION_FORMS[node.kind];
  return form ? form(node, ctx) : printOpCall(node, ctx);
}

function printConstantNode(node: Node, ctx: ExpressionContext): string {
  const out = node.output();
  if (out.type.kind === "Function") return ctx.functionName(node);
  const a = node.attr("value");
  if (a?.kind === "t") return printTensorAttribute(a, ctx);
  const c = constantValue(node);
  if (c === null) throw new Error(`printer: cannot print constant ${node}`);
  return printConstantValue(c, ctx);
}

/** `torch.op(a, b, kw=c)`: trailing defaults dropped, kwarg-only arguments named, outs last. */
function printOpCall(node: Node, ctx: ExpressionContext): string {
  const schema = schemaForNode(node);
  const inputs = node.inputs;
  if (schema === null) return `${printOpName(node.kind)}(${list(inputs, ctx)})`;
  const args = schema.args;
  if (args.length === 0) return `${printOpName(node.kind)}()`;
  const { necessary, outs } = necessaryArgs(schema, inputs);
  const parts: string[] = [];
  for (let i = 0; i < Math.min(necessary, inputs.length); i++) {
    const arg = args[i];
    parts.push(`${arg?.kwargOnly ? `${arg.name}=` : ""}${ctx.useOf(inputs[i]!)}`);
  }
  let text = parts.join(", ");
  for (let i = args.length - outs; i < args.length; i++) {
    // The input for out argument i counts from the end of the inputs.
    const input = inputs[inputs.length - (args.length - i)];
    text += ", ";
    if (input !== undefined) text += `${args[i]!.name}=${ctx.useOf(input)}`;
  }
  return `${printOpName(node.kind)}(${text})`;
}
