// TsEvaluator running real cells: bindings across cells, top-level await, results, output.

import { afterAll, describe, expect, it } from "vitest";
import { newSession, RecordingSink } from "./support.js";

const session = newSession();
afterAll(() => session.evaluator.shutdown(false));

describe("top-level bindings", () => {
  it("persist across cells: let, const, var, function, class, enum, namespace", async () => {
    await session.run(
      [
        "let counter: number = 1",
        "const base = 10",
        "var legacy = 'v'",
        "function addBase(n: number): number { return n + base }",
        "class Box<T> { constructor(readonly value: T) {} }",
        "enum Color { Red, Green }",
        "namespace Geometry { export const unit = 2 }",
        "interface Shape { area(): number }",
        "type Alias = Shape",
      ].join("\n"),
    );
    expect(await session.value("JSON.stringify([counter, base, legacy, addBase(5), new Box(3).value, Color.Green, Geometry.unit])")).toBe(
      `'[1,10,"v",15,3,1,2]'`,
    );
  });

  it("re-running a declaration replaces it, whatever kind it had", async () => {
    await session.run("const twice = 1");
    await session.run("const twice = 2");
    expect(await session.value("twice")).toBe("2");
    await session.run("function twice2() { return 'old' }\nconst caller = () => twice2()");
    await session.run("function twice2() { return 'new' }");
    // a function of an earlier cell calls the current definition, as in IPython
    expect(await session.value("caller()")).toBe("'new'");
    await session.run("class Twice { kind = 'class' }");
    expect(await session.value("new Twice().kind")).toBe("'class'");
  });

  it("destructuring declarations persist every name", async () => {
    await session.run("const { p, q: [r1, , r3], ...rest } = { p: 1, q: [2, 3, 4], s: 5, t: 6 }\nlet [first = 7, ...others] = [undefined, 8, 9]");
    expect(await session.value("[p, r1, r3, rest, first, others]")).toBe("[ 1, 2, 4, { s: 5, t: 6 }, 7, [ 8, 9 ] ]");
  });

  it("functions keep their names; declarations without a value are undefined", async () => {
    await session.run("const arrow = (x: number) => x\nconst Klass = class {}\nlet empty: string");
    expect(await session.value("[arrow.name, Klass.name, empty]")).toBe("[ 'arrow', 'Klass', undefined ]");
  });

  it("top-level await, including in a declaration", async () => {
    const value = await session.value("const later = await new Promise<number>((r) => setTimeout(() => r(41), 5)) + 1\nlater");
    expect(value).toBe("42");
    expect(await session.value("later")).toBe("42");
  });

  it("for await and await inside blocks make the cell async", async () => {
    const value = await session.value(
      "let total = 0\nasync function* gen() { yield 1; yield 2 }\nfor await (const v of gen()) total += v\nif (total > 0) { total += await Promise.resolve(10) }\ntotal",
    );
    expect(value).toBe("13");
  });
});

describe("the result", () => {
  it("is the last expression statement's value", async () => {
    expect(await session.value("1 + 1")).toBe("2");
    expect(await session.value("const s = 'text'\ns")).toBe("'text'");
    expect(await session.value("({ a: 1 })")).toBe("{ a: 1 }");
  });

  it("is absent for undefined, a declaration, or a silent request", async () => {
    expect(await session.value("undefined")).toBeUndefined();
    expect(await session.value("void 0")).toBeUndefined();
    expect(await session.value("1\nconst afterwards = 2")).toBeUndefined();
    expect(await session.value("function declaredLast() {}")).toBeUndefined();
    const { outcome } = await session.run("5", { silent: true, storeHistory: false });
    expect(outcome).toEqual({ status: "ok" });
  });

  it("of a tensor is its PyTorch repr with an HTML table", async () => {
    const { outcome } = await session.run("torch.ones(2, 2)");
    expect(outcome.status).toBe("ok");
    if (outcome.status !== "ok") return;
    expect(outcome.result?.data["text/plain"]).toBe("tensor([[1., 1.],\n        [1., 1.]])");
    expect(outcome.result?.data["text/html"]).toContain("<table");
  });
});

