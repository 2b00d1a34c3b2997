// Connection files: the fields Jupyter writes, defaults, and errors that name the field.

import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { endpoint, parseConnectionInfo, portOf, readConnectionFile, toConnectionJson } from "../../../src/kernel/protocol/connection.js";

const FILE = {
  shell_port: 53794,
  iopub_port: 53795,
  stdin_port: 53796,
  control_port: 53797,
  hb_port: 53798,
  ip: "127.0.0.1",
  key: "a0436f6c-1916-498b-8eb9-e81ab9368e84",
  transport: "tcp",
  signature_scheme: "hmac-sha256",
  kernel_name: "tsjit",
};

describe("connection file", () => {
  const dir = mkdtempSync(join(tmpdir(), "tsjit-conn-"));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("reads what jupyter_client writes", async () => {
    const path = join(dir, "kernel-1.json");
    writeFileSync(path, JSON.stringify(FILE));
    const info = await readConnectionFile(path);
    expect(info).toEqual({
      transport: "tcp",
      ip: "127.0.0.1",
      ports: { shell: 53794, iopub: 53795, stdin: 53796, control: 53797, hb: 53798 },
      key: FILE.key,
      signatureScheme: "hmac-sha256",
      kernelName: "tsjit",
    });
    expect(toConnectionJson(info)).toEqual(FILE);
    expect(endpoint(info, "shell")).toBe("tcp://127.0.0.1:53794");
  });

  it("names the file and the field in its errors", async () => {
    await expect(readConnectionFile(join(dir, "missing.json"))).rejects.toThrow(/cannot read connection file .*missing\.json/);
    const path = join(dir, "bad.json");
    writeFileSync(path, "{nope");
    await expect(readConnectionFile(path)).rejects.toThrow(/bad\.json is not JSON/);
    expect(() => parseConnectionInfo({ ...FILE, hb_port: "x" })).toThrow(/"hb_port" must be an integer port number/);
    expect(() => parseConnectionInfo({ ...FILE, shell_port: 70000 })).toThrow(/"shell_port"/);
    expect(() => parseConnectionInfo({ ...FILE, transport: "udp" })).toThrow(/"transport" must be "tcp" or "ipc"/);
    expect(() => parseConnectionInfo({ ...FILE, signature_scheme: "md5" })).toThrow(/"signature_scheme"/);
    expect(() => parseConnectionInfo({ ...FILE, key: 5 })).toThrow(/"key" must be a string/);
    expect(() => parseConnectionInfo([])).toThrow(/expected a JSON object/);
  });

  it("defaults transport, ip, key and scheme; port 0 binds a wildcard; ipc and IPv6 endpoints", () => {
    const { transport, ip, key, signature_scheme, kernel_name, ...ports } = FILE;
    void [transport, ip, key, signature_scheme, kernel_name];
    const info = parseConnectionInfo({ ...ports, hb_port: 0 });
    expect(info).toMatchObject({ transport: "tcp", ip: "127.0.0.1", key: "", signatureScheme: "hmac-sha256" });
    expect(endpoint(info, "hb")).toBe("tcp://127.0.0.1:*");
    expect(endpoint({ ...info, transport: "ipc", ip: "/tmp/k" }, "shell")).toBe("ipc:///tmp/k-53794");
    expect(endpoint({ ...info, ip: "::1" }, "shell")).toBe("tcp://[::1]:53794");
    expect(portOf("tcp://127.0.0.1:40123")).toBe(40123);
  });
});
