#!/usr/bin/env node
// Installs the tsjit Jupyter kernelspec: `node install.js [--user | --sys-prefix | --prefix DIR]
// [--name NAME] [--display-name TEXT] [--uninstall]`. Plain JavaScript, so it runs straight from
// a checkout or the npm package, without a build and without Python. `tsjit install` calls main().
//
// The kernelspec is what `jupyter kernelspec install` would write: kernels/<name>/kernel.json
// with an absolute argv (this Node with its memory flags, this package's dist/cli.js), the kernel's
// environment (Note [kernel memory settings]), interrupt_mode "message" (the
// kernel takes interrupt_request on its control channel, so interrupts work on every platform and
// through every launcher), the language, and the logos from kernel/.

import { execFileSync } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const PACKAGE_ROOT = fileURLToPath(new URL(".", import.meta.url));
const CLI = join(PACKAGE_ROOT, "dist", "cli.js");
const LOGOS = ["logo-32x32.png", "logo-64x64.png", "logo-svg.svg"];
// jupyter_client's rule for kernel names (it lower-cases them when it looks them up).
const KERNEL_NAME = /^[a-z0-9._-]+$/;

/** The help text; `prog` is how the user ran it ("node install.js", "tsjit install"). */
export const usage = (prog = "node install.js") => `usage: ${prog} [--user | --sys-prefix | --prefix DIR] [--name NAME] [--display-name TEXT] [--uninstall]

Installs (or with --uninstall removes) the tsjit kernelspec where Jupyter looks for kernels:
  --user              the user's Jupyter data directory (default): $JUPYTER_DATA_DIR if set,
                      else ~/.local/share/jupyter (Linux), ~/Library/Jupyter (macOS),
                      %APPDATA%\\jupyter (Windows)
  --sys-prefix        the prefix of the Python environment of \`python3\` on PATH (where its Jupyter is)
  --prefix DIR        DIR/share/jupyter (point JUPYTER_PATH at DIR/share/jupyter to use it)
  --name NAME         the kernel's name (default "tsjit"; letters, digits, ".", "_", "-")
  --display-name TEXT the name shown in the launcher (default "TypeScript (tsjit)")
  --uninstall         remove the kernelspec instead`;

/** A mistake in the command line: reported with the usage, exit code 2. */
export class UsageError extends Error {
  name = "UsageError";
}

/**
 * Parses the command line (without `node install.js`).
 * @returns {{ location: { kind: "user" } | { kind: "sys-prefix" } | { kind: "prefix", dir: string }, name: string, displayName: string, uninstall: boolean, help: boolean }}
 */
export function parseArgs(args) {
  const options = { location: null, name: "tsjit", displayName: "TypeScript (tsjit)", uninstall: false, help: false };
  const setLocation = (location, flag) => {
    if (options.location !== null) throw new UsageError(`${flag} cannot be combined with another of --user, --sys-prefix, --prefix`);
    options.location = location;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const value = () => {
      if (eq > 0) return arg.slice(eq + 1);
      const next = args[++i];
      if (next === undefined || next.startsWith("--")) throw new UsageError(`${flag} needs a value`);
      return next;
    };
    const noValue = () => {
      if (eq > 0) throw new UsageError(`${flag} takes no value`);
    };
    switch (flag) {
      case "--user": noValue(); setLocation({ kind: "user" }, flag); break;
      case "--sys-prefix": noValue(); setLocation({ kind: "sys-prefix" }, flag); break;
      case "--prefix": setLocation({ kind: "prefix", dir: value() }, flag); break;
      case "--name": options.name = value(); break;
      case "--display-name": options.displayName = value(); break;
      case "--uninstall": noValue(); options.uninstall = true; break;
      case "-h":
      case "--help": options.help = true; break;
      default: throw new UsageError(`unknown argument ${JSON.stringify(arg)}`);
    }
  }
  if (!KERNEL_NAME.test(options.name)) {
    throw new UsageError(`--name ${JSON.stringify(options.name)}: a kernel name may only hold lower-case letters, digits, ".", "_" and "-"`);
  }
  if (options.displayName.trim() === "") throw new UsageError("--display-name must not be empty");
  options.location ??= { kind: "user" };
  return options;
}

/** The user's Jupyter data directory, as jupyter_core's `jupyter_data_dir()` finds it. */
export function userDataDir(env = process.env, platform = process.platform, home = homedir()) {
  if (env.JUPYTER_DATA_DIR) return resolve(env.JUPYTER_DATA_DIR);
  if (platform === "darwin") return join(home, "Library", "Jupyter");
  if (platform === "win32") return env.APPDATA ? join(env.APPDATA, "jupyter") : join(home, ".jupyter", "data");
  return join(env.XDG_DATA_HOME || join(home, ".local", "share"), "jupyter");
}

