import { afterEach, describe, expect, it } from "vitest";
import { mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { MagicListing, LINE_MAGICS, CELL_MAGICS } from "../../../src/kernel/magics/index.js";
import { runCell, setup } from "./support.js";

const dirs: string[] = [];
function tempDir(): string {
  const d = realpathSync(mkdtempSync(join(tmpdir(), "tsjit-magics-")));
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("%cd and %pwd", () => {
  it("%pwd returns the notebook's directory; %cd changes it and prints the new one", async () => {
    const start = tempDir();
    const other = tempDir();
    const { host, runtime } = setup({ dir: start });
    const out: { before?: unknown; after?: unknown } = {};
    await runCell(`out.before = %pwd\n%cd ${other}\nout.after = %pwd`, { out }, runtime);
    expect(out.before).toBe(start);
    expect(out.after).toBe(other);
    expect(host.out).toBe(`${other}\n`);
  });

  it("resolves relative paths, goes back with '-', and -q is quiet", async () => {
    const start = tempDir();
    const { host, runtime } = setup({ dir: start });
    await runCell("!mkdir sub\n%cd -q sub\n", {}, runtime);
    expect(host.dir).toBe(join(start, "sub"));
    expect(host.out).toBe("");
    await runCell("%cd -", {}, runtime);
    expect(host.dir).toBe(start);
  });

  it("a missing directory is IPython's error", async () => {
    const { runtime } = setup({ dir: tempDir() });
    await expect(runCell("%cd no-such-dir", {}, runtime)).rejects.toThrow("[Errno 2] No such file or directory: 'no-such-dir'");
  });
});

describe("%env", () => {
  const NAME = "TSJIT_MAGICS_TEST_VAR";
  afterEach(() => {
    delete process.env[NAME];
    delete process.env["TSJIT_MAGICS_TEST_TOKEN"];
  });

  it("%env VAR=value sets and prints; %env VAR reads; %env VAR value sets too", async () => {
    const { host, runtime } = setup();
    const out: { v?: unknown; w?: unknown } = {};
    await runCell(`%env ${NAME}=hello world\nout.v = %env ${NAME}`, { out }, runtime);
    expect(host.out).toBe(`env: ${NAME}=hello world\n`);
    expect(out.v).toBe("hello world");
    await runCell(`%env ${NAME} second\nout.w = %env ${NAME}`, { out }, runtime);
    expect(out.w).toBe("second");
  });

  it("%env lists the environment with secrets hidden", async () => {
    process.env[NAME] = "visible";
    process.env["TSJIT_MAGICS_TEST_TOKEN"] = "s3cret";
    const { runtime } = setup();
    const out: { all?: Record<string, string> } = {};
    await runCell("out.all = %env", { out }, runtime);
    expect(out.all?.[NAME]).toBe("visible");
    expect(out.all?.["TSJIT_MAGICS_TEST_TOKEN"]).toBe("<hidden>");
  });

  it("an unknown key is IPython's UsageError", async () => {
    const { runtime } = setup();
    await expect(runCell(`%env ${NAME}`, {}, runtime)).rejects.toThrow(`Environment does not have key: ${NAME}`);
  });
});

describe("%%writefile", () => {
  it("writes the cell's text verbatim, then overwrites, then appends", async () => {
    const dir = tempDir();
    const { host, runtime } = setup({ dir });
    await runCell("%%writefile notes.txt\nline `one` ${x} \\n\nline two\n", {}, runtime);
    expect(readFileSync(join(dir, "notes.txt"), "utf8")).toBe("line `one` ${x} \\n\nline two\n");
    await runCell("%%writefile notes.txt\nfresh", {}, runtime);
    await runCell("%%writefile -a notes.txt\nmore", {}, runtime);
    expect(readFileSync(join(dir, "notes.txt"), "utf8")).toBe("fresh\nmore\n");
    expect(host.out).toBe("Writing notes.txt\nOverwriting notes.txt\nAppending to notes.txt\n");
  });

  it("accepts a quoted path with spaces", async () => {
    const dir = tempDir();
    const { runtime } = setup({ dir });
    await runCell('%%writefile "my file.ts"\nexport const a = 1;', {}, runtime);
    expect(readFileSync(join(dir, "my file.ts"), "utf8")).toBe("export const a = 1;\n");
  });
});

describe("shell commands", () => {
  it("!cmd streams output and runs in the notebook's directory", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, "marker.txt"), "");
    const { host, runtime } = setup({ dir });
    await runCell("!echo hello\n!ls", {}, runtime);
    expect(host.out).toBe("hello\nmarker.txt\n");
    expect(runtime.exit_code).toBe(0);
  });

  it("reports a non-zero exit status on stderr and keeps it", async () => {
    const { host, runtime } = setup();
    await runCell("!echo oops >&2; exit 3", {}, runtime);
    expect(host.err).toBe("oops\n!echo oops >&2; exit 3 exited with status 3\n");
    expect(runtime.exit_code).toBe(3);
  });

  it("%sx captures the output lines", async () => {
    const { runtime } = setup();
    const out: { lines?: unknown } = {};
    await runCell("out.lines = %sx printf 'a\\nb\\n'", { out }, runtime);
    expect(out.lines).toEqual(["a", "b"]);
  });

  it("%%bash runs the cell as a script", async () => {
    const { host, runtime } = setup();
    await runCell('%%bash\nfor i in 1 2; do echo "n=$i"; done\necho `echo nested`', {}, runtime);
    expect(host.out).toBe("n=1\nn=2\nnested\n");
  });
});

describe("errors, listing and settings", () => {
  it("an unknown line magic names itself and points to %lsmagic", async () => {
    const { runtime } = setup();
    await expect(runCell("%frobnicate now", {}, runtime)).rejects.toMatchObject({
      name: "UsageError",
      message: "Line magic function `%frobnicate` not found. %lsmagic lists the magics.",
    });
  });

  it("a line magic that exists only as a cell magic says so", async () => {
    const { runtime } = setup();
    await expect(runCell("%writefile x.txt", {}, runtime)).rejects.toThrow("(But cell magic `%%writefile` exists, did you mean that instead?)");
  });

  it("an unknown cell magic names itself", async () => {
    const { runtime } = setup();
    await expect(runCell("%%frobnicate\nanything { at all", {}, runtime)).rejects.toThrow("Cell magic `%%frobnicate` not found.");
  });

  it("%lsmagic lists every magic in the table", async () => {
    const { runtime } = setup();
    const out: { l?: unknown } = {};
    await runCell("out.l = %lsmagic", { out }, runtime);
    expect(out.l).toBeInstanceOf(MagicListing);
    const text = String(out.l);
    for (const m of LINE_MAGICS) expect(text).toContain(`%${m.name}`);
    for (const m of CELL_MAGICS) expect(text).toContain(`%%${m.name}`);
    expect(text.startsWith("Available line magics:\n")).toBe(true);
  });

  it("%typecheck sets the mode through the host and rejects unknown modes", async () => {
    const { host, runtime } = setup();
    await runCell("%typecheck warn", {}, runtime);
    expect(host.mode).toBe("warn");
    const out: { m?: unknown } = {};
    await runCell("out.m = %typecheck", { out }, runtime);
    expect(out.m).toBe("warn");
    await expect(runCell("%typecheck loud", {}, runtime)).rejects.toThrow("unknown mode 'loud'");
  });
});
