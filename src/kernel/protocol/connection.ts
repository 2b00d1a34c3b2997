// The connection file: how a Jupyter launcher tells a kernel where to listen and how to sign.
//
//   {"transport": "tcp", "ip": "127.0.0.1", "shell_port": 53794, "iopub_port": 53795,
//    "stdin_port": 53796, "control_port": 53797, "hb_port": 53798,
//    "key": "a0436f6c-...", "signature_scheme": "hmac-sha256", "kernel_name": "tsjit"}
//
// Errors name the file and the field, so a broken launcher configuration is fixed in one look.

import { readFile } from "node:fs/promises";

export const CHANNELS = ["shell", "control", "stdin", "iopub", "hb"] as const;
export type Channel = (typeof CHANNELS)[number];

export type Ports = { [C in Channel]: number };

export interface ConnectionInfo {
  transport: "tcp" | "ipc";
  ip: string;
  /** Port 0 (tcp) lets the kernel pick a free port; the bound ports are reported back. */
  ports: Ports;
  key: string;
  signatureScheme: string;
  kernelName?: string;
}

export class ConnectionFileError extends Error {
  override name = "ConnectionFileError";
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Validates parsed connection-file JSON. @throws ConnectionFileError naming the bad field. */
export function parseConnectionInfo(value: unknown, source = "connection file"): ConnectionInfo {
  const bad = (what: string): never => {
    throw new ConnectionFileError(`${source}: ${what}`);
  };
  if (!isObject(value)) return bad("expected a JSON object");
  const transport = value["transport"] ?? "tcp";
  if (transport !== "tcp" && transport !== "ipc") {
    return bad(`"transport" must be "tcp" or "ipc", got ${JSON.stringify(transport)}`);
  }
  const ip = value["ip"] ?? "127.0.0.1";
  if (typeof ip !== "string" || ip.length === 0) return bad(`"ip" must be a non-empty string`);
  const ports = {} as Ports;
  for (const channel of CHANNELS) {
    const port = value[`${channel}_port`];
    if (typeof port !== "number" || !Number.isInteger(port) || port < 0 || port > 65_535) {
      return bad(`"${channel}_port" must be an integer port number 0..65535, got ${JSON.stringify(port)}`);
    }
    ports[channel] = port;
  }
  const key = value["key"] ?? "";
  if (typeof key !== "string") return bad(`"key" must be a string`);
  const scheme = value["signature_scheme"] ?? "hmac-sha256";
  if (typeof scheme !== "string" || !/^hmac-[a-z0-9-]+$/.test(scheme)) {
    return bad(`"signature_scheme" must look like "hmac-sha256", got ${JSON.stringify(scheme)}`);
  }
  const kernelName = value["kernel_name"];
  const info: ConnectionInfo = { transport, ip, ports, key, signatureScheme: scheme };
  if (typeof kernelName === "string") info.kernelName = kernelName;
  return info;
}

/** Reads and validates a connection file. @throws ConnectionFileError */
export async function readConnectionFile(path: string): Promise<ConnectionInfo> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (e) {
    throw new ConnectionFileError(`cannot read connection file ${path}: ${(e as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (e) {
    throw new ConnectionFileError(`connection file ${path} is not JSON: ${(e as Error).message}`);
  }
  return parseConnectionInfo(value, `connection file ${path}`);
}

/**
 * The ZeroMQ endpoint for a channel. ipc endpoints follow jupyter_client: `<ip>-<port>` as a
 * path. Port 0 over tcp binds a wildcard port (`*`).
 */
export function endpoint(info: ConnectionInfo, channel: Channel): string {
  const port = info.ports[channel];
  if (info.transport === "ipc") return `ipc://${info.ip}-${port}`;
  const host = info.ip.includes(":") ? `[${info.ip}]` : info.ip;
  return `tcp://${host}:${port === 0 ? "*" : port}`;
}

/** The port a bound tcp endpoint reports (`tcp://127.0.0.1:40123` → 40123). */
export function portOf(boundEndpoint: string): number {
  const match = /:(\d+)$/.exec(boundEndpoint);
  return match?.[1] === undefined ? 0 : Number(match[1]);
}

/** The JSON a client (or a connection file written back) needs, in the file's own spelling. */
export function toConnectionJson(info: ConnectionInfo): Record<string, string | number> {
  const json: Record<string, string | number> = {
    transport: info.transport,
    ip: info.ip,
    key: info.key,
    signature_scheme: info.signatureScheme,
  };
  for (const channel of CHANNELS) json[`${channel}_port`] = info.ports[channel];
  if (info.kernelName !== undefined) json["kernel_name"] = info.kernelName;
  return json;
}
