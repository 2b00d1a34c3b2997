/**
 * int / float / bool arithmetic, comparisons and math functions, as TorchScript registers
 * them (register_prim_ops.cpp): each binary op comes as `.int`, `.float`, `.int_float`,
 * `.float_int` and a `Scalar` overload; each unary one as `.int`, `.float` and `.Scalar`.
 * The rows below are the vocabulary; `binaryDefs` / `unaryDefs` expand them into schemas.
 */
import { erf } from "../../tensor/kernels/elementwise.js";
import { RuntimeError } from "../../util/errors.js";
import type { JitType } from "../ir/index.js";
import { defineBuiltins, type BuiltinDef } from "./builtin_registry.js";
import {
  checkedPow, factorial, floatMod, floatToIntChecked, gcd, intAdd, intFloordiv, intMod, intMul, intNeg, intSub,
  lgamma, roundToEven, tgamma,
} from "./scalar_math.js";
import { isIntValue } from "./values.js";

type F2 = (a: number, b: number) => unknown;
type F1 = (a: number) => unknown;

interface BinaryRow {
  readonly op: string;
  /** (int, int); absent for ops that have only float forms. */
  readonly int?: F2;
  readonly intResult?: string;
  /** (float, float) and the mixed forms. */
  readonly float: F2;
  readonly floatResult: string;
  /** Overload names of the pure forms (TorchScript's `.int` / `.float` unless said). */
  readonly names?: readonly [string, string];
  readonly mixed: boolean;
  /** The `(Scalar a, Scalar b)` form: overload name and result type. */
  readonly scalar: readonly [string, string] | null;
}

const cmp = (f: F2): Omit<BinaryRow, "op"> => ({
  int: f, intResult: "bool", float: f, floatResult: "bool", mixed: true, scalar: ["", "bool"],
});

const BINARY: readonly BinaryRow[] = [
  { op: "aten::add", int: intAdd, intResult: "int", float: (a, b) => a + b, floatResult: "float", mixed: true, scalar: ["", "Scalar"] },
  { op: "aten::sub", int: intSub, intResult: "int", float: (a, b) => a - b, floatResult: "float", mixed: true, scalar: ["", "Scalar"] },
  { op: "aten::mul", int: intMul, intResult: "int", float: (a, b) => a * b, floatResult: "float", mixed: true, scalar: ["", "Scalar"] },
  // True division; like C++, 1 / 0 is inf rather than an error.
  { op: "aten::div", int: (a, b) => a / b, intResult: "float", float: (a, b) => a / b, floatResult: "float", mixed: true, scalar: ["", "float"] },
  { op: "aten::floordiv", int: intFloordiv, intResult: "int", float: (a, b) => Math.floor(a / b), floatResult: "float", mixed: true, scalar: ["", "Scalar"] },
  { op: "aten::remainder", int: intMod, intResult: "int", float: floatMod, floatResult: "float", mixed: true, scalar: ["", "Scalar"] },
  // int ** int is a float: negative exponents give fractions (pow.int_to_int is the int form).
  { op: "aten::pow", int: checkedPow, intResult: "float", float: checkedPow, floatResult: "float", mixed: true, scalar: ["Scalar_Scalar", "float"] },
  { op: "aten::fmod", int: (a, b) => a % b, intResult: "float", float: (a, b) => a % b, floatResult: "float", mixed: true, scalar: ["", "float"] },
  { op: "aten::atan2", int: Math.atan2, intResult: "float", float: Math.atan2, floatResult: "float", mixed: true, scalar: ["Scalar_Scalar", "float"] },
  { op: "aten::copysign", int: copysign, intResult: "float", float: copysign, floatResult: "float", mixed: true, scalar: ["", "float"] },
  { op: "aten::log", int: logBase, intResult: "float", float: logBase, floatResult: "float", names: ["int_int", "float_float"], mixed: true, scalar: ["Scalar_Scalar", "float"] },
  // Python's builtin min/max are prim:: ops, apart from torch.min/max on tensors.
  { op: "prim::min", int: Math.min, intResult: "int", float: (a, b) => (a < b ? a : b), floatResult: "float", mixed: true, scalar: ["", "Scalar"] },
  { op: "prim::max", int: Math.max, intResult: "int", float: (a, b) => (a > b ? a : b), floatResult: "float", mixed: true, scalar: ["", "Scalar"] },
  { op: "aten::lt", ...cmp((a, b) => a < b) },
  { op: "aten::gt", ...cmp((a, b) => a > b) },
  { op: "aten::le", ...cmp((a, b) => a <= b) },
  { op: "aten::ge", ...cmp((a, b) => a >= b) },
  { op: "aten::eq", ...cmp((a, b) => a === b) },
  { op: "aten::ne", ...cmp((a, b) => a !== b) },
];

