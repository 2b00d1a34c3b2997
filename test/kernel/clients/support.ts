/**
 * Real Jupyter clients against the real tsjit kernel: Debian's python3-jupyter-client,
 * python3-nbclient and jupyter-notebook, run with /usr/bin/python3 (not whatever python3 is
 * first on PATH). Tests skip with a clear message where they are absent, except under CI=true,
 * where .ci/run has installed them and their absence is a failure (as test/support/pytorch.ts).
 *
 * Each test installs the kernelspec with install.js into a temporary --prefix and points
 * JUPYTER_PATH there; every other Jupyter directory is temporary too, so nothing of the user's
 * Jupyter setup is read or written.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { distIsFresh } from "../../support/dist_fresh.js";
import { toConnectionJson, type ConnectionInfo } from "../../../src/kernel/protocol/connection.js";

export const PYTHON = "/usr/bin/python3";
export const ROOT = fileURLToPath(new URL("../../../", import.meta.url));

function probe(module: string): boolean {
  if (!existsSync(PYTHON)) return false;
  try {
    execFileSync(PYTHON, ["-c", `import ${module}`], { stdio: "ignore", timeout: 60_000 });
    return true;
  } catch {
    return false;
  }
}

function required(found: boolean, what: string, aptPackage: string): boolean {
  if (found) return true;
  if (process.env["CI"] === "true") {
    throw new Error(`CI=true but ${what} is not importable by ${PYTHON}: .ci/run must apt-get install ${aptPackage}`);
  }
  console.warn(`[tsjit tests] ${what} not found (apt-get install ${aptPackage}): skipping its real-client kernel tests`);
  return false;
}

export const hasJupyterClient = (): boolean => required(probe("jupyter_client"), "jupyter_client", "python3-jupyter-client");
export const hasNbclient = (): boolean => required(probe("nbclient"), "nbclient", "python3-nbclient");
export const hasNotebookServer = (): boolean => required(probe("notebook.notebookapp"), "the Jupyter Notebook server", "jupyter-notebook");

/**
 * Note [kernel from dist or sources]: the kernelspec runs dist/cli.js, which `npm test` builds
 * first (pretest), so CI tests exactly what users install. Running vitest directly after editing
 * src/ would test a stale build: then the kernel.json written by install.js is pointed at
 * src/cli.ts through tsx instead, and the test says so.
 */
function distIsCurrent(): boolean {
  return distIsFresh(join(ROOT, "dist", "cli.js"));
}

export interface KernelInstall {
  /** The temporary root: prefix, Jupyter's other directories, scratch space. */
  dir: string;
  kernelDir: string;
  kernelJson: { argv: string[]; env?: Record<string, string>; display_name: string; language: string; interrupt_mode: string; metadata: object };
  /** Where the kernel runs from (Note [kernel from dist or sources]). */
  runsFrom: "dist" | "sources";
  /** The environment for Jupyter processes: JUPYTER_PATH at the prefix, every other Jupyter directory temporary. */
  env: NodeJS.ProcessEnv;
  cleanup(): void;
}

/**
 * Installs the kernelspec with `node install.js --prefix <tmp>`, as a user would. `from` forces
 * the kernel's code (the measure script does); by default Note [kernel from dist or sources].
 */
