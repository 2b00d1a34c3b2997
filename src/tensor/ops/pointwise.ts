/**
 * Building blocks for elementwise ops: one call declares the schema, the generated kernel, the
 * dtype rule and the gradient, so an op such as tanh is one table row (house style: vocabularies
 * are data).
 */
import { DType, bool, get_default_dtype } from "../dtype.js";
import { Tensor } from "../tensor.js";
import { applyBinary, applyUnary, checkInplaceCast, copyInto } from "../kernels/apply.js";
import { makeBinaryKernel, makeUnaryKernel } from "../kernels/elementwise.js";
import { withWasmUnary } from "../kernels/wasm/wasm_unary.js";
import { resultType2 } from "../promotion.js";
import type { OverloadDef } from "../registry.js";
import type { GradOut } from "../../autograd/op_node.js";

/** How an elementwise op picks its result dtype from its promoted input dtype. */
export type DTypeRule = "same" | "float" | "bool";

export function resultDType(rule: DTypeRule, promoted: DType): DType {
  if (rule === "bool") return bool;
  if (rule === "float" && !promoted.is_floating_point) return get_default_dtype();
  return promoted;
}

export interface UnarySpec {
  /** e.g. "aten::tanh(Tensor self) -> Tensor" */
  schema: string;
  expr: string;
  /** A faster expression accurate to float32, used when the result is float32 or narrower. */
  exprF32?: string;
  rule?: DTypeRule;
  gradName?: string;
  backward?: (g: Tensor, self: Tensor, result: Tensor, p0: number, p1: number) => GradOut;
  /** Scalar parameters after self, read as p0, p1 by the expression. */
  params?: (args: unknown[]) => [number, number];
}

export function unaryOverloads(spec: UnarySpec): [OverloadDef, OverloadDef] {
  const k64 = makeUnaryKernel(spec.expr);
  // tanh, sigmoid and exp run on WASM SIMD for large float32 tensors, storing the same floats (Note [wasm unary exactness])
  const k32 = withWasmUnary(/^aten::(\w+)/.exec(spec.schema)![1]!, spec.exprF32 ? makeUnaryKernel(spec.exprF32) : k64);
  const pick = (d: DType) => (d.is_floating_point && d.itemsize <= 4 ? k32 : k64);
  const rule = spec.rule ?? "same";
  const params = spec.params ?? (() => [0, 0] as [number, number]);
  const functional: OverloadDef = {
    schema: spec.schema,
    jsExpr: spec.expr,
    jsExprF32: spec.exprF32,
    gradName: spec.gradName,
    forward: spec.params
      ? (self: Tensor, ...rest: unknown[]) => {
          const [p0, p1] = params([self, ...rest]);
          const d = resultDType(rule, self.dtype);
          return applyUnary(self, pick(d), d, p0, p1);
        }
      : (self: Tensor) => {
          const d = resultDType(rule, self.dtype);
          return applyUnary(self, pick(d), d);
        },
    backward: spec.backward
      ? (g: Tensor, args: unknown[], result: Tensor) => {
          const [p0, p1] = params(args);
          return [spec.backward!(g, args[0] as Tensor, result, p0, p1)];
        }
      : undefined,
  };
  const name = /^aten::(\w+)/.exec(spec.schema)![1]!;
  const inplaceSchema = spec.schema
    .replace(`aten::${name}`, `aten::${name}_`)
    .replace("Tensor self", "Tensor(a!) self")
    .replace(/-> Tensor$/, "-> Tensor(a!)");
  const inplace: OverloadDef = {
    schema: inplaceSchema,
    jsExpr: spec.expr,
    gradName: spec.gradName,
    forward: (self: Tensor, ...rest: unknown[]) => {
      const [p0, p1] = params([self, ...rest]);
      const d = resultDType(rule, self.dtype);
      const out = applyUnary(self, pick(d), d, p0, p1);
      checkInplaceCast(out.dtype, self);
      copyInto(self, out);
      return self;
    },
    backward: spec.backward
      ? (g: Tensor, args: unknown[], result: Tensor) => {
          const [p0, p1] = params(args);
          return [spec.backward!(g, args[0] as Tensor, result, p0, p1)];
        }
      : undefined,
  };
  return [functional, inplace];
}

export interface BinarySpec {
  schema: string;
  expr: string;
  rule?: DTypeRule;
  gradName?: string;
  /** Gradients for (self, other); `p0` is the scalar parameter (alpha). */
  backward?: (g: Tensor, a: Tensor | number, b: Tensor | number, result: Tensor, p0: number) => [GradOut, GradOut];
  /** The scalar parameter read as p0, from the third argument (e.g. alpha). */
  param?: (third: unknown) => number;
}

type Operand = Tensor | number | boolean;

export function binaryForward(k: ReturnType<typeof makeBinaryKernel>, rule: DTypeRule) {
  return (a: Operand, b: Operand, p0: number): Tensor => applyBinary(a, b, k, resultDType(rule, resultType2(a, b)), p0);
}

export function binaryOverloads(spec: BinarySpec): [OverloadDef, OverloadDef] {
  const k = makeBinaryKernel(spec.expr);
  const run = binaryForward(k, spec.rule ?? "same");
  const param = spec.param ?? (() => 0);
  const backward = spec.backward
    ? (g: Tensor, args: unknown[], result: Tensor) => spec.backward!(g, args[0] as Tensor, args[1] as Tensor | number, result, param(args[2]))
    : undefined;
  const name = /^aten::(\w+)/.exec(spec.schema)![1]!;
  const functional: OverloadDef = {
    schema: spec.schema,
    jsExpr: spec.expr,
    gradName: spec.gradName,
    forward: (a: Operand, b: Operand, third?: unknown) => run(a, b, param(third)),
    backward,
  };
  const inplace: OverloadDef = {
    schema: spec.schema
      .replace(`aten::${name}`, `aten::${name}_`)
      .replace("Tensor self", "Tensor(a!) self")
      .replace(/-> Tensor$/, "-> Tensor(a!)"),
    jsExpr: spec.expr,
    gradName: spec.gradName,
    forward: (self: Tensor, b: Operand, third?: unknown) => {
      const out = run(self, b, param(third));
      checkInplaceCast(out.dtype, self);
      copyInto(self, out);
      return self;
    },
    backward,
  };
  return [functional, inplace];
}
