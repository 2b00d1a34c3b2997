/** The seed article's modules, written in TypeScript as a notebook user would write them. */
import { torch } from "../../src/index.js";

type Tensor = torch.Tensor;
const { nn } = torch;

export class MyCell_v1 extends nn.Module {
  linear = new nn.Linear(4, 4);
  override forward(x: Tensor, h: Tensor): [Tensor, Tensor] {
    const new_h = torch.tanh(this.linear(x).add(h));
    return [new_h, new_h];
  }
}

export class MyDecisionGate extends nn.Module {
  override forward(x: Tensor): Tensor {
    if (x.sum().gt(0).item()) {
      return x;
    } else {
      return x.neg();
    }
  }
}

export class MyCell_v2 extends nn.Module {
  linear = new nn.Linear(4, 4);
  constructor(public dg: torch.nn.Module) {
    super();
  }
  override forward(x: Tensor, h: Tensor): [Tensor, Tensor] {
    const new_h = torch.tanh(this.linear(this.dg(x)).add(h));
    return [new_h, new_h];
  }
}
