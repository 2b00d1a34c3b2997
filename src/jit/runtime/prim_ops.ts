/**
 * How each prim:: node kind runs, as a table from kind to compiler (prim kinds that PyTorch
 * registers as ordinary operators, such as prim::device or prim::min, are registry builtins
 * instead and run through op_call.ts).
 *
 * Tuples and lists are both JS arrays (objects.ts); the node kind says which. A list is a
 * fresh array each time its ListConstruct runs, since lists are mutable.
 */
import { REGISTRY, runOverload } from "../../tensor/registry.js";
import { Tensor } from "../../tensor/tensor.js";
import { RuntimeError } from "../../util/errors.js";
import { constantValue, type Node } from "../ir/index.js";
import { implicitTensorToNum } from "./builtins_tensor.js";
import {
  compileCallFunction, compileCallMethod, compileCreateObject, compileFork, compileGetAttr, compileSetAttr, compileSubgraphCall,
} from "./calls.js";
import { compileIf, compileLoop } from "./control_flow.js";
import { ScriptEnumValue } from "./enum_value.js";
import { TorchScriptError } from "./errors.js";
import type { NodeCompiler } from "./plan.js";
import { valueToString } from "./value_str.js";
import { FunctionValue, describeValueType, valueFitsType } from "./values.js";

/** A constant's runtime value; undefined when it has none (a tensor whose data is unknown). */
function constantRuntimeValue(n: Node): unknown {
  const c = constantValue(n);
  if (c === null) return undefined;
  switch (c.type) {
    case "int":
      return Number(c.value);
    case "int[]":
      return c.value.map(Number);
    case "float[]":
    case "bool[]":
    case "str[]":
      return c.value.slice();
    case "None":
      return null;
    case "Enum": {
      const m = c.value;
      return m.value === null ? undefined : new ScriptEnumValue(m.enumName, m.name, typeof m.value === "bigint" ? Number(m.value) : m.value);
    }
    case "Function": {
      // the Function type names the callee by its qualified name; graph text only has the short one
      const t = n.outputs[0]?.type;
      return new FunctionValue(t?.kind === "Function" && t.name !== null ? t.name : c.name);
    }
    default:
      return c.value;
  }
}

const compileConstant: NodeCompiler = (n, _ins, outs, ctx) => {
  const v = constantRuntimeValue(n);
  if (v !== undefined) {
    ctx.constant(outs[0]!, v);
    return null;
  }
  const what = n.outputs[0]?.type.kind === "Enum" ? "an enum member whose value" : "a tensor constant whose data";
  return () => {
    throw new RuntimeError(`${n.kind} has no value the interpreter can use (${what} the graph text does not hold)`);
  };
};

/** prim::EnumValue / prim::EnumName: `(c).value` and `(c).name` of an enum member. */
function enumField(field: "value" | "name"): NodeCompiler {
  return (n, ins, outs) => {
    const i = ins[0]!;
    const o = outs[0]!;
    return (r) => {
      const e = r[i];
      if (!(e instanceof ScriptEnumValue)) throw new RuntimeError(`${n.kind} expected an enum value, got ${describeValueType(e)}`);
      r[o] = e[field];
    };
  };
}

const tupleConstruct: NodeCompiler = (_n, ins, outs) => {
  const o = outs[0]!;
  return (r) => void (r[o] = ins.map((i) => r[i]));
};

function unpack(what: string): NodeCompiler {
  return (_n, ins, outs) => {
    const i = ins[0]!;
    return (r) => {
      const v = r[i] as unknown[];
      if (v.length !== outs.length) throw new RuntimeError(`Expected ${outs.length} elements in a ${what} but found ${v.length}`);
      for (let k = 0; k < outs.length; k++) r[outs[k]!] = v[k];
    };
  };
}

const tupleIndex: NodeCompiler = (_n, ins, outs) => {
  const [t, i] = ins as [number, number];
  const o = outs[0]!;
  return (r) => {
    const tup = r[t] as unknown[];
    const idx = r[i] as number;
    const k = idx < 0 ? tup.length + idx : idx;
    if (k < 0 || k >= tup.length) throw new RuntimeError("Tuple index out of range");
    r[o] = tup[k];
  };
};

const tupleSlice: NodeCompiler = (n, ins, outs) => {
  const beg = Number(n.i("beg"));
  const end = Number(n.i("end"));
  const [i, o] = [ins[0]!, outs[0]!];
  return (r) => void (r[o] = (r[i] as unknown[]).slice(beg, end));
};

const dictConstruct: NodeCompiler = (_n, ins, outs) => {
  const o = outs[0]!;
  return (r) => {
    const d = new Map<unknown, unknown>();
    for (let k = 0; k < ins.length; k += 2) d.set(r[ins[k]!], r[ins[k + 1]!]);
    r[o] = d;
  };
};

