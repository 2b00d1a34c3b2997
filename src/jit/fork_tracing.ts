/**
 * torch.jit.fork / wait under torch.jit.trace, recorded as PyTorch's tracer records them: the
 * forked call becomes a `prim::fork` node whose Subgraph attribute is the trace of the call
 * (its tensor arguments as inputs), giving a `Future[T]`; torch.jit.wait becomes `aten::wait`.
 * `.code` then prints the subgraph as a local `def __forked_function():` and `fork(...)`.
 */
import { Tensor } from "../tensor/tensor.js";
import { RuntimeError } from "../util/errors.js";
import { Attr, futureType, tensorTypeOf, tupleType, type Value } from "./ir/index.js";
import { activeSession } from "./tracer/session.js";
import { argumentNames } from "./tracer/arg_names.js";
import { tensorValue, type Frame } from "./tracer/values.js";

/** The `Future` value each traced fork produced, by the eager Future handed to the user. */
const forkValues = new WeakMap<object, { frame: Frame; value: Value }>();

function tensorsOf(out: unknown): Tensor[] | null {
  if (out instanceof Tensor) return [out];
  if (Array.isArray(out) && out.length > 0 && out.every((t) => t instanceof Tensor)) return out as Tensor[];
  return null;
}

/**
 * Runs `call` (fn applied to args) as a forked subgraph of the current trace and records the
 * prim::fork; `fut` is the eager Future that will hold the result.
 */
export function traceFork(fn: Function, args: readonly unknown[], fut: object, call: () => unknown): unknown {
  const session = activeSession;
  if (session === null) return call();
  const parent = session.top;
  const sub = session.newFrame(null, parent.scope, "self");
  const names = argumentNames(fn);
  const tensorArgs: Tensor[] = [];
  args.forEach((a, i) => {
    if (!(a instanceof Tensor)) return;
    tensorArgs.push(a);
    sub.values.set(a, sub.graph.addInput(names[i] ?? undefined, tensorTypeOf(a)));
  });
  session.frames.push(sub);
  let out: unknown;
  try {
    out = session.runInFrame(fn, args, call);
  } finally {
    session.frames.pop();
  }
  const results = tensorsOf(out);
  if (results === null) throw new RuntimeError("torch.jit.fork under torch.jit.trace: the forked function must return a Tensor or an array of Tensors");
  const values = results.map((t) => tensorValue(sub, t));
  let output = values[0]!;
  if (!(out instanceof Tensor)) {
    output = sub.graph.insert("prim::TupleConstruct", values, [tupleType(values.map((v) => v.type))], { scope: null }).output();
  }
  sub.graph.registerOutput(output);
  const inputs = tensorArgs.map((t) => tensorValue(parent, t));
  const node = parent.graph.insert("prim::fork", inputs, [futureType(output.type)], { scope: parent.scope });
  node.setAttr("Subgraph", Attr.g(sub.graph));
  forkValues.set(fut, { frame: parent, value: node.output() });
  return out;
}

/** torch.jit.wait of a traced fork: `aten::wait`, whose result stands for the forked call's result. */
export function traceWait(fut: object, result: unknown): void {
  const forked = forkValues.get(fut);
  const session = activeSession;
  if (forked === undefined || session === null) return;
  const f = session.top;
  if (f !== forked.frame) throw new RuntimeError("torch.jit.wait under torch.jit.trace: wait for a Future in the function or module that forked it");
  const type = forked.value.type.kind === "Future" ? forked.value.type.element : tensorTypeOf(result as Tensor);
  const wait = f.graph.insert("aten::wait", [forked.value], [type], { scope: f.scope });
  const results = tensorsOf(result);
  if (result instanceof Tensor) f.values.set(result, wait.output());
  else if (results !== null) {
    const unpack = f.graph.insert("prim::TupleUnpack", [wait.output()], results.map((t) => tensorTypeOf(t)), { scope: f.scope });
    results.forEach((t, i) => f.values.set(t, unpack.outputs[i]!));
  }
}
