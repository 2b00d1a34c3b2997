/**
 * The compiled form of a graph the interpreter runs: every value gets a slot in one flat
 * register array per invocation, every node becomes a `Step` closure that reads its input
 * slots and writes its output slots, and each block is the list of its steps. Resolution
 * (which overload, which builtin, which conversions) happens once, when the plan is made;
 * running a step does no lookups by name.
 */
import type { Block, Graph, Node, Value } from "../ir/index.js";
import { wrapNodeError } from "./errors.js";
import type { FunctionTable, ScriptObject } from "./objects.js";

export type Regs = unknown[];

/** What an invocation brings that a (cached, shared) plan cannot capture. */
export interface RunEnv {
  /** Free functions for prim::CallFunction, by name. */
  readonly functions?: FunctionTable;
  /** Where prim::Print writes (default: console.log). */
  readonly print?: (line: string) => void;
  /** Makes an instance of a TorchScript class for prim::CreateObject. */
  readonly createObject?: (qualifiedName: string) => ScriptObject;
}

export type Step = (r: Regs, env: RunEnv) => void;

export interface CompiledBlock {
  readonly steps: readonly Step[];
  /** The node each step runs, for error reports (Note [error frames] in errors.ts). */
  readonly nodes: readonly Node[];
  readonly params: readonly number[];
  readonly returns: readonly number[];
}

/** What node compilers get from the plan being built. */
export interface CompileContext {
  slot(v: Value): number;
  /** Fixes a slot's value for every invocation (constants: no step runs for them). */
  constant(slot: number, value: unknown): void;
  compileBlock(b: Block): CompiledBlock;
  /** Runs another graph (a method, a function, a fork's subgraph); returns its outputs. */
  invoke(graph: Graph, inputs: readonly unknown[], name: string, env: RunEnv): unknown[];
}

/** A node compiler: returns the step, or null for a node that needs none (a constant). */
export type NodeCompiler = (n: Node, ins: readonly number[], outs: readonly number[], ctx: CompileContext) => Step | null;

/** Runs a block's steps; an error names the node that raised it (Note [error frames]). */
export function runBlock(b: CompiledBlock, r: Regs, env: RunEnv): void {
  const steps = b.steps;
  let i = 0;
  try {
    for (; i < steps.length; i++) steps[i]!(r, env);
  } catch (e) {
    throw wrapNodeError(e, b.nodes[i]!);
  }
}