describe("globals", () => {
  it("torch, nn, F and Tensor are there without an import, and are the library's", async () => {
    expect(await session.value("[typeof torch.ones, typeof nn.Linear, typeof F.relu, torch.ones(1) instanceof Tensor]")).toBe(
      "[ 'function', 'function', 'function', true ]",
    );
    expect(await session.value("import { torch as imported, Tensor as T2 } from 'tsjit'\n[imported === torch, T2 === Tensor]")).toBe(
      "[ true, true ]",
    );
  });

  it("display() sends display_data to the cell's sink", async () => {
    const { sink } = await session.run("display.html('<b>hi</b>')");
    const shown = sink.events.find((e) => e.type === "display_data");
    expect(shown?.type === "display_data" && shown.data["text/html"]).toBe("<b>hi</b>");
  });

  it("comms: a target a cell registers answers the frontend's comm_open", async () => {
    await session.run("comms.registerTarget('echo', (comm) => comm.onMsg((m) => comm.send({ echo: m.data['value'] ?? null })))");
    const sink = new RecordingSink();
    const base = { commId: "c1", metadata: {}, buffers: [] };
    await session.evaluator.comm({ type: "comm_open", targetName: "echo", data: {}, ...base }, sink);
    await session.evaluator.comm({ type: "comm_msg", data: { value: 7 }, ...base }, sink);
    expect(sink.events).toEqual([{ type: "comm_msg", commId: "c1", data: { echo: 7 } }]);
    expect(await session.evaluator.commInfo("echo")).toEqual({ c1: { target_name: "echo" } });
  });

  it("prompt() asks the frontend through the sink's synchronous input", async () => {
    const sink = new RecordingSink(["Ada"]);
    const { outcome } = await session.run("const who = prompt('name?');\n`hello ${who}`", { sink });
    expect(outcome).toMatchObject({ status: "ok", result: { data: { "text/plain": "'hello Ada'" } } });
    expect(sink.prompts).toEqual(["name?"]);
    const refused = await session.run("prompt('again?')", { allowStdin: false });
    expect(refused.outcome.status === "error" && refused.outcome.ename).toBe("StdinNotImplementedError");
  });
});

describe("output", () => {
  it("console and process.stdout/stderr go to the sink in order", async () => {
    const { sink } = await session.run("console.log('a', { b: 1 })\nprocess.stdout.write('c\\n')\nconsole.error('d')\nprocess.stderr.write(new TextEncoder().encode('e\\n'))");
    const streams = sink.events.flatMap((e) => (e.type === "stream" ? [`${e.name}:${e.text}`] : []));
    expect(streams).toEqual(["stdout:a { b: 1 }\n", "stdout:c\n", "stderr:d\n", "stderr:e\n"]);
  });

  it("20,000 console.log lines all arrive, in order", async () => {
    const { sink } = await session.run("for (let i = 0; i < 20000; i++) console.log(`line ${i}`)");
    const lines = sink.text("stdout").split("\n").filter((l) => l !== "");
    expect(lines.length).toBe(20000);
    expect(lines.every((l, i) => l === `line ${i}`)).toBe(true);
  });

  it("output after a cell finished goes to the latest execution", async () => {
    await session.run("setTimeout(() => console.log('late'), 30)");
    const next = await session.run("1");
    await new Promise((r) => setTimeout(r, 80));
    expect(next.sink.text("stdout")).toBe("late\n");
  });
});

describe("execute options", () => {
  it("user_expressions: each one's bundle or error, after the cell", async () => {
    const { outcome } = await session.run("const ue = 20", { userExpressions: { sum: "ue + 1", broken: "notDefinedAnywhere.x" } });
    expect(outcome.status).toBe("ok");
    if (outcome.status !== "ok") return;
    expect(outcome.userExpressions?.["sum"]).toEqual({ status: "ok", data: { "text/plain": "21" }, metadata: {} });
    const broken = outcome.userExpressions?.["broken"];
    expect(broken?.status === "error" && broken.ename).toBe("ReferenceError");
  });
});
