/**
 * A prim::FusionGroup (passes/fuse_elementwise.ts) as one loop: each element of the output is
 * computed through the whole chain, with no intermediate tensors.
 *
 * Note [fused float32 semantics]: each op's value is rounded to float32 (Math.fround) before the
 * next op reads it, exactly as storing it in a Float32Array tensor would, and each op uses the
 * expression its eager kernel uses for float32 results (`jsExprF32`), with number operands read
 * as float32 (Note [scalar operands] in kernels/apply.ts). So the fused result equals the
 * unfused one bit for bit. The loop runs only when every tensor input is float32, contiguous and
 * of one shape; otherwise (broadcasting, other dtypes, views) the kernel declines and the group
 * runs op by op as the interpreter runs it.
 *
 * Note [fusion against WASM kernels]: tanh, sigmoid and exp run on WASM SIMD for float32 tensors
 * of WASM_MIN_NUMEL elements or more, about 5x faster per element than their JS expressions; a
 * group holding one of them declines such sizes, so the ops run one by one on those kernels
 * (same bits either way: Note [wasm unary exactness]). Fusion still wins for small tensors,
 * where per-op overhead dominates.
 *
 * The generated text holds only package-written expressions (Note [kernel expressions]) and
 * generated local names; constants from the graph are passed in as values.
 */
import { float32 } from "../../tensor/dtype.js";
import { KERNEL_HELPERS } from "../../tensor/kernels/elementwise.js";
import type { OpOverload } from "../../tensor/registry.js";
import { Tensor } from "../../tensor/tensor.js";
import type { Graph, Value } from "../ir/index.js";
import { nodeThunk } from "../runtime/interpreter.js";
import { resolveNodeOverload } from "../runtime/op_call.js";
import { WASM_MIN_NUMEL, WASM_UNARY_OPS } from "../../tensor/kernels/wasm/wasm_unary.js";
import { hasWasmSimd } from "../../tensor/kernels/wasm/wasm_runtime.js";

/** Kinds with a WASM kernel for large float32 tensors (Note [fusion against WASM kernels]). */
const WASM_KINDS = new Set<string>(WASM_UNARY_OPS.map((op) => `aten::${op}`));

/**
 * Runs the group on its inputs; undefined when the inputs do not fit the loop. `reuse`, a dead
 * tensor of the call's own (Note [buffer reuse]), is written and returned instead of a new one
 * when it is a float32 contiguous tensor of the output's shape that no input shares storage with.
 */
export type FusedKernel = (inputs: readonly unknown[], reuse?: Tensor | null) => Tensor | undefined;

/**
 * What the saving variant returns: the output and, per op of the group in program order, its
 * values (the last op's are the output's storage), for a backward that runs the ops' own rules
 * (fused_autograd.ts).
 */
export interface FusedValues {
  out: Tensor;
  values: Float32Array[];
}

