/**
 * The backward node an op records: it keeps the op's arguments and result, and on backward
 * runs the op's gradient rule, then reduces each gradient to its input's shape and dtype in one
 * place (Note [broadcast reduction]), so rules are written as if nothing broadcast.
 */
import { RuntimeError } from "../util/errors.js";
import { Tensor } from "../tensor/tensor.js";
import type { OpOverload } from "../tensor/registry.js";
import { Node, type Edge } from "./node.js";
import { AccumulateGrad } from "./accumulate_grad.js";
import { sameShape } from "../tensor/shape.js";
import { reduceGradToInput } from "./reduce_grad.js";

export type GradOut = Tensor | null | undefined | readonly (Tensor | null)[];

/**
 * A gradient rule: given the gradient of the result (an array for multi-output ops) and the
 * forward's arguments and result, returns one gradient per schema argument.
 */
export type BackwardFn<A extends unknown[], R> = {
  // method syntax: rules typed for their own argument tuple still fit the registry's table
  rule(grad: any, args: A, result: R): readonly GradOut[];
}["rule"];

export function edgeTo(t: Tensor): Edge | null {
  if (!t.requires_grad) return null;
  if (t.grad_fn !== null) return { node: t.grad_fn, inputNr: t._outputNr };
  let acc = t._accumulator as AccumulateGrad | null;
  if (acc === null) {
    acc = new AccumulateGrad(t);
    t._accumulator = acc;
  }
  return acc.edge;
}

export class OpNode extends Node {
  // Note [declared fields] (tensor.ts)
  declare readonly op: OpOverload;
  private declare args: unknown[];
  private declare result: unknown;
  private declare released: boolean;

  private constructor(op: OpOverload, args: unknown[], result: unknown) {
    super(inputEdges(op, args));
    this.op = op;
    this.args = args;
    this.result = result;
    this.released = false;
  }

  name(): string {
    return this.op.gradName;
  }

  /** Copies `self` before an in-place op overwrites it, so the gradient rule sees the old value. */
  static prepareInplace(op: OpOverload, args: unknown[]): unknown[] {
    const self = args[0] as Tensor;
    if (self.requires_grad && self.grad_fn === null) {
      throw new RuntimeError("a leaf Variable that requires grad is being used in an in-place operation.");
    }
    const data = self.contiguousData().slice();
    const snapshot = Tensor.fromData(data, self.shape.slice(), self.dtype);
    snapshot.requires_grad = self.requires_grad;
    snapshot.grad_fn = self.grad_fn;
    snapshot._outputNr = self._outputNr;
    // every mention of self (e.g. y.mul_(y)) must read the value from before the write
    return args.map((a) => (a === self ? snapshot : a));
  }

  /** Records the node for one op call and marks its floating outputs as requiring grad. */
  static record(op: OpOverload, args: unknown[], result: unknown): void {
    const node = new OpNode(op, args, result);
    if (result instanceof Tensor) {
      markOutput(result, node, 0);
    } else if (Array.isArray(result)) {
      node.numOutputs = result.length;
      for (let i = 0; i < result.length; i++) {
        const r: unknown = result[i];
        if (r instanceof Tensor) markOutput(r, node, i);
      }
    }
  }


  apply(grads: (Tensor | null)[]): (Tensor | null)[] {
    if (this.released) {
      throw new RuntimeError(
        "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.",
      );
    }
    const backward = this.op.backward!;
    const g = this.numOutputs === 1 && !Array.isArray(this.result) ? grads[0] : grads;
    const perArg = backward(g, this.args, this.result);
    const out: (Tensor | null)[] = [];
    const ta = this.op.tensorArgs;
    let k = 0;
    for (let i = 0; i < ta.length; i++) {
      const a = this.args[ta[i]!];
      const gi = perArg[ta[i]!];
      if (a instanceof Tensor) {
        out.push(this.fit(gi as Tensor | null | undefined, a, k++));
      } else if (Array.isArray(a)) {
        // one slot per tensor in the list, as record() made one edge per tensor
        const list = (gi ?? []) as readonly (Tensor | null)[];
        for (let j = 0; j < a.length; j++) if (a[j] instanceof Tensor) out.push(this.fit(list[j], a[j], k++));
      }
    }
    return out;
  }

  /** Note [broadcast reduction]: sum over broadcast dims and cast to the input's dtype. */
  private fit(g: Tensor | null | undefined, input: Tensor, k: number): Tensor | null {
    if (g === null || g === undefined || this.next[k] === null) return null;
    if (sameShape(g.shape, input.shape) && g.dtype === input.dtype) return g;
    return reduceGradToInput(g, input.shape, input.dtype);
  }

  override release(): void {
    this.released = true;
    this.args = [];
    this.result = null;
  }
}

/**
 * One edge per differentiable input, flattened in argument order (a Tensor[] argument gives one
 * per tensor in it); apply() walks the arguments in the same order to match gradients to edges.
 */
function inputEdges(op: OpOverload, args: readonly unknown[]): (Edge | null)[] {
  const ta = op.tensorArgs;
  // the common cases as exact-size literals: a pushed-to [] grows its backing store to 17 slots
  if (ta.length === 1 && args[ta[0]!] instanceof Tensor) return [edgeTo(args[ta[0]!] as Tensor)];
  if (ta.length === 2 && args[ta[0]!] instanceof Tensor && args[ta[1]!] instanceof Tensor) {
    return [edgeTo(args[ta[0]!] as Tensor), edgeTo(args[ta[1]!] as Tensor)];
  }
  if (ta.length === 3 && args[ta[0]!] instanceof Tensor && args[ta[1]!] instanceof Tensor && args[ta[2]!] instanceof Tensor) {
    return [edgeTo(args[ta[0]!] as Tensor), edgeTo(args[ta[1]!] as Tensor), edgeTo(args[ta[2]!] as Tensor)];
  }
  const edges: (Edge | null)[] = [];
  for (let i = 0; i < ta.length; i++) {
    const v = args[ta[i]!];
    if (v instanceof Tensor) edges.push(edgeTo(v));
    else if (Array.isArray(v)) for (let j = 0; j < v.length; j++) if (v[j] instanceof Tensor) edges.push(edgeTo(v[j]));
  }
  return edges;
}

function markOutput(t: Tensor, node: OpNode, i: number): void {
  if (!t.dtype.is_floating_point) return;
  t.requires_grad = true;
  t.grad_fn = node;
  t._outputNr = i;
}