function copysign(a: number, b: number): number {
  const neg = b < 0 || Object.is(b, -0);
  return neg ? -Math.abs(a) : Math.abs(a);
}

function logBase(a: number, b: number): number {
  return Math.log(a) / Math.log(b);
}

/** Note [ints and floats]: a Scalar overload picks the int form when both operands are ints. */
function scalarForm(row: BinaryRow, types: readonly (JitType | undefined)[]): F2 {
  const intF = row.int;
  if (intF === undefined) return row.float;
  const [ta, tb] = types;
  return (a, b) => (isIntValue(a, ta) && isIntValue(b, tb) ? intF(a, b) : row.float(a, b));
}

function binaryDefs(row: BinaryRow): BuiltinDef[] {
  const [iname, fname] = row.names ?? ["int", "float"];
  const defs: BuiltinDef[] = [];
  if (row.int) defs.push({ schema: `${row.op}.${iname}(int a, int b) -> ${row.intResult}`, forward: row.int });
  defs.push({ schema: `${row.op}.${fname}(float a, float b) -> ${row.floatResult}`, forward: row.float });
  if (row.mixed) {
    defs.push({ schema: `${row.op}.int_float(int a, float b) -> ${row.floatResult}`, forward: row.float });
    defs.push({ schema: `${row.op}.float_int(float a, int b) -> ${row.floatResult}`, forward: row.float });
  }
  if (row.scalar) {
    const [name, result] = row.scalar;
    defs.push({
      schema: `${row.op}${name ? "." + name : ""}(Scalar a, Scalar b) -> ${result}`,
      forward: scalarForm(row, []),
      specialize: (types) => scalarForm(row, types),
    });
  }
  return defs;
}

interface UnaryRow {
  readonly op: string;
  readonly int?: F1;
  readonly intResult?: string;
  readonly float?: F1;
  readonly floatResult?: string;
  readonly scalar: boolean;
}

const floatFn = (op: string, f: F1): UnaryRow => ({ op, int: f, intResult: "float", float: f, floatResult: "float", scalar: true });
const DEG = 180 / Math.PI;

const UNARY: readonly UnaryRow[] = [
  { op: "aten::neg", int: intNeg, intResult: "int", float: (a) => -a, floatResult: "float", scalar: true },
  { op: "aten::floor", int: (a) => a, intResult: "int", float: (a) => floatToIntChecked(Math.floor(a)), floatResult: "int", scalar: true },
  { op: "aten::ceil", int: (a) => a, intResult: "int", float: (a) => floatToIntChecked(Math.ceil(a)), floatResult: "int", scalar: true },
  { op: "aten::round", int: (a) => a, intResult: "float", float: roundToEven, floatResult: "float", scalar: true },
  { op: "prim::abs", int: (a) => Math.abs(a), intResult: "int", float: (a) => Math.abs(a), floatResult: "float", scalar: true },
  floatFn("aten::exp", Math.exp),
  floatFn("aten::log", Math.log),
  floatFn("aten::log10", Math.log10),
  floatFn("aten::log1p", Math.log1p),
  floatFn("aten::expm1", Math.expm1),
  floatFn("aten::sqrt", Math.sqrt),
  floatFn("aten::sin", Math.sin),
  floatFn("aten::cos", Math.cos),
  floatFn("aten::tan", Math.tan),
  floatFn("aten::asin", Math.asin),
  floatFn("aten::acos", Math.acos),
  floatFn("aten::atan", Math.atan),
  floatFn("aten::sinh", Math.sinh),
  floatFn("aten::cosh", Math.cosh),
  floatFn("aten::tanh", Math.tanh),
  floatFn("aten::asinh", Math.asinh),
  floatFn("aten::acosh", Math.acosh),
  floatFn("aten::atanh", Math.atanh),
  floatFn("aten::erf", erf),
  floatFn("aten::erfc", (a) => 1 - erf(a)),
  floatFn("aten::fabs", Math.abs),
  floatFn("aten::lgamma", lgamma),
  floatFn("aten::gamma", tgamma),
  floatFn("aten::degrees", (a) => a * DEG),
  floatFn("aten::radians", (a) => a / DEG),
  { op: "aten::factorial", int: factorial, intResult: "int", scalar: false },
  { op: "aten::isnan", float: Number.isNaN, floatResult: "bool", scalar: false },
  { op: "aten::isinf", float: (a) => a === Infinity || a === -Infinity, floatResult: "bool", scalar: false },
  { op: "aten::isfinite", float: Number.isFinite, floatResult: "bool", scalar: false },
];

