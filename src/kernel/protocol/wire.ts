// Message framing and signing (Jupyter wire protocol).
//
//   [identity ...] "<IDS|MSG>" signature header parent_header metadata content [buffer ...]
//
// The signature is the hex HMAC, under the connection file's key and `signature_scheme`, of the
// four JSON frames exactly as they travel (verification uses the received bytes, never a
// re-serialization). Decoding never throws: every failure is a typed result, so the socket loop
// can log and drop it. A message that fails verification is never parsed past its header bytes.

import { createHmac, getHashes, timingSafeEqual } from "node:crypto";
import type { Header, JsonObject, Outgoing, ParentHeader } from "./messages.js";

export const DELIMITER = "<IDS|MSG>";
const DELIMITER_BYTES = Buffer.from(DELIMITER);

/** Signs and verifies messages; an empty key disables authentication (as the spec says). */
export class Signer {
  private readonly algorithm: string;

  /** @throws Error when the scheme is not `hmac-<digest>` with a digest node:crypto knows. */
  constructor(
    private readonly key: string,
    scheme = "hmac-sha256",
  ) {
    const match = /^hmac-([a-z0-9-]+)$/.exec(scheme);
    const algorithm = match?.[1];
    if (algorithm === undefined || !getHashes().includes(algorithm)) {
      throw new Error(`unsupported signature_scheme ${JSON.stringify(scheme)} (expected e.g. "hmac-sha256")`);
    }
    this.algorithm = algorithm;
  }

  get enabled(): boolean {
    return this.key.length > 0;
  }

  sign(frames: readonly Uint8Array[]): string {
    if (!this.enabled) return "";
    const hmac = createHmac(this.algorithm, this.key);
    for (const frame of frames) hmac.update(frame);
    return hmac.digest("hex");
  }

  /** Constant-time comparison, so the time taken says nothing about how much of it matched. */
  verify(signature: Uint8Array, frames: readonly Uint8Array[]): boolean {
    if (!this.enabled) return true;
    const expected = Buffer.from(this.sign(frames), "ascii");
    return signature.length === expected.length && timingSafeEqual(signature, expected);
  }
}

/** A decoded, verified message whose content is still unvalidated. */
export interface RawMessage {
  identities: Buffer[];
  header: Header;
  parent_header: ParentHeader;
  metadata: JsonObject;
  content: unknown;
  buffers: Buffer[];
  /** The signature frame as received: the replay guard keys on it. */
  signature: string;
}

export type DecodeFailure =
  | "no_delimiter"
  | "too_few_frames"
  | "bad_signature"
  | "bad_json"
  | "bad_header";

export type DecodeResult = { ok: true; message: RawMessage } | { ok: false; reason: DecodeFailure; detail: string };

function fail(reason: DecodeFailure, detail: string): DecodeResult {
  return { ok: false, reason, detail };
}

function parseJson(frame: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(frame.toString("utf8")) as unknown };
  } catch {
    return { ok: false };
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/**
 * Narrows a parsed header. `msg_id` and `msg_type` must be strings (a reply cannot be addressed
 * without them); the other fields are filled in when a lax client leaves them out.
 */
export function asHeader(value: unknown): Header | null {
  if (!isObject(value)) return null;
  const { msg_id, msg_type, session, username, date, version } = value;
  if (typeof msg_id !== "string" || typeof msg_type !== "string" || msg_type.length === 0) return null;
  const text = (v: unknown, fallback: string): string => (typeof v === "string" ? v : fallback);
  return {
    msg_id,
    msg_type,
    session: text(session, ""),
    username: text(username, ""),
    date: text(date, ""),
    version: text(version, ""),
  };
}

/** Splits, verifies and parses one multipart message. Never throws. */
export function decode(frames: readonly Buffer[], signer: Signer): DecodeResult {
  const at = frames.findIndex((f) => f.equals(DELIMITER_BYTES));
  if (at < 0) return fail("no_delimiter", `no ${DELIMITER} among ${frames.length} frames`);
  const rest = frames.slice(at + 1);
  const [signature, header, parent, metadata, content, ...buffers] = rest;
  if (signature === undefined || header === undefined || parent === undefined || metadata === undefined || content === undefined) {
    return fail("too_few_frames", `${rest.length} frames after the delimiter, 5 needed`);
  }
  if (!signer.verify(signature, [header, parent, metadata, content])) {
    return fail("bad_signature", signature.length === 0 ? "unsigned message" : "signature does not match");
  }
  const parsed = [header, parent, metadata, content].map(parseJson);
  const values: unknown[] = [];
  for (const p of parsed) {
    if (!p.ok) return fail("bad_json", "a JSON frame does not parse");
    values.push(p.value);
  }
  const [headerValue, parentValue, metadataValue, contentValue] = values;
  const parsedHeader = asHeader(headerValue);
  if (parsedHeader === null) return fail("bad_header", "header lacks a string msg_id or msg_type");
  return {
    ok: true,
    message: {
      identities: frames.slice(0, at),
      header: parsedHeader,
      parent_header: asHeader(parentValue) ?? {},
      metadata: isObject(metadataValue) ? (metadataValue as JsonObject) : {},
      content: contentValue,
      buffers: buffers,
      signature: signature.toString("ascii"),
    },
  };
}

/** Builds the frames of one outgoing message (the caller supplies the header). */
export function encode(
  signer: Signer,
  identities: readonly Uint8Array[],
  header: Header,
  parent: ParentHeader,
  message: Pick<Outgoing, "content"> & { metadata?: JsonObject; buffers?: readonly Uint8Array[] },
): Buffer[] {
  const json = [header, parent, message.metadata ?? {}, message.content].map((v) => Buffer.from(JSON.stringify(v), "utf8"));
  const signature = Buffer.from(signer.sign(json), "ascii");
  const buffers = (message.buffers ?? []).map((b) => Buffer.from(b.buffer, b.byteOffset, b.byteLength));
  return [...identities.map((id) => Buffer.from(id)), DELIMITER_BYTES, signature, ...json, ...buffers];
}

/**
 * Remembers recent signatures and refuses a second message with one it has seen (jupyter_client's
 * digest history): a captured message cannot be replayed to run its code again. Bounded, so a
 * long session does not grow it forever; the oldest half is forgotten when it fills.
 */
export class ReplayGuard {
  private seen = new Set<string>();

  constructor(private readonly capacity = 65_536) {}

  /** True the first time a signature is offered. Empty signatures (no key) are not tracked. */
  admit(signature: string): boolean {
    if (signature.length === 0) return true;
    if (this.seen.has(signature)) return false;
    if (this.seen.size >= this.capacity) {
      this.seen = new Set([...this.seen].slice(this.capacity / 2));
    }
    this.seen.add(signature);
    return true;
  }
}
