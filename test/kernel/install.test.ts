// install.js (the kernelspec installer, plain JS, no build, no Python) and the `tsjit` command
// line, run as users run them: child processes with their own environment, in temp dirs.

import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const INSTALL = join(ROOT, "install.js");
const TSX = import.meta.resolve("tsx");
const PYTHON = "/usr/bin/python3";

const scratch = mkdtempSync(join(tmpdir(), "tsjit-install-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));
let dirs = 0;
const freshDir = (): string => {
  const dir = join(scratch, `case-${dirs++}`);
  mkdirSync(dir);
  return dir;
};

interface Ran {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(args: string[], env: NodeJS.ProcessEnv = {}): Ran {
  const r = spawnSync(process.execPath, args, { cwd: scratch, env: { ...process.env, ...env }, encoding: "utf8", timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}
const installJs = (args: string[], env?: NodeJS.ProcessEnv): Ran => run([INSTALL, ...args], env);
const tsjit = (args: string[], env?: NodeJS.ProcessEnv): Ran => run(["--import", TSX, join(ROOT, "src", "cli.ts"), ...args], env);

const readSpec = (kernelDir: string): Record<string, unknown> => JSON.parse(readFileSync(join(kernelDir, "kernel.json"), "utf8")) as Record<string, unknown>;

/** A real Python environment whose sys.prefix is ours to write into (Debian: python3-venv). */
function makeVenv(): string | null {
  const venv = join(freshDir(), "venv");
  try {
    execFileSync(PYTHON, ["-m", "venv", "--without-pip", venv], { stdio: "ignore", timeout: 60_000 });
    return venv;
  } catch {
    if (process.env["CI"] === "true") throw new Error(`CI=true but ${PYTHON} -m venv fails: .ci/run must apt-get install python3-venv`);
    console.warn(`[tsjit tests] ${PYTHON} -m venv is not available (apt-get install python3-venv): skipping the --sys-prefix install test`);
    return null;
  }
}
const venv = existsSync(PYTHON) ? makeVenv() : null;

describe("install.js", () => {
  it("writes a complete kernelspec under --prefix DIR/share/jupyter/kernels/tsjit", () => {
    const prefix = freshDir();
    const r = installJs(["--prefix", prefix]);
    const kernelDir = join(prefix, "share", "jupyter", "kernels", "tsjit");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(kernelDir);
    expect(readSpec(kernelDir)).toEqual({
      argv: [process.execPath, "--max-semi-space-size=4", join(ROOT, "dist", "cli.js"), "kernel", "{connection_file}"],
      env: { MALLOC_ARENA_MAX: "2" }, // Note [kernel memory settings] in install.js
      display_name: "TypeScript (tsjit)",
      language: "typescript",
      interrupt_mode: "message",
      metadata: {},
    });
    expect(readdirSync(kernelDir).sort()).toEqual(["kernel.json", "logo-32x32.png", "logo-64x64.png", "logo-svg.svg"]);
    for (const logo of ["logo-32x32.png", "logo-64x64.png", "logo-svg.svg"]) {
      expect(readFileSync(join(kernelDir, logo)).equals(readFileSync(join(ROOT, "kernel", logo)))).toBe(true);
    }
  });

  it("installs in $JUPYTER_DATA_DIR for --user (the default)", () => {
    const data = freshDir();
    for (const args of [["--user"], []]) {
      const r = installJs(args, { JUPYTER_DATA_DIR: data });
      expect(r.status).toBe(0);
      expect(existsSync(join(data, "kernels", "tsjit", "kernel.json"))).toBe(true);
    }
  });

  it("honours --name and --display-name, and --prefix=DIR", () => {
    const prefix = freshDir();
    const r = installJs([`--prefix=${prefix}`, "--name", "tsjit-dev", "--display-name", "TypeScript (tsjit dev)"]);
    expect(r.status).toBe(0);
    expect(readSpec(join(prefix, "share", "jupyter", "kernels", "tsjit-dev"))["display_name"]).toBe("TypeScript (tsjit dev)");
  });

  it("replaces an earlier install, stale files included", () => {
    const prefix = freshDir();
    const kernelDir = join(prefix, "share", "jupyter", "kernels", "tsjit");
    installJs(["--prefix", prefix, "--display-name", "old"]);
    writeFileSync(join(kernelDir, "stale.txt"), "left over");
    expect(installJs(["--prefix", prefix]).status).toBe(0);
    expect(readSpec(kernelDir)["display_name"]).toBe("TypeScript (tsjit)");
    expect(existsSync(join(kernelDir, "stale.txt"))).toBe(false);
  });

  it("--uninstall removes the kernelspec, and says so when there is none", () => {
    const prefix = freshDir();
    installJs(["--prefix", prefix]);
    const removed = installJs(["--prefix", prefix, "--uninstall"]);
    expect(removed.status).toBe(0);
    expect(existsSync(join(prefix, "share", "jupyter", "kernels", "tsjit"))).toBe(false);
    const again = installJs(["--prefix", prefix, "--uninstall"]);
    expect(again.status).toBe(1);
    expect(again.stderr).toContain('no kernelspec named "tsjit"');
  });

  it("rejects bad command lines with a reason and the usage (exit 2)", () => {
    const cases: Array<[string[], string]> = [
      [["--bogus"], 'unknown argument "--bogus"'],
      [["--prefix"], "--prefix needs a value"],
      [["--user", "--prefix", "x"], "cannot be combined"],
      [["--name", "Bad Name"], "a kernel name may only hold"],
      [["--display-name", " "], "--display-name must not be empty"],
      [["--uninstall=yes"], "--uninstall takes no value"],
    ];
    for (const [args, message] of cases) {
      const r = installJs(args, { JUPYTER_DATA_DIR: freshDir() });
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stderr).toContain("usage: node install.js");
    }
  });

  it("--help prints every option", () => {
    const r = installJs(["--help"]);
    expect(r.status).toBe(0);
    for (const flag of ["--user", "--sys-prefix", "--prefix DIR", "--name NAME", "--display-name TEXT", "--uninstall", "JUPYTER_DATA_DIR"]) expect(r.stdout).toContain(flag);
  });

  it("--sys-prefix fails clearly where no Python runs", () => {
    const r = installJs(["--sys-prefix"], { PATH: freshDir() });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("--sys-prefix needs Python");
  });

  it.skipIf(!venv)("--sys-prefix installs into the prefix of the python3 on PATH (a venv)", () => {
    const r = installJs(["--sys-prefix"], { PATH: `${join(venv!, "bin")}:${process.env["PATH"] ?? ""}` });
    expect(r.status, r.stderr).toBe(0);
    expect(readSpec(join(venv!, "share", "jupyter", "kernels", "tsjit"))["language"]).toBe("typescript");
  });
});

describe("user data dir (jupyter_core's rules)", async () => {
  const { userDataDir } = (await import(INSTALL)) as { userDataDir(env: NodeJS.ProcessEnv, platform: string, home: string): string };
  it("follows JUPYTER_DATA_DIR, then the platform's convention", () => {
    expect(userDataDir({ JUPYTER_DATA_DIR: "/data/j" }, "linux", "/home/u")).toBe("/data/j");
    expect(userDataDir({}, "linux", "/home/u")).toBe("/home/u/.local/share/jupyter");
    expect(userDataDir({ XDG_DATA_HOME: "/xdg" }, "linux", "/home/u")).toBe("/xdg/jupyter");
    expect(userDataDir({}, "darwin", "/Users/u")).toBe("/Users/u/Library/Jupyter");
    expect(userDataDir({ APPDATA: "/appdata" }, "win32", "/home/u")).toBe(join("/appdata", "jupyter"));
  });
});

describe("the tsjit command", () => {
  it("installs the same kernelspec as install.js (tsjit install)", () => {
    const prefix = freshDir();
    const r = tsjit(["install", "--prefix", prefix, "--name", "via-cli"]);
    expect(r.status, r.stderr).toBe(0);
    expect(readSpec(join(prefix, "share", "jupyter", "kernels", "via-cli"))).toMatchObject({ interrupt_mode: "message", language: "typescript" });
    const bad = tsjit(["install", "--frob"]);
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("usage: tsjit install");
  });

  it("prints help, and names the commands when given an unknown one", () => {
    const help = tsjit(["--help"]);
    expect(help.status).toBe(0);
    for (const command of ["tsjit install", "tsjit kernel <connection-file>", "tsjit run"]) expect(help.stdout).toContain(command);
    const unknown = tsjit(["frobnicate"]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown command "frobnicate"; the commands are install, kernel, run');
  });

  it("prints the package version", () => {
    const version = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;
    expect(tsjit(["--version"]).stdout.trim()).toBe(version);
  });

  it("tsjit kernel needs exactly one connection file, and names a missing one", () => {
    const none = tsjit(["kernel"]);
    expect(none.status).toBe(2);
    expect(none.stderr).toContain("usage: tsjit kernel <connection-file>");
    const missing = tsjit(["kernel", join(scratch, "nope.json")]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain("nope.json");
  });

  it("tsjit run names a notebook it cannot read", () => {
    const r = tsjit(["run", "a.ipynb"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("a.ipynb");
  });
});