function unaryDefs(row: UnaryRow): BuiltinDef[] {
  const defs: BuiltinDef[] = [];
  const { int: intF, float: floatF } = row;
  if (intF) defs.push({ schema: `${row.op}.int(int a) -> ${row.intResult}`, forward: intF });
  if (floatF) defs.push({ schema: `${row.op}.float(float a) -> ${row.floatResult}`, forward: floatF });
  if (row.scalar && intF && floatF) {
    const form = (t: JitType | undefined): F1 => (a) => (isIntValue(a, t) ? intF(a) : floatF(a));
    defs.push({ schema: `${row.op}.Scalar(Scalar a) -> Scalar`, forward: form(undefined), specialize: (ts) => form(ts[0]) });
  }
  return defs;
}

const INT_BITS: readonly [string, F2][] = [
  ["aten::__and__", (a, b) => Number(BigInt.asIntN(64, BigInt(a) & BigInt(b)))],
  ["aten::__or__", (a, b) => Number(BigInt.asIntN(64, BigInt(a) | BigInt(b)))],
  ["aten::__xor__", (a, b) => Number(BigInt.asIntN(64, BigInt(a) ^ BigInt(b)))],
  ["aten::__lshift__", (a, b) => Number(BigInt.asIntN(64, BigInt(a) << BigInt(b)))],
  ["aten::__rshift__", (a, b) => Number(BigInt(a) >> BigInt(b))],
];

function rangeLength(lo: number, hi: number, step: number): number {
  if (step === 0) throw new RuntimeError("range() arg 3 must not be zero");
  if (step > 0 && lo < hi) return 1 + Math.trunc((hi - 1 - lo) / step);
  if (step < 0 && lo > hi) return 1 + Math.trunc((lo - 1 - hi) / -step);
  return 0;
}

function divmodInt(a: number, b: number): [number, number] {
  if (b === 0) throw new RuntimeError("ZeroDivisionError: integer division or modulo by zero");
  return [intFloordiv(a, b), intMod(a, b)];
}

function divmodFloat(a: number, b: number): [number, number] {
  if (b === 0) throw new RuntimeError("ZeroDivisionError: float divmod()");
  let rem = a % b;
  if (rem !== 0 && a < 0 !== b < 0) rem += b;
  return [(a - rem) / b, rem];
}

function divmodMixed(a: number, b: number): [number, number] {
  if (b === 0) throw new RuntimeError("ZeroDivisionError: float divmod()");
  const quot = Math.floor(a / b);
  return [quot, a - quot * b];
}

const MISC: readonly BuiltinDef[] = [
  { schema: "aten::pow.int_to_int(int a, int b) -> int", forward: checkedPow },
  { schema: "aten::__round_to_zero_floordiv(int a, int b) -> int", forward: (a: number, b: number) => Math.trunc(a / b) + 0 },
  { schema: "aten::gcd(int a, int b) -> int", forward: gcd },
  { schema: "aten::__range_length(int lo, int hi, int step) -> int", forward: rangeLength },
  { schema: "aten::__derive_index(int index, int start, int step) -> int", forward: (i: number, s: number, st: number) => intAdd(s, intMul(i, st)) },
  { schema: "aten::divmod.int(int x, int y) -> (int, int)", forward: divmodInt },
  { schema: "aten::divmod.float(float x, float y) -> (float, float)", forward: divmodFloat },
  { schema: "aten::divmod.int_float(int x, float y) -> (float, float)", forward: divmodMixed },
  { schema: "aten::divmod.float_int(float x, int y) -> (float, float)", forward: divmodMixed },
  { schema: "aten::__not__(bool self) -> bool", forward: (a: boolean) => !a },
  { schema: "aten::__and__.bool(bool a, bool b) -> bool", forward: (a: boolean, b: boolean) => a && b },
  { schema: "aten::__or__.bool(bool a, bool b) -> bool", forward: (a: boolean, b: boolean) => a || b },
  { schema: "aten::__xor__.bool(bool a, bool b) -> bool", forward: (a: boolean, b: boolean) => a !== b },
  { schema: "aten::eq.bool(bool a, bool b) -> bool", forward: (a: boolean, b: boolean) => a === b },
  { schema: "aten::ne.bool(bool a, bool b) -> bool", forward: (a: boolean, b: boolean) => a !== b },
  { schema: "aten::eq.device(Device a, Device b) -> bool", forward: (a: unknown, b: unknown) => a === b },
  { schema: "aten::ne.device(Device a, Device b) -> bool", forward: (a: unknown, b: unknown) => a !== b },
  ...INT_BITS.map(([op, f]): BuiltinDef => ({ schema: `${op}.int(int a, int b) -> int`, forward: f })),
];

defineBuiltins([...BINARY.flatMap(binaryDefs), ...UNARY.flatMap(unaryDefs), ...MISC]);
