/**
 * A prim::ScalarCondition (passes/fuse_scalar_condition.ts) computed on numbers: the full
 * reduction with the eager kernel's own reducer, then each op's expression, then the bool,
 * with no 0-d tensors in between.
 *
 * Exactness follows Note [fused float32 semantics] (fused_kernel.ts): the reduction's value is
 * rounded to float32 as the eager kernel stores it, each op's value is rounded to float32
 * before the next reads it and uses the expression eager uses for float32 results, number
 * operands are read as float32 (a comparison converts its number to the promoted dtype, float32
 * here: Note [comparison precision]), and the bool is what aten::Bool reads from the last
 * value (nonzero, so NaN is true). Only a contiguous float32 input fits; for any other the
 * kernel declines (undefined) and the subgraph runs op by op as the interpreter runs it.
 *
 * The generated text holds only package-written expressions (Note [kernel expressions]) and
 * generated local names; constants from the graph are passed in as values.
 */
import { float32 } from "../../tensor/dtype.js";
import { KERNEL_HELPERS } from "../../tensor/kernels/elementwise.js";
import { meanOf, reduceAllContiguous, sumOf } from "../../tensor/kernels/reduce.js";
import { Tensor } from "../../tensor/tensor.js";
import type { Graph, Value } from "../ir/index.js";
import { nodeThunk } from "../runtime/interpreter.js";
import { resolveNodeOverload } from "../runtime/op_call.js";
import { expressionBindings } from "./fused_kernel.js";
import { COMPARISONS } from "../passes/fuse_scalar_condition.js";

/** The condition on its inputs; undefined when they do not fit (then run the subgraph). */
export type ScalarConditionKernel = (inputs: readonly unknown[]) => boolean | undefined;

const REDUCERS: Readonly<Record<string, (buf: Float64Array, n: number) => number>> = {
  "aten::sum": sumOf,
  "aten::mean": meanOf,
};

export function makeScalarCondition(sub: Graph): ScalarConditionKernel {
  const names = new Map<Value, string>();
  const constants: number[] = [];
  const prologue: string[] = [];
  sub.inputs.forEach((v, k) => {
    const name = `i${k}`;
    names.set(v, name);
    if (v.type.kind === "Tensor") prologue.push(`const ${name} = inputs[${k}];`);
    else prologue.push(`const ${name} = Math.fround(inputs[${k}]);`);
  });
  const body: string[] = [];
  let t = 0;
  let root: string | null = null;
  for (const n of sub.nodes()) {
    if (n.kind === "prim::Constant") {
      if (n.output().type.kind === "NoneType") continue;
      constants.push(Math.fround(Number(nodeThunk(n)([], {})[0])));
      names.set(n.output(), `c${constants.length - 1}`);
      continue;
    }
    const result = `t${t++}`;
    names.set(n.output(), result);
    const reducer = REDUCERS[n.kind];
    if (reducer !== undefined) {
      root = names.get(n.inputs[0]!)!;
      body.push(`const ${result} = Math.fround(reduceAll(${root}, ${n.kind === "aten::sum" ? "sumOf" : "meanOf"}));`);
      continue;
    }
    if (n.kind === "aten::Bool") {
      body.push(`return ${names.get(n.input())} != 0;`);
      continue;
    }
    const ov = resolveNodeOverload(n);
    if (ov === null) throw new Error(`${n.kind} cannot run in a scalar condition`);
    const operands = n.inputs.map((v) => names.get(v)!);
    const isComparison = COMPARISONS.has(n.kind);
    const expr = isComparison ? ov.jsExpr : ov.jsExprF32;
    if (expr === undefined) throw new Error(`${n.kind} cannot run in a scalar condition`);
    body.push(`let ${result}; { ${expressionBindings(ov, operands)} ${result} = ${isComparison ? `(${expr})` : `Math.fround(${expr})`}; }`);
  }
  if (root === null) throw new Error("a scalar condition needs a full reduction at its root");
  const source = [
    ...prologue,
    `if (!(${root} instanceof Tensor) || ${root}.dtype !== F32 || !${root}.is_contiguous()) return undefined;`,
    ...constants.map((c, i) => `const c${i} = C[${i}];`),
    ...body,
  ].join("\n");
  const helpers = Object.keys(KERNEL_HELPERS);
  const make = new Function("Tensor", "F32", "C", "reduceAll", "sumOf", "meanOf", ...helpers,
    `return function scalarCondition(inputs) {\n${source}\n};`);
  return make(Tensor, float32, constants, reduceAllContiguous, sumOf, meanOf, ...Object.values(KERNEL_HELPERS)) as ScalarConditionKernel;
}