export function makeFusedKernel(sub: Graph): FusedKernel;
export function makeFusedKernel(sub: Graph, saving: true): (inputs: readonly unknown[]) => FusedValues | undefined;
export function makeFusedKernel(sub: Graph, saving = false): FusedKernel | ((inputs: readonly unknown[]) => FusedValues | undefined) {
  const names = new Map<Value, string>();
  const constants: number[] = [];
  const tensorInputs: number[] = [];
  const prologue: string[] = [];
  sub.inputs.forEach((v, k) => {
    const name = `i${k}`;
    names.set(v, name);
    if (v.type.kind === "Tensor") {
      tensorInputs.push(k);
      prologue.push(`const d${k} = inputs[${k}].storage.data, o${k} = inputs[${k}].offset;`);
    } else {
      prologue.push(`const ${name} = Math.fround(inputs[${k}]);`);
    }
  });
  const body: string[] = [];
  for (const v of sub.inputs) if (v.type.kind === "Tensor") body.push(`const ${names.get(v)} = d${sub.inputs.indexOf(v)}[o${sub.inputs.indexOf(v)} + e];`);
  let t = 0;
  let usesWasmKernel = false;
  for (const n of sub.nodes()) {
    if (n.kind === "prim::Constant") {
      constants.push(Math.fround(Number(nodeThunk(n)([], {})[0])));
      names.set(n.output(), `c${constants.length - 1}`);
      continue;
    }
    const ov = resolveNodeOverload(n);
    if (WASM_KINDS.has(n.kind) && hasWasmSimd()) usesWasmKernel = true;
    const expr = ov?.jsExprF32;
    if (ov === null || expr === undefined) throw new Error(`${n.kind} cannot be fused`);
    const operands = n.inputs.map((v) => names.get(v)!);
    const result = `t${t++}`;
    body.push(`let ${result}; { ${expressionBindings(ov, operands)} ${result} = Math.fround(${expr}); }`);
    names.set(n.output(), result);
  }
  const out = names.get(sub.outputs[0]!)!;
  // the saving variant keeps every op's values; the last op's buffer is the output's
  const saved = Array.from({ length: t - 1 }, (_, k) => `s${k}`);
  if (saving) body.push(...saved.map((b, k) => `${b}[e] = t${k};`));
  const wasmLimit = usesWasmKernel ? WASM_MIN_NUMEL : Infinity;
  const first = tensorInputs[0]!;
  const checks = tensorInputs.map((k) => `fits(inputs[${k}], shape)`).join(" && ");
  const source = [
    `const shape = inputs[${first}] instanceof Tensor ? inputs[${first}].shape : null;`,
    `if (shape === null || !(${checks})) return undefined;`,
    // the inputs are contiguous and of the output's shape: it shares their arrays (Note [shared shape arrays])
    `const strides = inputs[${first}]._strides;`,
    ...constants.map((c, i) => `const c${i} = C[${i}];`),
    ...prologue,
    "const n = out_size(shape);",
    "if (n >= WASM_LIMIT) return undefined;",
    saving
      ? "const out = new Float32Array(n);"
      : `const out = reusable(reuse, shape, n, inputs) ? reuse.storage.data : new Float32Array(n);`,
    ...(saving ? saved.map((b) => `const ${b} = new Float32Array(n);`) : []),
    `for (let e = 0; e < n; e++) { ${body.join(" ")} out[e] = ${out}; }`,
    saving
      ? `return { out: Tensor.fromData(out, shape, F32, strides), values: [${[...saved, "out"].join(", ")}] };`
      : "if (reuse != null && out === reuse.storage.data) { reuse.storage.version++; return reuse; }\nreturn Tensor.fromData(out, shape, F32, strides);",
  ].join("\n");
  const helpers = Object.keys(KERNEL_HELPERS);
  const make = new Function("Tensor", "F32", "C", "fits", "out_size", "reusable", "WASM_LIMIT", ...helpers, `return function fusedKernel(inputs, reuse) {\n${source}\n};`);
  return make(Tensor, float32, constants, fits, numelOf, reusable, wasmLimit, ...Object.values(KERNEL_HELPERS)) as FusedKernel;
}

/**
 * The locals an op's kernel expression reads (Note [kernel expressions]): `x` for a unary op,
 * `a`, `b` and alpha as `p0` for a binary one, from the generated names of its operands.
 */
export function expressionBindings(ov: OpOverload, operands: readonly string[]): string {
  return ov.schema.args.length === 1
    ? `const x = ${operands[0]}, p0 = 0, p1 = 0;`
    : `const a = ${operands[0]}, b = ${operands[1]}, p0 = ${operands.length > 2 ? operands[2] : 1};`;
}

/** Whether the kernel may write its output into `reuse` (FusedKernel). */
function reusable(reuse: Tensor | null | undefined, shape: readonly number[], n: number, inputs: readonly unknown[]): reuse is Tensor {
  if (reuse === null || reuse === undefined || reuse.offset !== 0 || reuse.storage.data.length !== n || !fits(reuse, shape)) return false;
  for (const v of inputs) if (v instanceof Tensor && v.storage === reuse.storage) return false;
  return true;
}

/** A float32 contiguous tensor of exactly `shape`. */
function fits(v: unknown, shape: readonly number[]): boolean {
  if (!(v instanceof Tensor) || v.dtype !== float32 || v.shape.length !== shape.length) return false;
  for (let i = 0; i < shape.length; i++) if (v.shape[i] !== shape[i]) return false;
  return v.is_contiguous();
}

function numelOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
