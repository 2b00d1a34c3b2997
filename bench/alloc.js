// Bytes allocated per call of the article loop (eager, compiled with grad, compiled under no_grad),
// printed as JSON for bench/run.js. Run with a young generation large enough that no collection
// happens while measuring (bench/run.js passes --max-semi-space-size and --expose-gc): then the
// growth of V8's used heap plus external (typed array) memory over N calls is what they allocated.
// A collection during the window would hide allocations, so it is detected and reported as null.
import v8 from "node:v8";
import { torch } from "../dist/index.js";

const { nn } = torch;

class Gate extends nn.Module {
  forward(x) {
    if (x.sum().gt(0).item()) {
      return x;
    } else {
      return x.neg();
    }
  }
}
class Cell extends nn.Module {
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
class Loop extends nn.Module {
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

function bytesPerCall(fn, calls = 20) {
  for (let i = 0; i < 30; i++) fn();
  globalThis.gc();
  const profiler = new v8.GCProfiler();
  const keep = [];
  const before = v8.getHeapStatistics();
  profiler.start();
  for (let i = 0; i < calls; i++) keep.push(fn());
  const gcs = profiler.stop().statistics.length;
  const after = v8.getHeapStatistics();
  if (gcs > 0) return null;
  const grown = after.used_heap_size - before.used_heap_size + (after.external_memory - before.external_memory);
  return grown / calls;
}

torch.manual_seed(0);
const eager = new Loop(new Cell(new Gate()));
const scripted = torch.jit.script(new Loop(torch.jit.trace(new Cell(torch.jit.script(new Gate())), [torch.rand(3, 4), torch.rand(3, 4)])));
const xs = torch.randn(100, 3, 4);
console.log(JSON.stringify({
  alloc_eager: bytesPerCall(() => eager(xs)),
  alloc_script_grad: bytesPerCall(() => scripted(xs)),
  alloc_script_nograd: torch.no_grad(() => bytesPerCall(() => scripted(xs))),
}));
