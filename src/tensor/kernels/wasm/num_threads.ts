/**
 * torch.set_num_threads / torch.get_num_threads: how many threads an intra-op kernel may use
 * (today the float32 WASM GEMM, wasm_matmul_threaded.ts; every other kernel is one-threaded).
 *
 * Note [default thread count]: PyTorch starts with one thread per physical core, or
 * OMP_NUM_THREADS when that is set. tsjit honours OMP_NUM_THREADS too, but otherwise starts at
 * one thread, not os.availableParallelism():
 *   - issue #8 asks for worker threads as an option, on top of a fast one-thread kernel;
 *   - a worker here is a whole V8 isolate (megabytes, tens of ms to start), not a pthread, and
 *     a notebook kernel often shares its machine: on the development machine (2 cores, load
 *     average 4-7 from other jobs) two threads measured no faster than one and cost 6-13%
 *     more CPU (Note [threaded speed] in wasm_matmul_threaded.ts);
 *   - bench/run.js compares one-thread figures with PyTorch run on one thread, and results do
 *     not depend on the count (wasm_matmul_threaded.ts, Note [threaded bit-identity]), so
 *     nothing but speed is lost by starting at one.
 * `torch.set_num_threads(n)` (as in PyTorch) or OMP_NUM_THREADS=n opts in.
 */
import { RuntimeError } from "../../../util/errors.js";

function defaultNumThreads(): number {
  const fromEnv = Number.parseInt(process.env.OMP_NUM_THREADS ?? "", 10);
  return Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : 1;
}

let numThreads = defaultNumThreads();

/**
 * Sets the number of threads used for intra-op parallelism, as PyTorch's does.
 *
 * @example
 * torch.set_num_threads(2);
 * torch.mm(torch.randn(512, 512), torch.randn(512, 512)); // on two threads
 */
export function set_num_threads(n: number): void {
  // PyTorch 1.13's messages, checked against torch.set_num_threads(0) and (1.5)
  if (typeof n !== "number" || !Number.isInteger(n)) {
    throw new RuntimeError(`set_num_threads expects an int, but got ${typeof n === "number" ? "float" : typeof n}`);
  }
  if (n <= 0) throw new RuntimeError("set_num_threads expects a positive integer");
  numThreads = n;
}

/** The number of threads used for intra-op parallelism (Note [default thread count]). */
export function get_num_threads(): number {
  return numThreads;
}
