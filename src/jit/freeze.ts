/**
 * torch.jit.freeze and torch.jit.optimize_for_inference.
 *
 * Freezing clones an eval-mode ScriptModule into one whose `forward` (and any method named in
 * `preserved_attrs`) has every submodule call inlined and every parameter, buffer and plain
 * attribute folded into a constant, so `.code` reads `torch.linear(x, CONSTANTS.c0, CONSTANTS.c1)`
 * as PyTorch's frozen modules do. Attributes a method writes, and those in `preserved_attrs`,
 * stay attributes.
 *
 * @example
 * const frozen = torch.jit.freeze(torch.jit.script(new MLP().eval()));
 * frozen.code // def forward(self, x: Tensor) -> Tensor: _0 = torch.linear(x, CONSTANTS.c0, ...) ...
 */
import { RuntimeError } from "../util/errors.js";
import type { Graph } from "./ir/index.js";
import { ScriptModule, compiledFunctions } from "./script_module.js";
import { constantPropagation } from "./frontend/constant_propagation.js";
import { constantPooling } from "./frontend/constant_pooling.js";
import { eliminateDeadCode } from "./passes/dead_code_elimination.js";
import { inlineModuleCalls } from "./passes/freeze_inline_calls.js";
import { foldAttributes, mutatedAttributes } from "./passes/freeze_attributes.js";
import { removeDropout } from "./passes/freeze_remove_dropout.js";
import { foldConvBatchNorm } from "./passes/freeze_fold_conv_bn.js";
import { decomposeFrozenLinear } from "./passes/freeze_linear_to_matmul.js";

export interface FreezeOptions {
  /** Attributes (paths like "version" or "sub.version") and methods kept as they are. */
  preserved_attrs?: readonly string[];
  /** PyTorch's flag for folds that may change numerics slightly (conv-bn folding). Default true. */
  optimize_numerics?: boolean;
  /** Called with each pass's name and the graph after it (debugging). */
  onPass?: (pass: string, method: string, graph: Graph) => void;
}

/** Modules produced by freeze: optimize_for_inference does not freeze them again. */
const frozenModules = new WeakSet<ScriptModule>();

const NOT_SCRIPT = (api: string) =>
  `${api} expects a ScriptModule as input. Please use torch.jit.script or torch.jit.trace to script your 'nn.Module'.`;

type Pass = { name: string; why: string; run: (g: Graph) => boolean };

/** The passes of freezing, in order, each with the reason it runs. */
function freezePipeline(mod: ScriptModule, preserved: ReadonlySet<string>, mutated: ReadonlySet<string>, numerics: boolean): Pass[] {
  const passes: Pass[] = [
    { name: "inline", why: "the frozen module has no submodules: their methods run inline", run: (g) => inlineModuleCalls(g, mod, compiledFunctions) },
    { name: "fold_attributes", why: "parameters and attributes of an eval-mode module are constants", run: (g) => foldAttributes(g, mod, preserved, mutated) },
    { name: "constant_propagation", why: "`if self.training:` and other tests of folded attributes decide now", run: (g) => (constantPropagation(g), true) },
    { name: "remove_dropout", why: "dropout is the identity in eval mode", run: removeDropout },
    { name: "dead_code_elimination", why: "attribute reads and branches left unused", run: eliminateDeadCode },
  ];
  if (numerics) passes.push({ name: "fold_conv_bn", why: "batch norm of a conv folds into the conv's weight and bias", run: foldConvBatchNorm });
  passes.push({ name: "constant_pooling", why: "equal constants become one, hoisted, as PyTorch prints them", run: (g) => (constantPooling(g), true) });
  return passes;
}

/** Top-level attribute names a graph still reads from self. */
function attributesRead(g: Graph): Set<string> {
  const self = g.inputs[0];
  const names = new Set<string>();
  if (self === undefined) return names;
  for (const use of self.uses) if (use.user.kind === "prim::GetAttr" || use.user.kind === "prim::SetAttr") names.add(use.user.s("name"));
  return names;
}

/** torch.jit.freeze(module, {preserved_attrs}): see the file comment. */
export function freeze(mod: ScriptModule, opts: FreezeOptions = {}): ScriptModule {
  if (!(mod instanceof ScriptModule)) throw new RuntimeError(NOT_SCRIPT("Freezing"));
  if (mod.training) {
    throw new RuntimeError("Freezing is currently only implemented for modules in eval mode. Please call .eval() on your module before freezing.");
  }
  const preserved = new Set(opts.preserved_attrs ?? []);
  const methods = ["forward", ...[...preserved].filter((p) => p !== "forward" && mod.getMethod(p) !== undefined)];
  const graphs = new Map<string, Graph>();
  for (const name of methods) {
    const m = mod.getMethod(name);
    if (m !== undefined) graphs.set(name, m.graph.copy());
  }
  // inline first, so writes made by submodule methods count as writes to their paths
  for (const g of graphs.values()) inlineModuleCalls(g, mod, compiledFunctions);
  const mutated = mutatedAttributes([...graphs.values()]);
  const pipeline = freezePipeline(mod, preserved, mutated, opts.optimize_numerics !== false);
  for (const [name, g] of graphs) {
    for (const pass of pipeline) {
      pass.run(g);
      opts.onPass?.(pass.name, name, g);
    }
  }
  return frozenModule(mod, graphs);
}

/** The frozen clone: the same class name, the optimized methods, and the attributes they still read. */
function frozenModule(mod: ScriptModule, graphs: ReadonlyMap<string, Graph>): ScriptModule {
  const out = new ScriptModule(mod.qualifiedName)._markRecursive();
  out.training = false;
  const kept = new Set<string>();
  for (const g of graphs.values()) for (const a of attributesRead(g)) kept.add(a);
  const target = out as unknown as Record<string, unknown>;
  for (const a of kept) if (a !== "training") target[a] = mod.getAttr(a);
  for (const [name, g] of graphs) out._defineMethod(name, g);
  frozenModules.add(out);
  return out;
}

/**
 * torch.jit.optimize_for_inference(module, other_methods): freezes the module (in eval mode)
 * unless it is frozen already, then applies the CPU rewrites tsjit matches: linear with a
 * constant weight becomes matmul with the transposed weight plus the bias. PyTorch's MKLDNN
 * conversions (prim::mkldnn_convolution, to_mkldnn) and conv-add/mul folding are not applied.
 */
export function optimize_for_inference(mod: ScriptModule, other_methods: readonly string[] = []): ScriptModule {
  if (!(mod instanceof ScriptModule)) throw new RuntimeError(NOT_SCRIPT("optimize_for_inference"));
  let frozen = mod;
  if (!frozenModules.has(mod)) {
    mod.eval();
    frozen = freeze(mod, { preserved_attrs: other_methods });
  }
  for (const name of ["forward", ...other_methods]) {
    const g = frozen.getMethod(name)?.graph;
    if (g === undefined) continue;
    decomposeFrozenLinear(g);
    eliminateDeadCode(g);
  }
  return frozen;
}
