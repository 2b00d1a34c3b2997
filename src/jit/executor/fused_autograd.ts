/**
 * A prim::FusionGroup run with grad recording: one loop computes the whole chain (and keeps each
 * op's values), and one autograd node stands for the group. Note [fused groups under autograd]:
 *  - the node's backward runs the ops' own gradient rules in reverse on the kept values, so the
 *    gradients are the ones eager computes, bit for bit (the loop's values equal eager's: Note
 *    [fused float32 semantics]); an op is differentiated only where eager would have recorded it
 *    (some input requires grad);
 *  - the group's output shows the grad_fn name of its last op (TanhBackward0), and its
 *    `next_functions` describes the ops inside as eager's nodes would (AddBackward0 under it,
 *    then the nodes of the group's inputs), so inspecting the graph reads as eager's;
 *  - gradients that reach one input from several ops of the group are summed in the node before
 *    they flow on, where eager's engine adds them one by one: the same sum unless that input also
 *    receives gradients from outside the group in between (then the order of float additions
 *    may differ in the last bit);
 *  - with create_graph, backward reruns the ops eagerly on the saved inputs, so the gradient
 *    has a graph of its own, as eager's has.
 * With nothing to record (grad off, or no input requires grad) the plain loop runs.
 */
import { RuntimeError } from "../../util/errors.js";
import { Tensor } from "../../tensor/tensor.js";
import { float32 } from "../../tensor/dtype.js";
import { gradState } from "../../autograd/grad_mode.js";
import { Node, type Edge } from "../../autograd/node.js";
import { edgeTo } from "../../autograd/op_node.js";
import { add } from "../../tensor/ops/arith.js";
import { runOverload, type OpOverload } from "../../tensor/registry.js";
import type { Graph, Value } from "../ir/index.js";
import { nodeThunk } from "../runtime/interpreter.js";
import { resolveNodeOverload } from "../runtime/op_call.js";
import { makeFusedKernel, type FusedKernel } from "./fused_kernel.js";

/** Where an op of the group reads an argument: a group input, an earlier op, or a constant. */
type Operand = { kind: "input"; index: number } | { kind: "op"; index: number } | { kind: "constant"; value: unknown };

interface GroupOp {
  ov: OpOverload;
  operands: Operand[];
}

/** The group's ops with their operands, or null where an op has no gradient rule. */
function describeGroup(sub: Graph): GroupOp[] | null {
  const producer = new Map<Value, Operand>();
  sub.inputs.forEach((v, index) => producer.set(v, { kind: "input", index }));
  const ops: GroupOp[] = [];
  for (const n of sub.nodes()) {
    if (n.kind === "prim::Constant") {
      producer.set(n.output(), { kind: "constant", value: nodeThunk(n)([], {})[0] });
      continue;
    }
    const ov = resolveNodeOverload(n);
    if (ov === null || ov.backward === undefined) return null;
    ops.push({ ov, operands: n.inputs.map((v) => producer.get(v)!) });
    producer.set(n.output(), { kind: "op", index: ops.length - 1 });
  }
  return ops;
}

/** The FusionGroup's kernel for plans made with grad on (falls back like the plain one: undefined). */
export function makeRecordingFusedKernel(sub: Graph): FusedKernel {
  const plain = makeFusedKernel(sub);
  const ops = describeGroup(sub);
  if (ops === null) return plain;
  const saving = makeFusedKernel(sub, true);
  const isTensorInput = sub.inputs.map((v) => v.type.kind === "Tensor");
  const tensorInputs = sub.inputs.flatMap((v, i) => (v.type.kind === "Tensor" ? [i] : []));
  const needsGrad = (inputs: readonly unknown[]): boolean => {
    for (const i of tensorInputs) if ((inputs[i] as Tensor).requires_grad) return true;
    return false;
  };
  return (inputs) => {
    if (!gradState.enabled || !needsGrad(inputs)) return plain(inputs);
    const r = saving(inputs);
    if (r === undefined) return undefined;
    const node = new FusedGroupNode(ops, isTensorInput, inputs, r.values, r.out.shape);
    r.out.requires_grad = true;
    r.out.grad_fn = node;
    r.out._outputNr = 0;
    return r.out;
  };
}

class FusedGroupNode extends Node {
  private released = false;
  /** The edge of each group input, by input index (null for numbers and tensors without grad). */
  private readonly inputEdges: (Edge | null)[];

  constructor(
    private readonly ops: readonly GroupOp[],
    /** Which group inputs are tensors (from the subgraph's types; the loop checked them). */
    private readonly inputIsTensor: readonly boolean[],
    private inputs: readonly unknown[],
    private values: Float32Array[],
    private readonly shape: number[],
  ) {
    // edges are taken now: an input's grad_fn may change later (an in-place op)
    const inputEdges: (Edge | null)[] = new Array(inputs.length);
    const next: Edge[] = [];
    for (let i = 0; i < inputs.length; i++) {
      const v = inputs[i];
      const e = v instanceof Tensor ? edgeTo(v) : null;
      inputEdges[i] = e;
      // one edge per group input that may receive a gradient, in input order
      if (e !== null) next.push(e);
    }
    super(next);
    this.inputEdges = inputEdges;
  }