/** prim::RaiseException(msg, cls?): a JITException, which surfaces as torch.jit.Error. */
const raiseException: NodeCompiler = (n, ins) => (r) => {
  const msg = String(r[ins[0]!]);
  const cls = ins.length > 1 ? (r[ins[1]!] as string | null) : null;
  throw new TorchScriptError({ originalMessage: msg, pythonClassName: cls ?? null, isJitException: true }, n);
};

/** Note [ignored methods]: the object's JavaScript method; its result as the node's value. */
const pythonOp: NodeCompiler = (n, ins, outs) => {
  const name = n.s("name");
  const [self, ...args] = ins;
  const o = outs[0]!;
  return (r) => {
    const target = r[self!] as { callIgnored?: (name: string, args: readonly unknown[]) => unknown } | null;
    if (typeof target?.callIgnored !== "function") throw new RuntimeError(`prim::PythonOp: '${name}' cannot be called on ${describeValueType(target)}`);
    const result = target.callIgnored(name, args.map((s) => r[s]));
    r[o] = result === undefined ? null : result;
  };
};

const passThrough: NodeCompiler = (_n, ins, outs) => {
  const [i, o] = [ins[0]!, outs[0]!];
  return (r) => void (r[o] = r[i]);
};

const isinstance: NodeCompiler = (n, ins, outs) => {
  const a = n.attr("types");
  const types = a?.kind === "tys" ? a.value : [];
  const [i, o] = [ins[0]!, outs[0]!];
  return (r) => void (r[o] = types.some((t) => valueFitsType(r[i], t)));
};

/** prim::ImplicitTensorToNum: the output type says whether an int or a float is wanted. */
const implicitToNum: NodeCompiler = (n, ins, outs) => {
  const toInt = n.output().type.kind === "int";
  const [i, o] = [ins[0]!, outs[0]!];
  return (r) => {
    const v = implicitTensorToNum(r[i] as Tensor, toInt);
    r[o] = typeof v === "boolean" ? Number(v) : v;
  };
};

const print: NodeCompiler = (n, ins) => {
  const types = n.inputs.map((v) => v.type);
  return (r, env) => {
    const line = ins.map((s, k) => valueToString(r[s], types[k])).join(" ");
    (env.print ?? console.log)(line);
  };
};

/** prim::ConstantChunk: aten::chunk with its arguments fixed as attributes. */
const constantChunk: NodeCompiler = (n, ins, outs) => {
  const chunks = Number(n.i("chunks"));
  const dim = Number(n.i("dim"));
  const i = ins[0]!;
  return (r) => {
    const ov = REGISTRY.get("aten::chunk")?.[0];
    if (ov === undefined) throw new RuntimeError("prim::ConstantChunk needs aten::chunk, which is not registered");
    const parts = runOverload(ov, [r[i] as Tensor, chunks, dim]) as Tensor[];
    if (parts.length !== outs.length) throw new RuntimeError(`prim::ConstantChunk: expected ${outs.length} chunks but got ${parts.length}`);
    outs.forEach((o, k) => (r[o] = parts[k]));
  };
};

const frontendOnly: NodeCompiler = (n) => () => {
  throw new RuntimeError(`${n.kind} is a frontend node and cannot run; the graph was not converted to SSA`);
};

export const PRIM_COMPILERS: Readonly<Record<string, NodeCompiler>> = {
  "prim::Constant": compileConstant,
  "prim::If": compileIf,
  "prim::Loop": compileLoop,
  "prim::GetAttr": compileGetAttr,
  "prim::SetAttr": compileSetAttr,
  "prim::CallMethod": compileCallMethod,
  "prim::CallFunction": compileCallFunction,
  "prim::fork": compileFork,
  "prim::FusionGroup": compileSubgraphCall,
  "prim::ScalarCondition": compileSubgraphCall,
  "prim::CreateObject": compileCreateObject,
  "prim::EnumValue": enumField("value"),
  "prim::EnumName": enumField("name"),
  "prim::TupleConstruct": tupleConstruct,
  "prim::TupleUnpack": unpack("tuple"),
  "prim::TupleIndex": tupleIndex,
  "prim::TupleSlice": tupleSlice,
  "prim::ListConstruct": tupleConstruct,
  "prim::ListUnpack": unpack("list"),
  "prim::DictConstruct": dictConstruct,
  "prim::RaiseException": raiseException,
  "prim::PythonOp": pythonOp,
  "prim::Uninitialized": (_n, _ins, outs, ctx) => (ctx.constant(outs[0]!, null), null),
  "prim::unchecked_cast": passThrough,
  "prim::unchecked_unwrap_optional": passThrough,
  "prim::isinstance": isinstance,
  "prim::ImplicitTensorToNum": implicitToNum,
  "prim::Print": print,
  "prim::ConstantChunk": constantChunk,
  "prim::Store": frontendOnly,
  "prim::Load": frontendOnly,
};