export function installTempKernel(options: { name?: string; from?: "dist" | "sources" } = {}): KernelInstall {
  const name = options.name ?? "tsjit";
  const dir = mkdtempSync(join(tmpdir(), "tsjit-clients-"));
  const prefix = join(dir, "prefix");
  const printed = execFileSync(process.execPath, [join(ROOT, "install.js"), "--prefix", prefix, "--name", name], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const kernelDir = join(prefix, "share", "jupyter", "kernels", name);
  if (!printed.includes(kernelDir)) throw new Error(`install.js did not report ${kernelDir}: ${printed}`);
  const jsonPath = join(kernelDir, "kernel.json");
  let kernelJson = JSON.parse(readFileSync(jsonPath, "utf8")) as KernelInstall["kernelJson"];
  const runsFrom = options.from ?? (distIsCurrent() ? "dist" : "sources");
  if (runsFrom === "sources") {
    if (options.from === undefined) {
      if (process.env["CI"] === "true") throw new Error("CI=true but dist/ is older than src/: run the tests with `npm test` (its pretest builds dist/)");
      console.warn("[tsjit tests] dist/ is older than src/ (run `npm run build`): the kernelspec runs src/cli.ts through tsx");
    }
    const tsx = import.meta.resolve("tsx");
    kernelJson = { ...kernelJson, argv: [kernelJson.argv[0]!, "--import", tsx, join(ROOT, "src", "cli.ts"), "kernel", "{connection_file}"] };
    writeFileSync(jsonPath, JSON.stringify(kernelJson, null, 2));
  }
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    JUPYTER_PATH: join(prefix, "share", "jupyter"),
    JUPYTER_DATA_DIR: join(dir, "data"),
    JUPYTER_CONFIG_DIR: join(dir, "config"),
    JUPYTER_RUNTIME_DIR: join(dir, "runtime"),
    JUPYTER_PLATFORM_DIRS: "0",
    IPYTHONDIR: join(dir, "ipython"),
    PYTHONNOUSERSITE: "1",
    PYTHONDONTWRITEBYTECODE: "1",
  };
  delete env["JUPYTER_ALLOW_INSECURE_WRITES"];
  return { dir, kernelDir, kernelJson, runsFrom, env, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A Python driver script of drivers/. */
export const driver = (name: string): string => fileURLToPath(new URL(`./drivers/${name}`, import.meta.url));

/**
 * Runs a Python driver script under /usr/bin/python3 in `cwd`; it prints one JSON document on
 * stdout. Asynchronous, so the test runner's timers keep running while Python talks to the kernel.
 */
export function runPython<T>(script: string, args: string[], env: NodeJS.ProcessEnv, cwd: string, timeoutMs = 120_000): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(PYTHON, [script, ...args], { cwd, env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
    child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("exit", (code, signal) => {
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`python driver exited with ${code ?? signal}:\n${stderr}\n${stdout}`));
      try {
        resolve(JSON.parse(stdout) as T);
      } catch {
        reject(new Error(`python driver printed no JSON:\n${stdout}\n${stderr}`));
      }
    });
  });
}

/** A TCP port that was free a moment ago on loopback (the usual race, as jupyter_client's own). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => (typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port"))));
    });
  });
}

export interface InstalledKernel {
  connection: ConnectionInfo;
  child: ChildProcess;
  stderr: string[];
  exited: Promise<number | null>;
  kill(): void;
}

/**
 * Starts the kernel the way a launcher does: the kernelspec's argv with `{connection_file}`
 * replaced by a connection file on free loopback ports, in `install.dir`.
 */
export async function spawnInstalledKernel(install: KernelInstall): Promise<InstalledKernel> {
  const ports = { shell: await freePort(), control: await freePort(), stdin: await freePort(), iopub: await freePort(), hb: await freePort() };
  const connection: ConnectionInfo = { transport: "tcp", ip: "127.0.0.1", ports, key: randomUUID(), signatureScheme: "hmac-sha256", kernelName: "tsjit" };
  const file = join(install.dir, `kernel-${randomUUID()}.json`);
  writeFileSync(file, JSON.stringify(toConnectionJson(connection)));
  const [command, ...args] = install.kernelJson.argv.map((a) => (a === "{connection_file}" ? file : a));
  if (command === undefined) throw new Error("kernel.json has an empty argv");
  // as Jupyter starts a kernel: the kernelspec's env over the launcher's
  const env = { ...install.env, ...(install.kernelJson.env ?? {}) };
  const child = spawn(command, args, { cwd: install.dir, env, stdio: ["ignore", "pipe", "pipe"] });
  const stderr: string[] = [];
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => stderr.push(chunk));
  child.stdout?.resume();
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  return { connection, child, stderr, exited, kill: () => child.kill("SIGKILL") };
}
