/**
 * Note [operator upgraders]: an op whose meaning changed keeps its old meaning in archives
 * written before the change, as PyTorch 1.13's loader keeps it (operator_upgraders/: the
 * archive's version record is the operator-set version its code was written against). An op
 * node of an archive older than the op's change is replaced by the upgrader's graph, inlined,
 * before the importer's constant propagation (so `dtype is None` on a constant folds, as it
 * does in PyTorch's loaded graph). The upgraders are TorchScript source of our own with
 * PyTorch's semantics, compiled by this importer once per process:
 *
 *   aten::div / aten::div_ (Tensor, Tensor) and (Tensor, int), changed at version 4: before, two
 *     integral operands divided with truncation; a float operand meant true division.
 *   aten::full with an int fill and no dtype, changed at version 5: before, the result was
 *     float (the default dtype), not int64.
 *
 * The ops whose change only added an argument with a default (gelu's `approximate`, version
 * 10) need none here: the importer fills defaults. linspace/logspace without `steps` (optional
 * before versions 8/9, defaulting to 100) are not upgraded yet: such a call fails to load with
 * the missing-argument error. The rounding-mode overloads of div did not change meaning. In
 * place, integral operands write the truncated quotient with copy_ (the registry has no
 * in-place div with a rounding mode; integral tensors record no gradient either way).
 *
 * Given (an archive of version 3):
 *   %r : Tensor = aten::div(%a, %b)
 * Execute: applyUpgraders(graph, 3)
 * Result:
 *   %f : bool = aten::is_floating_point(%a)  ...  %r : Tensor = prim::If(...)  (true or trunc division)
 */
import type { Graph, Node } from "../ir/index.js";
import { inlineGraphAt } from "../passes/inline.js";
import { SourceImporter } from "./source_importer.js";

/** The newest operator version any upgrader here applies below. */
const NEWEST_CHANGE = 5;

const UPGRADER_FILE = `
def div_Tensor_0_3(self: Tensor, other: Tensor) -> Tensor:
  if self.is_floating_point() or other.is_floating_point():
    return torch.div(self, other)
  return torch.div(self, other, rounding_mode="trunc")

def div_Scalar_0_3(self: Tensor, other: int) -> Tensor:
  if self.is_floating_point():
    return torch.div(self, other)
  return torch.div(self, other, rounding_mode="trunc")

def div__Tensor_0_3(self: Tensor, other: Tensor) -> Tensor:
  if self.is_floating_point() or other.is_floating_point():
    return torch.div_(self, other)
  return torch.copy_(self, torch.div(self, other, rounding_mode="trunc"))

def full_0_4(size: List[int], fill_value: int, dtype: Optional[int], layout: Optional[int], device: Optional[Device], pin_memory: Optional[bool]) -> Tensor:
  if dtype is None:
    return torch.full(size, float(fill_value), dtype=dtype, layout=layout, device=device, pin_memory=pin_memory)
  return torch.full(size, fill_value, dtype=dtype, layout=layout, device=device, pin_memory=pin_memory)
`;

interface Upgrader {
  readonly name: string;
  /** The first operator version with the op's current meaning. */
  readonly changedAt: number;
  /** Whether `n` is a call of the overload this upgrader replaces. */
  readonly matches: (n: Node) => boolean;
}

const kind = (n: Node, i: number): string | undefined => n.inputs[i]?.type.kind;

const UPGRADERS: readonly Upgrader[] = [
  { name: "div_Tensor_0_3", changedAt: 4, matches: (n) => n.kind === "aten::div" && n.inputs.length === 2 && kind(n, 1) === "Tensor" },
  { name: "div_Scalar_0_3", changedAt: 4, matches: (n) => n.kind === "aten::div" && n.inputs.length === 2 && kind(n, 1) === "int" },
  { name: "div__Tensor_0_3", changedAt: 4, matches: (n) => n.kind === "aten::div_" && n.inputs.length === 2 && kind(n, 1) === "Tensor" },
  { name: "full_0_4", changedAt: 5, matches: (n) => n.kind === "aten::full" && n.inputs.length === 6 && kind(n, 0) === "List" && kind(n, 1) === "int" },
];

let importer: SourceImporter | null = null;

/** The upgrader's graph, compiled from UPGRADER_FILE on first use. */
function upgraderGraph(name: string): Graph {
  importer ??= new SourceImporter((path) => (path === "__torch__/upgraders.py" ? UPGRADER_FILE : undefined), []);
  const f = importer.loadType(`__torch__.upgraders.${name}`);
  if (f?.kind !== "function") throw new Error(`operator upgrader ${name} is missing`);
  return f.function.graph;
}

/** Replaces op nodes older than their op's meaning by their upgraders (Note [operator upgraders]). */
export function applyUpgraders(g: Graph, operatorVersion: number): void {
  if (operatorVersion >= NEWEST_CHANGE) return;
  const found: [Node, Upgrader][] = [];
  const visit = (nodes: Iterable<Node>): void => {
    for (const n of nodes) {
      for (const b of n.blocks) visit(b.nodes());
      const u = UPGRADERS.find((x) => operatorVersion < x.changedAt && x.matches(n));
      if (u !== undefined) found.push([n, u]);
    }
  };
  visit(g.block.nodes());
  for (const [n, u] of found) inlineGraphAt(g, n, upgraderGraph(u.name));
}
