/**
 * Traced outputs that nest tuples, as an LSTM's `(output, (h, c))`: the top level keeps them
 * nested, a submodule's method returns them flattened (as PyTorch's trace lowering does), and
 * the caller binds every tensor, so nothing computed in the submodule becomes a constant.
 */
import { describe, expect, it } from "vitest";
import { torch, Tensor } from "../../src/index.js";

const { nn } = torch;

class WithLSTM extends nn.Module {
  lstm = new nn.LSTM(4, 5);
  fc = new nn.Linear(5, 2);
  override forward(x: Tensor): Tensor {
    const [out, [h, c]] = this.lstm(x) as [Tensor, [Tensor, Tensor]];
    return this.fc(out).add(h.sum()).add(c.sum());
  }
}

describe("tracing nested tuple outputs", () => {
  it("an LSTM traced alone returns (output, (h, c)) as eager does, from a nested TupleConstruct", () => {
    torch.manual_seed(12);
    const lstm = new nn.LSTM(4, 5);
    const traced = torch.jit.trace(lstm, [torch.randn(6, 2, 4)]);
    const x = torch.randn(6, 2, 4);
    const [o, [h, c]] = traced(x) as [Tensor, [Tensor, Tensor]];
    const [eo, [eh, ec]] = lstm(x) as [Tensor, [Tensor, Tensor]];
    expect(torch.equal(o, eo) && torch.equal(h, eh) && torch.equal(c, ec)).toBe(true);
    const lines = String(traced.graph).trim().split("\n");
    expect(lines.at(-2)).toMatch(/ : \(Float\(6, 2, 5.*, \(Float\(1, 2, 5.*, Float\(1, 2, 5.*\)\) = prim::TupleConstruct\(%\w+, %\w+\)$/);
  });

  it("a module calling an LSTM binds all three tensors of its flattened result, so new inputs flow through h and c", () => {
    torch.manual_seed(13);
    const m = new WithLSTM();
    const traced = torch.jit.trace(m, [torch.randn(6, 2, 4)]);
    const graph = String(traced.graph);
    expect(graph).toMatch(/: \(Tensor, Tensor, Tensor\) = prim::CallMethod\[name="forward"\]\(%lstm, %x\)/);
    expect(graph).toMatch(/= prim::TupleUnpack\(/);
    expect(graph).not.toMatch(/prim::Constant\[value=\(1,\.,\.\)/); // no state frozen into the graph
    const x = torch.randn(6, 2, 4);
    expect(torch.allclose(traced(x) as Tensor, m(x))).toBe(true);
    const lstmGraph = String((traced as unknown as { lstm: { graph: unknown } }).lstm.graph);
    expect(lstmGraph.trim().split("\n").at(-2)).toMatch(/= prim::TupleConstruct\(%\w+, %\w+, %\w+\)$/);
  });
});
