// The tsjit kernel under Debian's jupyter_client 7.4: installed with install.js, launched from its
// kernelspec by KernelManager, driven by BlockingKernelClient (drivers/jupyter_client_session.py).

import { readFileSync } from "node:fs";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { driver, hasJupyterClient, installTempKernel, runPython, type KernelInstall } from "./support.js";

interface Message {
  msg_type: string;
  content: Record<string, unknown> & { data?: Record<string, unknown> };
}
interface Run {
  reply: Record<string, unknown>;
  iopub: Message[];
}
type Step<T> = T | { error: string };
type Session = {
  kernel_info: Step<Record<string, unknown> & { language_info: Record<string, unknown> }>;
  one_plus_one: Step<Run>;
  define: Step<Run>;
  use: Step<Run>;
  stdout: Step<Run>;
  error: Step<Run>;
  non_error: Step<Run>;
  stray_rejection: Step<Run>;
  stderr_flood: Step<Run>;
  complete: Step<{ status: string; matches: string[]; cursor_start: number; cursor_end: number }>;
  is_complete: Step<{ status: string; indent?: string }>;
  history: Step<{ status: string; history: Array<[number, number, string]> }>;
  interrupt: Step<{ reply: Record<string, unknown>; after: Run }>;
  restart: Step<{ old_exit_code: number | null; info: string; kept_after_restart: Run; history_after_restart: string[] }>;
  shutdown: Step<{ exit_code: number | null; alive: boolean }>;
};

/** A step's value, or a test failure showing the Python traceback. */
function ok<T>(step: Step<T> | undefined): T {
  if (step === undefined) throw new Error("the driver did not record this step");
  if (typeof step === "object" && step !== null && "error" in step && typeof step.error === "string") throw new Error(`driver step failed:\n${step.error}`);
  return step as T;
}

const plainResult = (run: Run): unknown => run.iopub.find((m) => m.msg_type === "execute_result")?.content.data?.["text/plain"];

