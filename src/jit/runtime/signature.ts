/**
 * The user-facing signature of a graph (`forward(Tensor x, Tensor h) -> (Tensor, Tensor)`)
 * and the check of the values a caller passes against it, with PyTorch's messages
 * (FunctionSchema::checkAndNormalizeInputs): a method's `self` is not shown and not counted,
 * tensor detail is dropped (a traced `Float(3, 4)` input accepts any tensor, as in PyTorch).
 */
import { RuntimeError } from "../../util/errors.js";
import { printType, unshapedType, type Graph, type JitType, type Value } from "../ir/index.js";
import { isScriptObject } from "./objects.js";
import { describeValueType, valueFitsType } from "./values.js";

export interface GraphSignature {
  readonly name: string;
  /** The graph's first input is the method's receiver (a class-typed `self`). */
  readonly hasSelf: boolean;
  readonly args: readonly { readonly name: string; readonly type: JitType }[];
  /** `forward(Tensor x, Tensor h) -> (Tensor, Tensor)`. */
  readonly text: string;
}

function argName(v: Value, i: number): string {
  return v.hasDebugName() ? v.debugNameBase() : `arg${i}`;
}

export function graphSignature(graph: Graph, name: string): GraphSignature {
  const inputs = graph.inputs;
  const hasSelf = inputs.length > 0 && inputs[0]!.type.kind === "Class";
  const args = inputs.slice(hasSelf ? 1 : 0).map((v, i) => ({ name: argName(v, i), type: unshapedType(v.type) }));
  const outs = graph.outputs.map((v) => printType(unshapedType(v.type)));
  const ret = outs.length === 1 ? outs[0]! : `(${outs.join(", ")})`;
  const text = `${name}(${args.map((a) => `${printType(a.type)} ${a.name}`).join(", ")}) -> ${ret}`;
  return { name, hasSelf, args, text };
}

/**
 * Throws PyTorch's message when `inputs` (self first, for a method) do not fit the graph.
 *
 * @example checkInputs(sig, [self, x]) // forward() is missing value for argument 'h'. Declaration: forward(Tensor x, Tensor h) -> (Tensor, Tensor)
 */
export function checkInputs(sig: GraphSignature, inputs: readonly unknown[]): void {
  const given = inputs.length - (sig.hasSelf ? 1 : 0);
  const decl = `Declaration: ${sig.text}`;
  if (given > sig.args.length) {
    throw new RuntimeError(
      `${sig.name}() expected at most ${sig.args.length} argument(s) but received ${given} argument(s). ${decl}`,
    );
  }
  if (given < sig.args.length) {
    const missing = sig.args[Math.max(given, 0)]!;
    throw new RuntimeError(`${sig.name}() is missing value for argument '${missing.name}'. ${decl}`);
  }
  const offset = sig.hasSelf ? 1 : 0;
  if (sig.hasSelf && !isScriptObject(inputs[0])) {
    throw new RuntimeError(`${sig.name}() expected 'self' to be an object but found type '${describeValueType(inputs[0])}'. ${decl}`);
  }
  for (let i = 0; i < sig.args.length; i++) {
    const a = sig.args[i]!;
    const v = inputs[i + offset];
    if (!valueFitsType(v, a.type)) {
      throw new RuntimeError(
        `${sig.name}() Expected a value of type '${printType(a.type)}' for argument '${a.name}' but instead found type ` +
          `'${describeValueType(v)}'.\nPosition: ${i}\n${decl}`,
      );
    }
  }
}
