/**
 * The article's seed modules as a notebook cell defines them (sections 2–4): the gate, the cell
 * holding it, and the RNN loop holding a traced cell with a scripted gate. Shared by the tests
 * that script, mix, save and tour them.
 */
export const SEED_CELL = `
class MyDecisionGate extends nn.Module {
  forward(x: Tensor): Tensor {
    if (x.sum().gt(0).item()) {
      return x;
    } else {
      return x.neg();
    }
  }
}

class MyCell_v2 extends nn.Module {
  linear = new nn.Linear(4, 4);
  constructor(public dg: nn.Module) {
    super();
  }
  forward(x: Tensor, h: Tensor): [Tensor, Tensor] {
    const new_h = torch.tanh(this.linear(this.dg(x)).add(h));
    return [new_h, new_h];
  }
}

class MyRNNLoop_TraceScript extends nn.Module {
  cell: nn.Module;
  constructor() {
    super();
    this.cell = torch.jit.trace(new MyCell_v2(torch.jit.script(new MyDecisionGate())), [torch.rand(3, 4), torch.rand(3, 4)]);
  }
  forward(xs: Tensor): [Tensor, Tensor] {
    let h = torch.zeros([3, 4]);
    let y = torch.zeros([3, 4]);
    for (let i = 0; i < xs.size(0); i++) {
      [y, h] = this.cell(xs.select(0, i), h);
    }
    return [y, h];
  }
}
`;
