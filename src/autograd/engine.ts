/**
 * The backward engine: counts dependencies from the roots, then runs each node once all
 * gradients flowing into it have arrived, summing them (Note [gradient accumulation]).
 */
import { RuntimeError } from "../util/errors.js";
import { Tensor } from "../tensor/tensor.js";
import { numel } from "../tensor/shape.js";
import { Node } from "./node.js";
import { AccumulateGrad } from "./accumulate_grad.js";
import { edgeTo } from "./op_node.js";
import { addGrads } from "./reduce_grad.js";
import { gradState } from "./grad_mode.js";

export interface BackwardOptions {
  retain_graph?: boolean;
  create_graph?: boolean;
}

function onesLike(t: Tensor): Tensor {
  const data = new t.dtype.ArrayType(numel(t.shape)).fill(1);
  return Tensor.fromData(data, t.shape.slice(), t.dtype);
}

function rootGrad(t: Tensor, g: Tensor | null | undefined, i: number): Tensor {
  if (!t.requires_grad) {
    throw new RuntimeError(`element ${i} of tensors does not require grad and does not have a grad_fn`);
  }
  if (g) return g;
  if (numel(t.shape) !== 1) throw new RuntimeError("grad can be implicitly created only for scalar outputs");
  return onesLike(t);
}

/**
 * Runs backward from `roots`. With `capture`, gradients reaching those (node, input) slots are
 * returned instead of being accumulated into leaves (torch.autograd.grad).
 */
export function runBackward(
  roots: readonly Tensor[],
  rootGrads: readonly (Tensor | null | undefined)[],
  opts: BackwardOptions,
  capture?: readonly Tensor[],
): (Tensor | null)[] {
  const buffers = new Map<Node, (Tensor | null)[]>();
  const deliver = (node: Node, inputNr: number, g: Tensor): void => {
    let buf = buffers.get(node);
    if (!buf) {
      buf = new Array<Tensor | null>(node.numOutputs).fill(null);
      buffers.set(node, buf);
    }
    const prev = buf[inputNr];
    buf[inputNr] = prev ? addGrads(prev, g) : g;
  };

  const rootEdges = roots.map((t, i) => {
    const g = rootGrad(t, rootGrads[i], i);
    const e = edgeTo(t)!;
    deliver(e.node, e.inputNr, g);
    return e;
  });

  // Dependency counts: how many edges point at each node from nodes reachable from the roots.
  const deps = new Map<Node, number>();
  const seen = new Set<Node>();
  const stack: Node[] = [];
  for (const e of rootEdges) {
    if (seen.has(e.node)) continue; // several roots may be outputs of one node
    seen.add(e.node);
    stack.push(e.node);
  }
  while (stack.length > 0) {
    const n = stack.pop()!;
    for (const e of n.next) {
      if (!e) continue;
      deps.set(e.node, (deps.get(e.node) ?? 0) + 1);
      if (!seen.has(e.node)) {
        seen.add(e.node);
        stack.push(e.node);
      }
    }
  }

  const captureSlots = capture?.map((t) => {
    const e = edgeTo(t);
    if (!e) throw new RuntimeError("One of the differentiated Tensors does not require grad");
    return e;
  });
  const captured: (Tensor | null)[] = captureSlots ? captureSlots.map(() => null) : [];

  const prevGrad = gradState.enabled;
  gradState.enabled = opts.create_graph === true;
  try {
    const ready: Node[] = [];
    for (const e of rootEdges) if (!deps.get(e.node) && !ready.includes(e.node)) ready.push(e.node);
    while (ready.length > 0) {
      const node = ready.pop()!;
      const grads = buffers.get(node) ?? [];
      buffers.delete(node);
      runHooks(node, grads);
      if (captureSlots) {
        captureSlots.forEach((s, i) => {
          if (s.node === node) captured[i] = grads[s.inputNr] ?? null;
        });
      }
      if (!(captureSlots && node instanceof AccumulateGrad)) {
        const hasAny = grads.some((g) => g !== null);
        const inputGrads = hasAny ? node.apply(grads) : [];
        node.next.forEach((e, i) => {
          const g = inputGrads[i];
          if (e && g) deliver(e.node, e.inputNr, g);
        });
      }
      if (!(opts.retain_graph ?? opts.create_graph)) node.release(); // PyTorch: retain_graph defaults to create_graph
      for (const e of node.next) {
        if (!e) continue;
        const left = deps.get(e.node)! - 1;
        deps.set(e.node, left);
        if (left === 0) ready.push(e.node);
      }
    }
  } finally {
    gradState.enabled = prevGrad;
  }
  return captured;
}

/** Tensor hooks and retain_grad see the summed gradient of their tensor before it flows on. */
function runHooks(node: Node, grads: (Tensor | null)[]): void {
  if (node.outputHooks) {
    for (const [i, hooks] of node.outputHooks) {
      for (const h of hooks) {
        const g = grads[i];
        if (!g) continue;
        const r = h(g);
        if (r instanceof Tensor) grads[i] = r;
      }
    }
  }
  if (node.retained) {
    for (const [i, t] of node.retained) {
      const g = grads[i];
      if (g) t.grad = t.grad ? addGrads(t.grad, g) : Tensor.fromData(g.contiguousData().slice(), g.shape.slice(), g.dtype);
    }
  }
}

/** torch.autograd.backward / Tensor.backward. */
export function backward(
  tensors: Tensor | readonly Tensor[],
  grad_tensors?: Tensor | readonly (Tensor | null)[] | null,
  opts: BackwardOptions = {},
): void {
  const roots = tensors instanceof Tensor ? [tensors] : tensors;
  const grads = grad_tensors instanceof Tensor ? [grad_tensors] : (grad_tensors ?? []);
  runBackward(roots, grads, opts);
}

/** torch.autograd.grad: gradients of `outputs` with respect to `inputs`, without touching `.grad`. */
export function grad(
  outputs: Tensor | readonly Tensor[],
  inputs: Tensor | readonly Tensor[],
  grad_outputs?: Tensor | readonly (Tensor | null)[] | null,
  opts: BackwardOptions & { allow_unused?: boolean } = {},
): (Tensor | null)[] {
  const outs = outputs instanceof Tensor ? [outputs] : outputs;
  const ins = inputs instanceof Tensor ? [inputs] : inputs;
  const gos = grad_outputs instanceof Tensor ? [grad_outputs] : (grad_outputs ?? []);
  const result = runBackward(outs, gos, opts, ins);
  result.forEach((g, i) => {
    if (g === null && !opts.allow_unused) {
      throw new RuntimeError(
        `One of the differentiated Tensors appears to not have been used in the graph. Set allow_unused=True if this is the desired behavior.`,
      );
    }
    void i;
  });
  return result;
}
