/**
 * The graph verifier (TorchScript's Graph::lint, with messages that say where and what).
 * `verifyGraph` throws an IRVerifyError naming the offending node when:
 *
 *   - a value is used where it is not defined: before its definition, or outside the block
 *     that defines it (a use must be dominated by its definition, Note [block scoping]);
 *   - the bookkeeping is inconsistent: a use list that disagrees with a node's inputs, an
 *     output whose node or offset is wrong, a node in the wrong block, a broken node list,
 *     two values printing the same name;
 *   - a prim:: node does not fit its row in PRIM_KINDS (input, output, block counts, required
 *     attributes) or the control-flow shape of prim::If / prim::Loop;
 *   - a node that names its registry overload (`node.op`) disagrees with the op's schema.
 *
 * Note [block scoping]: a block sees the values defined before its owning node in every
 * enclosing block, plus its own parameters and what it defines; nothing defined inside a block
 * is visible after it: values leave a block only through its returns (the node's outputs).
 */
import type { Block } from "./block.js";
import type { Graph } from "./graph.js";
import type { Node } from "./node.js";
import { primKindSpec } from "./node_kinds.js";
import type { OpSchema } from "../../tensor/schema.js";
import { evalTypeVariables, matchTypeVariables, schemaArgType, schemaMismatch, schemaReturnType, type TypeEnv } from "./op_match.js";
import { nodeHeader } from "./print_graph.js";
import { isSubtypeOf, optionalType } from "./subtype.js";
import { printType } from "./type_print.js";
import { Types, hasFreeVariables, listType, type JitType } from "./types.js";
import type { Value } from "./value.js";

export class IRVerifyError extends Error {
  constructor(
    message: string,
    /** The node the problem is at (a block's return node for a bad block return). */
    readonly node: Node | null,
  ) {
    super(message);
    this.name = "IRVerifyError";
  }
}

/** Checks `g`; throws IRVerifyError on the first problem. */
export function verifyGraph(g: Graph): void {
  new Verifier(g).run();
}

class Verifier {
  /** Every value defined anywhere in the graph, for telling "later" from "elsewhere". */
  private readonly defined = new Set<Value>();
  private readonly names = new Map<string, Value>();

  constructor(private readonly g: Graph) {}

  run(): void {
    this.collect(this.g.block);
    this.scoped(this.g.block, []);
  }

  // ---- structure ----

  private collect(b: Block): void {
    if (b.graph !== this.g) throw this.fail(b.returnNode, "a block belongs to another graph");
    this.definitions(b.paramNode);
    let prev = b.returnNode;
    for (const n of b.nodes()) {
      if (n._prev !== prev) throw this.fail(n, "the block's node list is broken (prev link)");
      if (n.graph !== this.g) throw this.fail(n, "the node belongs to another graph");
      if (n.owningBlock !== b) throw this.fail(n, "the node's owningBlock is not the block it is in");
      if (n.isDestroyed) throw this.fail(n, "the node was destroyed but is still in a block");
      this.definitions(n);
      n.blocks.forEach((inner) => {
        if (inner.owningNode !== n) throw this.fail(n, "a block's owningNode is not the node holding it");
        this.collect(inner);
      });
      prev = n;
    }
    if (b.returnNode._prev !== prev) throw this.fail(b.returnNode, "the block's node list is broken (last node)");
    this.usesOf(b.returnNode);
  }

  private definitions(n: Node): void {
    n.outputs.forEach((o, i) => {
      if (o.node !== n || o.offset !== i) throw this.fail(n, `output ${i} (${o}) records node ${o.node.kind}, offset ${o.offset}`);
      const other = this.names.get(o.debugName);
      if (other !== undefined) throw this.fail(n, `two values are named ${o}`);
      this.names.set(o.debugName, o);
      if (o.hasDebugName() && this.g.uniqueNames.get(o.debugName) !== o) {
        throw this.fail(n, `${o} is missing from the graph's name table`);
      }
      this.defined.add(o);
      for (const u of o.uses) {
        if (u.user.inputs[u.offset] !== o) throw this.fail(u.user, `${o} records a use as input ${u.offset}, which is ${u.user.inputs[u.offset] ?? "missing"}`);
        if (u.user.isDestroyed) throw this.fail(u.user, `${o} is used by a destroyed ${u.user.kind}`);
      }
    });
    this.usesOf(n);
  }

  private usesOf(n: Node): void {
    n.inputs.forEach((v, i) => {
      if (!v.uses.some((u) => u.user === n && u.offset === i)) throw this.fail(n, `input ${i} (${v}) is missing from ${v}'s uses`);
    });
  }

