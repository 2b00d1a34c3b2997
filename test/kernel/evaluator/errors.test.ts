// Errors point at cell lines; nothing a cell throws or forgets to await takes the kernel down;
// interrupts stop a pending await and keep what ran before.

import { afterAll, describe, expect, it } from "vitest";
import { newSession, plain } from "./support.js";

// The test runner's own handler, there before the evaluator adds its one.
const runnerRejectionHandlers = process.listeners("unhandledRejection");
const session = newSession();
afterAll(() => session.evaluator.shutdown(false));

function errorOf(outcome: Awaited<ReturnType<typeof session.run>>["outcome"]) {
  if (outcome.status !== "error") throw new Error(`expected an error, got ${JSON.stringify(outcome)}`);
  return { ...outcome, text: plain(outcome.traceback) };
}

/** Frames the user should never see: the evaluator, Node's internals, the test runner. */
function expectNoKernelFrames(text: string): void {
  expect(text).not.toMatch(/src\/kernel|node:internal|node:vm|vitest|runInThisContext|tsjit-cell-/);
}

describe("runtime errors", () => {
  it("name the cell and line of every frame, across cells, in TypeScript positions", async () => {
    const definedIn = session.nextCount;
    await session.run("// helpers\nfunction explode(n: number): never {\n  throw new RangeError(`bad ${n}`)\n}");
    const calledIn = session.nextCount;
    const error = errorOf((await session.run("const ok = 1\nexplode(ok)")).outcome);
    expect(error.ename).toBe("RangeError");
    expect(error.evalue).toBe("bad 1");
    expect(error.text).toContain(`at explode (<cell ${definedIn}>:3:9)`);
    expect(error.text).toContain(`at <cell ${calledIn}>:2:1`);
    expect(error.text).toContain(`Cell In[${definedIn}], line 3, in explode`);
    expectNoKernelFrames(error.text);
  });

  it("map columns through the transform and TypeScript's emit", async () => {
    // line 3 holds types (the emit runs) and a rewritten declaration before the failing call
    const count = session.nextCount;
    const error = errorOf((await session.run("enum Mode { A }\nconst m: Mode = Mode.A\nconst bad: number = (null as unknown as { f(): number }).f()")).outcome);
    expect(error.ename).toBe("TypeError");
    expect(error.text).toContain(`<cell ${count}>:3:`);
    const column = Number(new RegExp(`<cell ${count}>:3:(\\d+)`).exec(error.text)?.[1]);
    expect(column).toBe("const bad: number = (null as unknown as { f(): number }).".length + 1); // the `f` V8 points at
    expectNoKernelFrames(error.text);
  });

  it("after an await, still in the cell's lines", async () => {
    const count = session.nextCount;
    const error = errorOf((await session.run("await Promise.resolve()\n\nthrow new Error('after await')")).outcome);
    expect(error.evalue).toBe("after await");
    expect(error.text).toContain(`<cell ${count}>:3:7`);
    expectNoKernelFrames(error.text);
  });

  it("a thrown non-Error is reported and the kernel goes on", async () => {
    const error = errorOf((await session.run("throw { code: 42 }")).outcome);
    expect(error.ename).toBe("Uncaught");
    expect(error.evalue).toBe("{ code: 42 }");
    expect(errorOf((await session.run("throw 'just a string'")).outcome).evalue).toBe("'just a string'");
    expect(await session.value("'still alive'")).toBe("'still alive'");
  });

  it("bindings made before the failing statement survive", async () => {
    await session.run("const beforeFailure = 'kept'\nthrow new Error('stop')\nconst afterFailure = 1");
    expect(await session.value("[beforeFailure, typeof afterFailure]")).toBe("[ 'kept', 'undefined' ]");
  });
});

describe("syntax errors", () => {
  it("say line and column in the cell", async () => {
    const count = session.nextCount;
    const error = errorOf((await session.run("const fine = 1\nconst broken = ;")).outcome);
    expect(error.ename).toBe("SyntaxError");
    expect(error.evalue).toBe("Expression expected. (2:16)");
    expect(error.text).toContain(`at <cell ${count}>:2:16`);
    expect(error.text).toContain(`Cell In[${count}], line 2`);
    expect(await session.value("typeof fine")).toBe("'undefined'"); // nothing of the cell ran
  });
});

describe("promises nobody awaited", () => {
  it("are reported on stderr of the latest cell and the kernel lives", async () => {
    // The test runner fails on any unhandled rejection it sees: stand aside while the kernel's handler works.
    const runnerHandlers = runnerRejectionHandlers;
    for (const h of runnerHandlers) process.off("unhandledRejection", h);
    try {
      const count = session.nextCount;
      const { outcome, sink } = await session.run("Promise.reject(new Error('nobody awaited me'))\n'returned'");
      expect(outcome.status).toBe("ok");
      await new Promise((r) => setTimeout(r, 30));
      const stderr = sink.text("stderr");
      expect(stderr).toContain("Uncaught (in promise) Error: nobody awaited me");
      expect(stderr).toContain(`<cell ${count}>:1:`);
    } finally {
      for (const h of runnerHandlers) process.on("unhandledRejection", h);
    }
    expect(await session.value("1 + 1")).toBe("2");
  });
});

describe("interrupt", () => {
  it("cancels a pending await and keeps the bindings made before it", async () => {
    const running = session.run("const early = 'made'\nawait new Promise(() => {})\nconst never = 'not made'");
    await new Promise((r) => setTimeout(r, 20));
    session.evaluator.interrupt();
    const error = errorOf((await running).outcome);
    expect(error.ename).toBe("KeyboardInterrupt");
    expect(await session.value("[early, typeof never]")).toBe("[ 'made', 'undefined' ]");
  });

  it("cancels an await inside an expression; a cell awaiting nothing is unaffected", async () => {
    const running = session.run("const got = await new Promise<number>(() => {}) + 1");
    await new Promise((r) => setTimeout(r, 20));
    session.evaluator.interrupt();
    expect(errorOf((await running).outcome).ename).toBe("KeyboardInterrupt");
    session.evaluator.interrupt(); // idle: nothing to stop
    expect(await session.value("await Promise.resolve('next cell runs')")).toBe("'next cell runs'");
  });
});