describe.skipIf(!hasJupyterClient())("jupyter_client 7.4 (KernelManager + BlockingKernelClient)", () => {
  let install: KernelInstall;
  let session: Session;

  beforeAll(async () => {
    install = installTempKernel();
    session = await runPython<Session>(driver("jupyter_client_session.py"), [], install.env, install.dir, 150_000);
  }, 160_000);

  afterAll(() => install?.cleanup());

  it("reads the kernelspec install.js wrote", () => {
    expect(install.kernelJson).toMatchObject({ display_name: "TypeScript (tsjit)", language: "typescript", interrupt_mode: "message" });
  });

  it("kernel_info: protocol 5.3, the real TypeScript version, TypeScript highlighting, help links", () => {
    const info = ok(session.kernel_info);
    const version = (JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string }).version;
    expect(info).toMatchObject({ status: "ok", protocol_version: "5.3", implementation: "tsjit", implementation_version: version });
    expect(info.language_info).toMatchObject({ name: "typescript", version: ts.version, mimetype: "text/typescript", file_extension: ".ts", pygments_lexer: "typescript", codemirror_mode: "typescript" });
    expect((info["help_links"] as Array<{ url: string }>).map((l) => l.url)).toEqual(expect.arrayContaining([expect.stringContaining("typescriptlang.org"), expect.stringContaining("pytorch.org/docs/1.13/jit")]));
    expect(info["banner"]).toContain(ts.version);
  });

  it("executes 1+1: execute_input, execute_result 2, reply ok with its execution_count", () => {
    const run = ok(session.one_plus_one);
    expect(run.reply).toMatchObject({ status: "ok", execution_count: 1 });
    expect(run.iopub.map((m) => m.msg_type)).toEqual(["status", "execute_input", "execute_result", "status"]);
    expect(plainResult(run)).toBe("2");
    expect(run.iopub.find((m) => m.msg_type === "execute_result")?.content["execution_count"]).toBe(1);
  });

  it("keeps a top-level binding across cells", () => {
    expect(ok(session.define).reply["status"]).toBe("ok");
    const use = ok(session.use);
    expect(plainResult(use)).toBe("42");
    expect(use.reply["execution_count"]).toBe(3);
  });

  it("sends console.log to stdout", () => {
    const run = ok(session.stdout);
    const text = run.iopub.filter((m) => m.msg_type === "stream" && m.content["name"] === "stdout").map((m) => m.content["text"]).join("");
    expect(text).toBe("hello from tsjit\n");
  });

  it("reports a thrown error with ename, evalue and a traceback", () => {
    const run = ok(session.error);
    expect(run.reply).toMatchObject({ status: "error", ename: "RangeError", evalue: "bad value 1" });
    const error = run.iopub.find((m) => m.msg_type === "error");
    expect(error?.content).toMatchObject({ ename: "RangeError", evalue: "bad value 1" });
    const traceback = error?.content["traceback"] as string[];
    expect(traceback.length).toBeGreaterThan(0);
    expect(traceback.join("\n")).toContain("bad value 1");
  });

  it("reports a thrown non-Error value", () => {
    const run = ok(session.non_error);
    expect(run.reply["status"]).toBe("error");
    expect(String(run.reply["evalue"])).toContain("42");
  });

  it("reports a promise rejected and never awaited on stderr, and carries on", () => {
    const run = ok(session.stray_rejection);
    expect(plainResult(run)).toBe("'after'");
    const stderr = run.iopub.filter((m) => m.msg_type === "stream" && m.content["name"] === "stderr").map((m) => m.content["text"]).join("");
    expect(stderr).toContain("dropped on purpose");
  });

  it("delivers a flood of stderr lines, all of them, in order", () => {
    const run = ok(session.stderr_flood);
    const stderr = run.iopub.filter((m) => m.msg_type === "stream" && m.content["name"] === "stderr").map((m) => m.content["text"]).join("");
    expect(stderr).toBe(Array.from({ length: 5000 }, (_, i) => `line ${i}\n`).join(""));
    expect(run.reply["status"]).toBe("ok");
  });

  it("completes Math. with its members", () => {
    const reply = ok(session.complete);
    expect(reply.status).toBe("ok");
    const completed = reply.matches.map((m) => "Math.".slice(0, reply.cursor_start) + m + "Math.".slice(reply.cursor_end));
    expect(completed).toEqual(expect.arrayContaining(["Math.abs", "Math.max", "Math.PI"]));
  });

  it("says an open function body is incomplete", () => {
    expect(ok(session.is_complete).status).toBe("incomplete");
  });

  it("returns the session's history", () => {
    const reply = ok(session.history);
    expect(reply.status).toBe("ok");
    const inputs = reply.history.map((entry) => entry[2]);
    expect(inputs).toEqual(expect.arrayContaining(["1+1", "const kept = 41", "kept + 1"]));
  });

  it("interrupts while (true) {} by interrupt_request; the next cell runs and bindings survive", () => {
    const { reply, after } = ok(session.interrupt);
    expect(reply).toMatchObject({ status: "error", ename: "KeyboardInterrupt" });
    expect(after.reply["status"]).toBe("ok");
    expect(plainResult(after)).toBe("41");
  });

  it("restarts: the old process exits 0, the new one answers with a fresh namespace", () => {
    const restart = ok(session.restart);
    expect(restart.old_exit_code).toBe(0);
    expect(restart.info).toBe("ok");
    // The new process has never seen `kept`: the checker (or, unchecked, JavaScript) says so.
    expect(restart.kept_after_restart.reply).toMatchObject({ status: "error", evalue: expect.stringContaining("kept") });
  });

  it("keeps the history across the restart (a file under JUPYTER_DATA_DIR)", () => {
    expect(ok(session.restart).history_after_restart).toEqual(expect.arrayContaining(["1+1", "const kept = 41"]));
  });

  it("shuts down cleanly: the process exits 0 on shutdown_request", () => {
    expect(ok(session.shutdown)).toEqual({ exit_code: 0, alive: false });
  });
});