/** `sys.prefix` of the Python on PATH, or a clear error where there is none. */
function pythonSysPrefix() {
  const candidates = process.platform === "win32" ? ["python", "py"] : ["python3", "python"];
  for (const python of candidates) {
    try {
      const out = execFileSync(python, ["-c", "import sys; print(sys.prefix)"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"], timeout: 30_000 });
      if (out.trim() !== "") return out.trim();
    } catch {
      // not on PATH (or broken): try the next name
    }
  }
  throw new UsageError(`--sys-prefix needs Python to find its prefix, but none of ${candidates.join(", ")} runs; use --user or --prefix DIR`);
}

/** The `share/jupyter` directory (holding `kernels/`) that a location flag names. */
export function jupyterDataDir(location, env = process.env) {
  switch (location.kind) {
    case "user": return userDataDir(env);
    case "sys-prefix": return join(pythonSysPrefix(), "share", "jupyter");
    case "prefix": return join(resolve(location.dir), "share", "jupyter");
  }
  throw new Error(`install.js: unknown location ${JSON.stringify(location)}`);
}

// Note [kernel memory settings]
// An idle kernel holds TypeScript (its source and compiled code), lib.d.ts and tsjit's typings
// for type checks, and tsjit itself. Two defaults cost more than they are worth (issue #4, idle
// RSS as `npm run bench:kernel` prints it, which has a --node-flags option to compare):
//   - V8's young generation grows to 2 x 16 MB per isolate (the kernel has two: the cells' and
//     the protocol thread's). `--max-semi-space-size=4` caps it. Smaller caps saved a few MB more
//     but made each type check late in a session slower (more of its garbage promoted), so not
//     less. Tensor data lives in ArrayBuffers outside the young generation.
//   - glibc gives every thread that mallocs its own arena (the kernel has a dozen threads: V8's
//     workers, libuv's pool, zeromq's, the protocol thread). `MALLOC_ARENA_MAX=2` bounds them.
// Measured in development and left out: `--optimize-for-size` (smaller, but each type check
// costs half again as much CPU), `--single-threaded`/`--v8-pool-size=1` (no clear gain), and
// fixed malloc trim/mmap thresholds (smaller, but every tensor over the threshold then costs a
// fresh mmap, several times the CPU to allocate and fill).
const NODE_FLAGS = ["--max-semi-space-size=4"];
const KERNEL_ENV = { MALLOC_ARENA_MAX: "2" };

/** The kernel.json for this package, run by this Node (Note [kernel memory settings]). */
export function kernelJson(displayName, nodePath = process.execPath, cliPath = CLI) {
  return {
    argv: [nodePath, ...NODE_FLAGS, cliPath, "kernel", "{connection_file}"],
    env: { ...KERNEL_ENV },
    display_name: displayName,
    language: "typescript",
    interrupt_mode: "message",
    metadata: {},
  };
}

/** Writes kernels/<name>/ under `dataDir`, replacing an earlier install; returns its path. */
export function installKernelspec(dataDir, name, displayName) {
  const dir = join(dataDir, "kernels", name);
  rmSync(dir, { recursive: true, force: true }); // as `jupyter kernelspec install` does: no stale files
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "kernel.json"), `${JSON.stringify(kernelJson(displayName), null, 2)}\n`);
  for (const logo of LOGOS) copyFileSync(join(PACKAGE_ROOT, "kernel", logo), join(dir, logo));
  return dir;
}

/** Removes kernels/<name>/ under `dataDir`; returns its path, or throws if it is not there. */
export function uninstallKernelspec(dataDir, name) {
  const dir = join(dataDir, "kernels", name);
  if (!existsSync(join(dir, "kernel.json"))) throw new Error(`no kernelspec named ${JSON.stringify(name)} in ${join(dataDir, "kernels")}`);
  rmSync(dir, { recursive: true, force: true });
  return dir;
}

/** Runs the command line; returns the exit code (0 done, 1 failed, 2 bad usage). */
export function main(args, io = {}) {
  const prog = io.prog ?? "node install.js";
  const out = io.out ?? ((line) => process.stdout.write(`${line}\n`));
  const err = io.err ?? ((line) => process.stderr.write(`${line}\n`));
  try {
    const options = parseArgs(args);
    if (options.help) {
      out(usage(prog));
      return 0;
    }
    const dataDir = jupyterDataDir(options.location);
    if (options.uninstall) {
      out(`Removed the ${options.name} kernelspec from ${uninstallKernelspec(dataDir, options.name)}`);
      return 0;
    }
    const dir = installKernelspec(dataDir, options.name, options.displayName);
    out(`Installed the ${options.name} kernelspec ("${options.displayName}") in ${dir}`);
    if (options.location.kind === "prefix") out(`Jupyter finds it when JUPYTER_PATH includes ${dataDir}`);
    if (!existsSync(CLI)) err(`warning: ${CLI} does not exist yet: run \`npm run build\` before starting the kernel`);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      err(`${prog}: ${e.message}\n${usage(prog).split("\n")[0]}\nRun \`${prog} --help\` for what each option does.`);
      return 2;
    }
    err(`${prog}: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
