// Bytes allocated per call of the article loop (eager, compiled with grad, compiled under no_grad),
// printed as JSON for bench/run.js. Run with a young generation large enough that no collection
// happens while measuring (bench/run.js passes --max-semi-space-size and --expose-gc): then the
// growth of V8's used heap plus external (typed array) memory over N calls is what they allocated.
// A collection during the window would hide allocations, so it is detected and reported as null.
import v8 from "node:v8";
import { torch } from "../dist/index.js";
import { eagerSeedLoop, scriptedSeedLoop } from "./seed_modules.js";

function bytesPerCall(fn, calls = 20) {
  for (let i = 0; i < 500; i++) fn(); // past tier-up: optimizing a function allocates too
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
const eager = eagerSeedLoop();
const scripted = scriptedSeedLoop();
const xs = torch.randn(100, 3, 4);
console.log(JSON.stringify({
  alloc_eager: bytesPerCall(() => eager(xs)),
  alloc_script_grad: bytesPerCall(() => scripted(xs)),
  alloc_script_nograd: torch.no_grad(() => bytesPerCall(() => scripted(xs))),
}));