  // ---- scoping (Note [block scoping]) ----

  private scoped(b: Block, outer: readonly Set<Value>[]): void {
    const scope = new Set<Value>(b.inputs);
    const chain = [...outer, scope];
    for (const n of b.nodes()) {
      n.inputs.forEach((v, i) => this.visible(v, n, `input ${i}`, chain));
      this.checkKind(n);
      for (const inner of n.blocks) this.scoped(inner, chain);
      for (const o of n.outputs) scope.add(o);
    }
    b.outputs.forEach((v, i) => this.visible(v, b.returnNode, `return ${i}`, chain));
  }

  private visible(v: Value, user: Node, what: string, chain: readonly Set<Value>[]): void {
    if (chain.some((s) => s.has(v))) return;
    if (!this.defined.has(v)) throw this.fail(user, `${what} uses ${v}, which is not defined in this graph`);
    const def = definingNode(v);
    if (def !== null && encloses(def.owningBlock, user)) {
      throw this.fail(user, `${what} uses ${v} before it is defined (by ${nodeHeader(def)})`);
    }
    const owner = v.node.kind === "prim::Param" ? v.node.owningBlock?.owningNode : v.node.owningNode;
    throw this.fail(user, `${what} uses ${v}, which is defined inside a block of ${owner ? nodeHeader(owner) : "another node"} and is not visible here`);
  }

  // ---- node kinds ----

  private checkKind(n: Node): void {
    if (!/^\w+::\S+$/.test(n.kind)) throw this.fail(n, `node kind '${n.kind}' is not of the form ns::name`);
    const spec = primKindSpec(n.kind);
    if (spec) {
      this.count(n, "inputs", n.inputs.length, spec.inputs.min, spec.inputs.max);
      this.count(n, "outputs", n.outputs.length, spec.outputs.min, spec.outputs.max);
      this.count(n, "blocks", n.blocks.length, spec.blocks, spec.blocks);
      for (const a of spec.attributes) {
        const v = n.attr(a.name);
        if (v === undefined && a.required) throw this.fail(n, `${n.kind} needs attribute '${a.name}'`);
        if (v !== undefined && !a.kinds.includes(v.kind)) throw this.fail(n, `attribute '${a.name}' of ${n.kind} cannot be of kind ${v.kind}`);
      }
      if (n.kind === "prim::DictConstruct" && n.inputs.length % 2 !== 0) throw this.fail(n, "prim::DictConstruct needs key, value pairs");
      if (n.kind === "prim::If") this.checkIf(n);
      if (n.kind === "prim::Loop") this.checkLoop(n);
    }
    if (n.op !== null) this.checkSchema(n);
  }

  private count(n: Node, what: string, have: number, min: number, max: number): void {
    if (have >= min && have <= max) return;
    const want = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    throw this.fail(n, `${n.kind} takes ${want} ${what}, has ${have}`);
  }

  /** Note [control flow blocks] in node_kinds.ts. */
  private checkIf(n: Node): void {
    this.typed(n, n.input(0).type, Types.bool, "the condition");
    n.blocks.forEach((b, i) => {
      if (b.inputs.length !== 0) throw this.fail(n, `block${i} of prim::If takes no parameters, has ${b.inputs.length}`);
      if (b.outputs.length !== n.outputs.length) {
        throw this.fail(n, `block${i} of prim::If returns ${b.outputs.length} values for ${n.outputs.length} outputs`);
      }
      b.outputs.forEach((v, j) => this.typed(n, v.type, n.output(j).type, `block${i} return ${j}`));
    });
  }

  private checkLoop(n: Node): void {
    const carried = n.inputs.length - 2;
    const body = n.block(0);
    if (n.outputs.length !== carried) throw this.fail(n, `prim::Loop carries ${carried} values but has ${n.outputs.length} outputs`);
    if (body.inputs.length !== carried + 1) {
      throw this.fail(n, `the prim::Loop body takes (iteration, ${carried} carried) = ${carried + 1} parameters, has ${body.inputs.length}`);
    }
    if (body.outputs.length !== carried + 1) {
      throw this.fail(n, `the prim::Loop body returns (condition, ${carried} carried) = ${carried + 1} values, has ${body.outputs.length}`);
    }
    this.typed(n, n.input(0).type, Types.int, "the trip count");
    this.typed(n, n.input(1).type, Types.bool, "the start condition");
    this.typed(n, Types.int, body.inputs[0]!.type, "the iteration parameter");
    this.typed(n, body.outputs[0]!.type, Types.bool, "the continue condition");
    for (let i = 0; i < carried; i++) {
      const out = n.output(i).type;
      this.typed(n, n.input(i + 2).type, out, `carried input ${i}`);
      this.typed(n, body.outputs[i + 1]!.type, out, `carried return ${i}`);
    }
  }

