/**
 * torch.tensor(data) inside a trace.
 *
 * Note [tensor literals]: PyTorch's torch.tensor builds the tensor with tracing paused, then
 * calls `tensor.to(device, dtype, non_blocking=False, copy=False)` and `detach_()` with tracing
 * on (torch/csrc/utils/tensor_new.cpp: "it is VERY important that we trace the to() call
 * here"), so the trace holds the data as a constant followed by
 * `aten::to(constant, device, dtype, False, False, None)` and `aten::detach`, which `.code`
 * prints as `_0 = torch.to(CONSTANTS.c0, torch.device("cpu"), 6)` / `w = torch.detach(_0)`.
 * A tensor made before the trace (a global, a closure) is different: it becomes a bare
 * constant where an op first takes it (values.ts).
 *
 * `aten::detach` is registered here so the interpreter can run such a graph; it is the op
 * `Tensor.detach` performs (a view that does not require grad).
 */
import { Tensor } from "../../tensor/tensor.js";
import { REGISTRY, defineOp, lookupOverloads, type OpOverload } from "../../tensor/registry.js";
import "../../autograd/tensor_methods.js"; // Tensor.detach

if (!REGISTRY.has("aten::detach")) {
  defineOp<(self: Tensor) => Tensor>("detach", [{
    schema: "aten::detach(Tensor(a) self) -> Tensor(a)",
    composite: true,
    forward: (self: Tensor) => self.detach(),
  }]);
}

/** The calls a traced torch.tensor(...) result is recorded as, in order, each with its arguments. */
export function literalCalls(t: Tensor): { op: OpOverload; args: unknown[] }[] {
  const to = lookupOverloads("aten::to").find((ov) => ov.schema.overload === "device");
  const detach = lookupOverloads("aten::detach")[0];
  if (!to || !detach) throw new Error("tracer: aten::to.device and aten::detach must be registered");
  return [
    { op: to, args: [t, "cpu", t.dtype, false, false, null] },
    { op: detach, args: [t] },
  ];
}