  private recordedOps: boolean[] | null = null;

  /** Which ops eager would have recorded: some tensor operand requires grad. */
  private get recorded(): boolean[] {
    if (this.recordedOps !== null) return this.recordedOps;
    const recorded: boolean[] = [];
    for (const op of this.ops) {
      recorded.push(op.operands.some((o) =>
        (o.kind === "input" && this.inputEdges[o.index] !== null) || (o.kind === "op" && recorded[o.index]!)));
    }
    return (this.recordedOps = recorded);
  }

  name(): string {
    return this.ops[this.ops.length - 1]!.ov.gradName;
  }

  override get next_functions(): [Node | null, number][] {
    return this.describeOp(this.ops.length - 1);
  }

  /** What eager's node for op `k` would list as next_functions. */
  private describeOp(k: number): [Node | null, number][] {
    const op = this.ops[k]!;
    // as eager's OpNode: one entry per tensor argument (a number passed as `other` has none)
    const out: [Node | null, number][] = [];
    for (const a of op.ov.tensorArgs) {
      const o = op.operands[a];
      if (o?.kind === "input" && this.inputIsTensor[o.index]) {
        const e = this.inputEdges[o.index];
        out.push(e ? [e.node, e.inputNr] : [null, 0]);
      } else if (o?.kind === "op") {
        out.push(this.recorded[o.index] ? [new InnerOpView(this, o.index), 0] : [null, 0]);
      } else if (o?.kind === "constant" && o.value instanceof Tensor) {
        out.push([null, 0]);
      }
    }
    return out;
  }

  /** @internal for InnerOpView */
  viewOf(k: number): { name: string; next: [Node | null, number][] } {
    return { name: this.ops[k]!.ov.gradName, next: this.describeOp(k) };
  }

  apply(grads: (Tensor | null)[]): (Tensor | null)[] {
    if (this.released) {
      throw new RuntimeError(
        "Trying to backward through the graph a second time (or directly access saved tensors after they have already been freed). Saved intermediate values of the graph are freed when you call .backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the graph a second time or if you need to access saved tensors after calling backward.",
      );
    }
    const results = gradState.enabled ? this.recompute() : this.values.map((data) => Tensor.fromData(data, this.shape, float32));
    const opGrads: (Tensor | null)[] = this.ops.map(() => null);
    const inputGrads: (Tensor | null)[] = this.inputs.map(() => null);
    opGrads[this.ops.length - 1] = grads[0] ?? null;
    for (let k = this.ops.length - 1; k >= 0; k--) {
      const g = opGrads[k];
      if (g === null || !this.recorded[k]) continue;
      const op = this.ops[k]!;
      const args = op.operands.map((o) => (o.kind === "input" ? this.inputs[o.index] : o.kind === "op" ? results[o.index] : o.value));
      const perArg = op.ov.backward!(g, args, results[k]);
      for (const a of op.ov.tensorArgs) {
        const o = op.operands[a]!;
        const ga = perArg[a] as Tensor | null | undefined;
        if (ga === null || ga === undefined) continue;
        if (o.kind === "op" && this.recorded[o.index]) opGrads[o.index] = sum(opGrads[o.index]!, ga);
        if (o.kind === "input" && this.inputEdges[o.index] !== null) inputGrads[o.index] = sum(inputGrads[o.index]!, ga);
      }
    }
    return inputGrads.filter((_, i) => this.inputs[i] instanceof Tensor && this.inputEdges[i] !== null);
  }

  /**
   * With create_graph the gradient must itself be differentiable: the ops run again, eagerly
   * and recorded, on the saved inputs (the same values), and the rules read those results.
   */
  private recompute(): Tensor[] {
    const results: Tensor[] = [];
    for (const op of this.ops) {
      const args = op.operands.map((o) => (o.kind === "input" ? this.inputs[o.index] : o.kind === "op" ? results[o.index] : o.value));
      results.push(runOverload(op.ov, args) as Tensor);
    }
    return results;
  }

  override release(): void {
    this.released = true;
    this.inputs = [];
    this.values = [];
  }
}

function sum(acc: Tensor | null, g: Tensor): Tensor {
  return acc === null ? g : add(acc, g);
}

/** An op inside a fused group as `next_functions` shows it: its name and where it leads. */
class InnerOpView extends Node {
  constructor(private readonly group: FusedGroupNode, private readonly k: number) {
    super([]);
  }
  name(): string {
    return this.group.viewOf(this.k).name;
  }
  override get next_functions(): [Node | null, number][] {
    return this.group.viewOf(this.k).next;
  }
  apply(): (Tensor | null)[] {
    throw new RuntimeError(`${this.name()} is part of a fused group: call backward on the group's output`);
  }
}
