/**
 * %timeit and %time, as IPython runs them (IPython/core/magics/execution.py).
 *
 * Note [sync stays sync]: a synchronous body is timed in a plain loop with no `await`, so the
 * whole magic runs inside the cell's synchronous execution, where vm's breakOnSigint can stop
 * it. A body that returns a promise (an `async` thunk, when the statement awaits) switches to
 * an awaited loop from that call on, and every later call is awaited too.
 */
import { formatFixed } from "../../tensor/print.js";
import { TimeitResult, formatTime } from "./time_format.js";
import { UsageError, intOption, parseOptions } from "./options.js";
import { andThen, isThenable, namedError, now, type MagicsHost, type Maybe } from "./host.js";


/** Makes the timed body for one run; running it is the untimed setup (`%%timeit setup`). */
export type BodyFactory = () => Maybe<() => unknown>;

export interface TimingState {
  /** Set by an interrupt: awaited loops stop at their next iteration. */
  interrupted: boolean;
  /** Seconds on a monotonic clock (Python's perf_counter); tests pass a clock they drive. */
  clock: () => number;
}

/** IPython's defaults: 7 runs, 3 significant digits, and a run lasting at least 0.2 s. */
const DEFAULT_REPEAT = 7;
const DEFAULT_PRECISION = 3;
const MIN_RUN_SECONDS = 0.2;
/** Past this projected remaining time, %timeit says on stderr how long it will take. */
const PROGRESS_NOTE_SECONDS = 2;

function interruptedError(): Error {
  return namedError("KeyboardInterrupt", "%timeit interrupted");
}

/** The total time of `number` calls of a body made by `factory` (IPython's `inner`). */
function timeRun(factory: BodyFactory, number: number, state: TimingState): Maybe<number> {
  return andThen(factory(), (body) => {
    const t0 = state.clock();
    for (let i = 0; i < number; i++) {
      const r = body();
      if (isThenable(r)) return finishAwaited(body, r, i + 1, number, t0, state);
    }
    return state.clock() - t0;
  });
}

async function finishAwaited(body: () => unknown, pending: PromiseLike<unknown>, done: number, number: number, t0: number, state: TimingState): Promise<number> {
  await pending;
  for (let i = done; i < number; i++) {
    if (state.interrupted) throw interruptedError();
    await body();
  }
  return state.clock() - t0;
}

/**
 * Runs a generator that yields values or promises, synchronously while it can: the result is
 * a promise only once something asynchronous happened (Note [sync stays sync]).
 */
function drive<T>(gen: Generator<Maybe<number>, T, number>): Maybe<T> {
  let step = gen.next(0);
  while (!step.done) {
    const v = step.value;
    if (isThenable(v)) return driveAsync(gen, v);
    step = gen.next(v);
  }
  return step.value;
}

async function driveAsync<T>(gen: Generator<Maybe<number>, T, number>, pending: Promise<number>): Promise<T> {
  let step = gen.next(await pending);
  while (!step.done) step = gen.next(await step.value);
  return step.value;
}

interface TimeitOptions {
  number: number;
  repeat: number;
  precision: number;
  quiet: boolean;
  returnResult: boolean;
}

function timeitOptions(optionText: string): TimeitOptions {
  const parsed = parseOptions(optionText, "n:r:tcp:qo", "timeit");
  if (parsed.rest.trim() !== "") throw new UsageError(`%timeit: unexpected '${parsed.rest.trim()}' among the options`);
  const repeat = intOption(parsed, "r", DEFAULT_REPEAT, "timeit");
  if (repeat < 1) throw new UsageError("%timeit -r must be at least 1");
  return {
    number: intOption(parsed, "n", 0, "timeit"), // 0: choose automatically
    repeat,
    precision: intOption(parsed, "p", DEFAULT_PRECISION, "timeit"),
    quiet: parsed.opts.has("q"),
    returnResult: parsed.opts.has("o"),
  };
}

function* timeitSteps(factory: BodyFactory, o: TimeitOptions, host: MagicsHost, state: TimingState): Generator<Maybe<number>, TimeitResult, number> {
  let number = o.number;
  if (number === 0) {
    // IPython: the first power of ten whose run lasts at least 0.2 s.
    for (let index = 0; index < 10; index++) {
      number = 10 ** index;
      if ((yield timeRun(factory, number, state)) >= MIN_RUN_SECONDS) break;
    }
  }
  const allRuns: number[] = [];
  const started = state.clock();
  let noted = o.quiet;
  for (let r = 0; r < o.repeat; r++) {
    if (state.interrupted) throw interruptedError();
    allRuns.push(yield timeRun(factory, number, state));
    const remaining = ((state.clock() - started) / (r + 1)) * (o.repeat - r - 1);
    if (!noted && remaining > PROGRESS_NOTE_SECONDS) {
      host.stderr(`%timeit: ${o.repeat} runs of ${number} loop${number === 1 ? "" : "s"}; about ${formatTime(remaining, 2)} left\n`);
      noted = true;
    }
  }
  const best = Math.min(...allRuns) / number;
  const worst = Math.max(...allRuns) / number;
  return new TimeitResult(number, o.repeat, best, worst, allRuns, 0, o.precision);
}

function report(result: TimeitResult, o: TimeitOptions, host: MagicsHost): TimeitResult | undefined {
  if (!o.quiet) {
    const { best, worst } = result;
    if (worst > 4 * best && best > 0 && worst > 1e-6) {
      host.stdout(`The slowest run took ${formatFixed(worst / best, 2)} times longer than the fastest. This could mean that an intermediate result is being cached.\n`);
    }
    host.stdout(`${result.toString()}\n`);
  }
  return o.returnResult ? result : undefined;
}

/** %timeit / %%timeit: prints IPython's line; with -o returns the TimeitResult. */
export function timeit(optionText: string, factory: BodyFactory, host: MagicsHost, state: TimingState): Maybe<TimeitResult | undefined> {
  const o = timeitOptions(optionText);
  state.interrupted = false;
  return andThen(drive(timeitSteps(factory, o, host, state)), (result) => report(result, o, host));
}

/** The start of a %time measurement. */
export interface TimeMark {
  cpu: NodeJS.CpuUsage;
  wall: number;
}

export function timeMark(): TimeMark {
  return { cpu: process.cpuUsage(), wall: now() };
}

/** IPython's %time report: CPU user/sys/total and wall time since `mark`. */
export function timeReport(mark: TimeMark): string {
  const cpu = process.cpuUsage(mark.cpu);
  const user = cpu.user / 1e6;
  const sys = cpu.system / 1e6;
  const wall = now() - mark.wall;
  return `CPU times: user ${formatTime(user)}, sys: ${formatTime(sys)}, total: ${formatTime(user + sys)}\nWall time: ${formatTime(wall)}\n`;
}

/** %time: runs `body` once, prints the times, returns its value (awaited if it is a promise). */
export function time(body: () => unknown, host: MagicsHost): unknown {
  const mark = timeMark();
  const out = body();
  if (isThenable(out)) {
    return Promise.resolve(out).then((value) => {
      host.stdout(timeReport(mark));
      return value;
    });
  }
  host.stdout(timeReport(mark));
  return out;
}
