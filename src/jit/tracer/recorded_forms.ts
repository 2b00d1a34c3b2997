/**
 * What PyTorch's tracer records for an op call, when that differs from the call itself.
 *
 * Note [recorded forms]: PyTorch 1.13's generated tracer kernels (gen_trace_type.py) do not
 * record every op as called:
 * - the convolution entry points (conv1d, conv2d, conv_transpose1d/2d, convolution) are in
 *   DONT_RECORD_TRACE, so the trace holds the aten::_convolution they reach, with the cuDNN
 *   flags benchmark=False, deterministic=False, cudnn_enabled=True, allow_tf32=True;
 * - a factory's TensorOptions arrive filled in by Python's argument parser: device=cpu and
 *   pin_memory=False (`torch.arange(2, dtype=None, layout=None, device=torch.device("cpu"),
 *   pin_memory=False)` in `.code`), and a `*_like` factory also gets its input's dtype and the
 *   strided layout (0).
 * Each rule is a row of RECORDED_AS (by qualified name) or the factory rule below.
 */
import { Tensor } from "../../tensor/tensor.js";
import { lookupOverloads, type OpOverload } from "../../tensor/registry.js";

export interface RecordedCall {
  readonly op: OpOverload;
  readonly args: readonly unknown[];
}

type Ints = number | readonly number[];

/** An int-or-list argument as a list of `n` ints (PyTorch's int[n] broadcasting). */
function expand(v: Ints, n: number): number[] {
  return typeof v === "number" ? new Array<number>(n).fill(v) : v.length === 1 ? new Array<number>(n).fill(v[0]!) : v.slice();
}

/** benchmark, deterministic, cudnn_enabled, allow_tf32 as PyTorch's CPU build passes them. */
const CUDNN_FLAGS = [false, false, true, true] as const;

function convolutionCall(args: readonly unknown[]): RecordedCall | null {
  const ov = lookupOverloads("aten::_convolution")[0];
  return ov ? { op: ov, args: [...args, ...CUDNN_FLAGS] } : null;
}

/** A batched conv{1,2}d / conv_transpose{1,2}d call as _convolution; unbatched input keeps its call. */
function batchedOnly(
  dims: number, toConvolution: (a: readonly unknown[]) => unknown[],
): (args: readonly unknown[]) => RecordedCall | null {
  return (args) => {
    const input = args[0];
    if (!(input instanceof Tensor) || input.ndim !== dims + 2) return null;
    return convolutionCall(toConvolution(args));
  };
}

const conv = (dims: number) => batchedOnly(dims, ([input, weight, bias, stride, padding, dilation, groups]) => [
  input, weight, bias, expand(stride as Ints, dims), expand(padding as Ints, dims), expand(dilation as Ints, dims),
  false, new Array<number>(dims).fill(0), groups,
]);

const convTranspose = (dims: number) => batchedOnly(dims, ([input, weight, bias, stride, padding, outputPadding, groups, dilation]) => [
  input, weight, bias, expand(stride as Ints, dims), expand(padding as Ints, dims), expand(dilation as Ints, dims),
  true, expand(outputPadding as Ints, dims), groups,
]);

/** Overloads recorded as another call: schema text's qualified name + overload -> rewrite. */
const RECORDED_AS: ReadonlyMap<string, (args: readonly unknown[]) => RecordedCall | null> = new Map([
  ["aten::conv1d", conv(1)],
  ["aten::conv2d", conv(2)],
  ["aten::conv_transpose1d", convTranspose(1)],
  ["aten::conv_transpose2d.input", convTranspose(2)],
  ["aten::convolution", (args: readonly unknown[]) => convolutionCall(args)],
]);

/** Qualified name with overload, as keys of RECORDED_AS: `aten::conv2d`, `aten::conv_transpose2d.input`. */
function overloadKey(op: OpOverload): string {
  return op.schema.overload ? `${op.schema.name}.${op.schema.overload}` : op.schema.name;
}

/** The call PyTorch's tracer records for `op(args)` (args bound in schema order). */
export function recordedForm(op: OpOverload, args: readonly unknown[]): RecordedCall {
  const rewrite = RECORDED_AS.get(overloadKey(op));
  const call = rewrite?.(args) ?? { op, args };
  return { op: call.op, args: withFactoryOptions(call.op, call.args) };
}

/** Fills the TensorOptions a factory call leaves unset, as Python's argument parser does. */
function withFactoryOptions(op: OpOverload, args: readonly unknown[]): readonly unknown[] {
  const params = op.schema.args;
  const device = params.findIndex((p) => p.name === "device" && p.kind === "Device");
  const pin = params.findIndex((p) => p.name === "pin_memory");
  if (device < 0 || pin < 0 || op.schema.name === "aten::_to_copy" || op.schema.name === "aten::to") return args;
  const out = args.slice();
  while (out.length < params.length) out.push(null);
  if (out[device] === null || out[device] === undefined) out[device] = "cpu";
  if (out[pin] === null || out[pin] === undefined) out[pin] = false;
  const self = out[0];
  if (op.schema.name.endsWith("_like") && self instanceof Tensor) {
    const dtype = params.findIndex((p) => p.name === "dtype");
    const layout = params.findIndex((p) => p.name === "layout");
    if (dtype >= 0 && (out[dtype] === null || out[dtype] === undefined)) out[dtype] = self.dtype;
    if (layout >= 0 && (out[layout] === null || out[layout] === undefined)) out[layout] = 0; // torch.strided
  }
  return out;
}