  private typed(n: Node, actual: JitType, expected: JitType, what: string): void {
    if (!isSubtypeOf(actual, expected)) {
      throw this.fail(n, `${what} of ${n.kind} is ${printType(actual)}, which is not a ${printType(expected)}`);
    }
  }

  private checkSchema(n: Node): void {
    const schema = n.op!.schema;
    if (schema.name !== n.kind) throw this.fail(n, `node ${n.kind} refers to the overload ${schema.text}`);
    const inputs = asBound(schema, n.inputs.map((v) => v.type));
    const why = schemaMismatch(schema, inputs);
    if (why !== null) throw this.fail(n, `${n.kind} does not match its schema ${schema.text}: ${why}`);
    if (n.outputs.length !== schema.returns.length) {
      throw this.fail(n, `${n.kind} has ${n.outputs.length} outputs but its schema ${schema.text} returns ${schema.returns.length}`);
    }
    // returns are checked with the type variables the inputs bind (`append(t[] self, t el) -> t[]`)
    const env: TypeEnv = new Map();
    schema.args.forEach((a, i) => matchTypeVariables(schemaArgType(a), inputs[i]!, env));
    schema.returns.forEach((r, i) => {
      const formal = evalTypeVariables(schemaReturnType(r), env);
      if (!hasFreeVariables(formal)) this.typed(n, n.output(i).type, formal, `output ${i}`);
    });
  }

  private fail(n: Node, message: string): IRVerifyError {
    const where = n.kind === "prim::Return"
      ? n.owningBlock?.owningNode ? `the returns of a block of: ${nodeHeader(n.owningBlock.owningNode)}` : "the graph's return"
      : nodeHeader(n);
    return new IRVerifyError(`graph verification failed: ${message}\n  at: ${where.trim()}`, n);
  }
}

/**
 * The input types as the schema sees them, under the binding rules of the script compiler
 * (src/jit/frontend/call_schema.ts) and the interpreter (Note [numbers as tensors] in
 * runtime/op_call.ts), which record these overloads on purpose:
 *   - a vararg schema (`format(str self, ...)`) takes any inputs after its declared ones;
 *   - a number (int, float, bool) goes where a Tensor goes: the registry covers PyTorch's
 *     `Scalar` overloads (`mul.Scalar`) with the Tensor one;
 *   - one int fills a fixed-length `int[N]`;
 *   - `List[Optional[Tensor]]` goes to the indices of the index ops, which PyTorch types
 *     `Tensor?[]` where the registry says `Tensor[]`.
 */
function asBound(schema: OpSchema, inputs: readonly JitType[]): JitType[] {
  const vararg = /(\(|,\s*)\.\.\.\)/.test(schema.text);
  const declared = vararg ? inputs.slice(0, schema.args.length) : inputs.slice();
  return declared.map((actual, i) => {
    const arg = schema.args[i];
    if (!arg) return actual;
    const formal = schemaArgType(arg);
    const inner = formal.kind === "Optional" ? formal.element : formal;
    if (inner.kind === "Tensor" && NUMBERS.has(actual.kind)) return Types.tensor;
    if (inner.kind === "List" && arg.fixedLength !== null && actual.kind === "int") return formal;
    if (INDEX_OPS.has(schema.name) && isSubtypeOf(actual, OPTIONAL_TENSOR_LIST) && isSubtypeOf(Types.tensor, inner.kind === "List" ? inner.element : inner)) return formal;
    return actual;
  });
}

const NUMBERS = new Set(["int", "float", "bool"]);
const INDEX_OPS = new Set(["aten::index", "aten::index_put_", "aten::index_put"]);
const OPTIONAL_TENSOR_LIST: JitType = listType(optionalType(Types.tensor));

/** The node after which `v` exists: its node, or for a block parameter, none (it is there from the start). */
function definingNode(v: Value): Node | null {
  return v.node.kind === "prim::Param" ? null : v.node;
}

/** Whether block `b` is `user`'s block or encloses it. */
function encloses(b: Block | null, user: Node): boolean {
  for (let blk: Block | null = user.owningBlock; blk !== null; blk = blk.owningNode?.owningBlock ?? null) {
    if (blk === b) return true;
  }
  return false;
}
