// The seed article's modules as plain JavaScript, shared by bench/run.js and bench/alloc.js:
// the gate, the cell holding it and a Linear(4, 4), and the 100-step loop over a cell.
// Written so torch.jit.script compiles them from their toString() (parameters are Tensors).
import { torch } from "../dist/index.js";

const { nn } = torch;

export class Gate extends nn.Module {
  forward(x) {
    if (x.sum().gt(0).item()) {
      return x;
    } else {
      return x.neg();
    }
  }
}

export class Cell extends nn.Module {
  constructor(dg) {
    super();
    this.dg = dg;
    this.linear = new nn.Linear(4, 4);
  }
  forward(x, h) {
    const new_h = torch.tanh(this.linear(this.dg(x)).add(h));
    return [new_h, new_h];
  }
}

export class Loop extends nn.Module {
  constructor(cell) {
    super();
    this.cell = cell;
  }
  forward(xs) {
    let h = torch.zeros([3, 4]);
    let y = torch.zeros([3, 4]);
    for (let i = 0; i < xs.size(0); i++) {
      [y, h] = this.cell(xs.select(0, i), h);
    }
    return [y, h];
  }
}

/** The article's compiled loop: script of a loop over a traced cell holding a scripted gate. */
export function scriptedSeedLoop() {
  const cell = torch.jit.trace(new Cell(torch.jit.script(new Gate())), [torch.rand(3, 4), torch.rand(3, 4)]);
  return torch.jit.script(new Loop(cell));
}

/** The same loop eagerly, nothing compiled. */
export function eagerSeedLoop() {
  return new Loop(new Cell(new Gate()));
}
