#!/usr/bin/env node
// The `tsjit` command (package.json "bin"): install the Jupyter kernelspec, run the kernel,
// and (later) run notebooks headless. Each command is a row of COMMANDS; `main` only dispatches.

import { realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";

interface Command {
  usage: string;
  summary: string;
  /** Runs the command; resolves to the process exit code. */
  run(args: string[]): Promise<number>;
}

/** A mistake on the command line: the message and a pointer to the usage, exit code 2. */
class UsageError extends Error {
  override name = "UsageError";
}

interface InstallModule {
  main(args: string[], io: { prog: string }): number;
}

/**
 * install.js sits at the package root, beside dist/ (and src/ in a checkout), and runs without a
 * build; `tsjit install` is the same program.
 */
async function loadInstaller(): Promise<InstallModule> {
  const url = new URL("../install.js", import.meta.url);
  try {
    return (await import(url.href)) as InstallModule;
  } catch (e) {
    throw new Error(`tsjit install: cannot load ${fileURLToPath(url)}: ${(e as Error).message}`);
  }
}

const COMMANDS: { [name: string]: Command } = {
  install: {
    usage: "tsjit install [--user | --sys-prefix | --prefix DIR] [--name NAME] [--display-name TEXT] [--uninstall]",
    summary: "install (or remove) the Jupyter kernelspec, as `node install.js` does",
    run: async (args) => (await loadInstaller()).main(args, { prog: "tsjit install" }),
  },
  kernel: {
    usage: "tsjit kernel <connection-file>",
    summary: "run the kernel on a Jupyter connection file (what the kernelspec launches)",
    run: async (args) => {
      const [file, ...rest] = args;
      if (file === undefined || file.startsWith("-") || rest.length > 0) {
        throw new UsageError(`expected exactly one connection file, got ${args.length === 0 ? "none" : JSON.stringify(args)}`);
      }
      const { runKernel } = await import("./kernel/main.js");
      return runKernel(file);
    },
  },
  run: {
    usage: "tsjit run <notebook.ipynb ...> [--output DIR | --inplace] [--timeout S]",
    summary: "execute notebooks through the kernel, print their outputs and write the executed notebooks",
    run: async (args) => (await import("./run/index.js")).runCommand(args),
  },
};

function helpText(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    "tsjit: TypeScript notebooks with PyTorch-style tensors, autograd, nn and a TorchScript-compatible JIT",
    "",
    "usage:",
    ...Object.values(COMMANDS).map((c) => `  ${c.usage}`),
    "  tsjit --help | --version",
    "",
    "commands:",
    ...lines,
  ].join("\n");
}

/**
 * What went wrong, for the terminal: the message alone when it already says where and what (a bad
 * connection file, a missing file), the stack for anything unexpected (a bug to report).
 */
function describeFailure(e: unknown): string {
  if (!(e instanceof Error)) return String(e);
  const expected = e.name === "ConnectionFileError" || typeof (e as { code?: unknown }).code === "string";
  return expected ? e.message : (e.stack ?? `${e.name}: ${e.message}`);
}

/** Runs the `tsjit` command line (without `node cli.js`); resolves to the exit code. */
export async function main(args: string[]): Promise<number> {
  const [name, ...rest] = args;
  if (name === undefined || name === "-h" || name === "--help" || name === "help") {
    process.stdout.write(`${helpText()}\n`);
    return name === undefined ? 2 : 0;
  }
  if (name === "-V" || name === "--version") {
    const { packageVersion } = await import("./kernel/kernel_info.js");
    process.stdout.write(`${packageVersion()}\n`);
    return 0;
  }
  const command = COMMANDS[name];
  if (command === undefined) {
    process.stderr.write(`tsjit: unknown command ${JSON.stringify(name)}; the commands are ${Object.keys(COMMANDS).join(", ")} (tsjit --help)\n`);
    return 2;
  }
  if (name !== "install" && (rest[0] === "-h" || rest[0] === "--help")) {
    process.stdout.write(`usage: ${command.usage}\n${command.summary}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`tsjit ${name}: ${e.message}\nusage: ${command.usage}\n`);
      return 2;
    }
    process.stderr.write(`tsjit ${name}: ${describeFailure(e)}\n`);
    return 1;
  }
}

/** True when this file is the program (dist/cli.js through npm's bin link, or `node --import tsx src/cli.ts`), not an import. */
function isProgram(): boolean {
  const script = process.argv[1];
  if (script === undefined) return false;
  try {
    return realpathSync(script) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isProgram()) process.exit(await main(process.argv.slice(2)));
