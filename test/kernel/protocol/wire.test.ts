// Golden frames for framing and signing. The HMAC vector below was computed by hand, outside
// this code: node -e "crypto.createHmac('sha256','secret-key').update(h).update('{}')..." and,
// independently, Python's hmac module; both print the same hex.

import { createHmac } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { Header } from "../../../src/kernel/protocol/messages.js";
import { decode, DELIMITER, encode, ReplayGuard, Signer } from "../../../src/kernel/protocol/wire.js";

const HEADER: Header = { msg_id: "m1", session: "s1", username: "u", date: "2026-01-01T00:00:00.000Z", msg_type: "kernel_info_request", version: "5.3" };
const HEADER_JSON = '{"msg_id":"m1","session":"s1","username":"u","date":"2026-01-01T00:00:00.000Z","msg_type":"kernel_info_request","version":"5.3"}';
const GOLDEN_SIGNATURE = "64b14d1ee673ffcade25474f425edb6c2df2559f4fa021e257bcfbe5cd39984c";

const b = (s: string): Buffer => Buffer.from(s);
const golden = (): Buffer[] => [b("client-1"), b(DELIMITER), b(GOLDEN_SIGNATURE), b(HEADER_JSON), b("{}"), b("{}"), b("{}")];

describe("Signer", () => {
  it("signs the four JSON frames with HMAC-SHA256 (golden vector)", () => {
    const signer = new Signer("secret-key", "hmac-sha256");
    expect(signer.sign([b(HEADER_JSON), b("{}"), b("{}"), b("{}")])).toBe(GOLDEN_SIGNATURE);
    const byHand = createHmac("sha256", "secret-key").update(HEADER_JSON).update("{}{}{}").digest("hex");
    expect(byHand).toBe(GOLDEN_SIGNATURE); // HMAC over the concatenation equals HMAC over the parts
  });

  it("supports other hmac-* schemes and rejects unknown ones", () => {
    expect(new Signer("k", "hmac-sha512").sign([b("x")])).toBe(createHmac("sha512", "k").update("x").digest("hex"));
    expect(() => new Signer("k", "rot13")).toThrow(/unsupported signature_scheme "rot13"/);
    expect(() => new Signer("k", "hmac-nosuchhash")).toThrow(/unsupported/);
  });

  it("with an empty key signs with an empty string and accepts anything (spec)", () => {
    const signer = new Signer("");
    expect(signer.enabled).toBe(false);
    expect(signer.sign([b("x")])).toBe("");
    expect(signer.verify(b(""), [b("x")])).toBe(true);
  });
});

describe("encode", () => {
  it("produces the golden frames: identities, delimiter, signature, header, parent, metadata, content", () => {
    const signer = new Signer("secret-key");
    const frames = encode(signer, [b("client-1")], HEADER, {}, { content: {} as never });
    expect(frames.map((f) => f.toString())).toEqual(golden().map((f) => f.toString()));
  });

  it("appends binary buffers after the content, outside the signature", () => {
    const signer = new Signer("secret-key");
    const frames = encode(signer, [], HEADER, {}, { content: {} as never, buffers: [new Uint8Array([1, 2, 3])] });
    expect(frames).toHaveLength(7);
    expect([...frames[6]!]).toEqual([1, 2, 3]);
    expect(frames[1]!.toString()).toBe(GOLDEN_SIGNATURE);
  });
});

describe("decode", () => {
  const signer = new Signer("secret-key");

  it("parses the golden frames", () => {
    const result = decode(golden(), signer);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.message.identities.map(String)).toEqual(["client-1"]);
    expect(result.message.header).toEqual(HEADER);
    expect(result.message.parent_header).toEqual({});
    expect(result.message.content).toEqual({});
    expect(result.message.buffers).toEqual([]);
  });

  it("round-trips encode → decode with several identities and buffers", () => {
    const frames = encode(signer, [b("a"), b("b")], HEADER, HEADER, { content: { code: "1+1" } as never, metadata: { k: 1 }, buffers: [b("bin")] });
    const result = decode(frames, signer);
    expect(result.ok && result.message.identities.map(String)).toEqual(["a", "b"]);
    expect(result.ok && result.message.content).toEqual({ code: "1+1" });
    expect(result.ok && result.message.parent_header).toEqual(HEADER);
    expect(result.ok && result.message.buffers.map(String)).toEqual(["bin"]);
  });

  it("drops unsigned and badly signed messages before parsing them", () => {
    const unsigned = golden();
    unsigned[2] = b("");
    expect(decode(unsigned, signer)).toMatchObject({ ok: false, reason: "bad_signature", detail: "unsigned message" });
    const flipped = golden();
    flipped[2] = b(GOLDEN_SIGNATURE.replace(/^6/, "7"));
    expect(decode(flipped, signer)).toMatchObject({ ok: false, reason: "bad_signature" });
    const tampered = golden();
    tampered[6] = b('{"code":"rm -rf"}');
    expect(decode(tampered, signer)).toMatchObject({ ok: false, reason: "bad_signature" });
    const short = golden();
    short[2] = b("64b1");
    expect(decode(short, signer)).toMatchObject({ ok: false, reason: "bad_signature" });
    expect(decode(golden(), new Signer("other-key"))).toMatchObject({ ok: false, reason: "bad_signature" });
  });

  it("reports framing errors as typed results, never throws", () => {
    expect(decode([b("x"), b("y")], signer)).toMatchObject({ ok: false, reason: "no_delimiter" });
    expect(decode([b(DELIMITER), b(GOLDEN_SIGNATURE), b(HEADER_JSON)], signer)).toMatchObject({ ok: false, reason: "too_few_frames" });
    expect(decode([], signer)).toMatchObject({ ok: false, reason: "no_delimiter" });
    const open = new Signer("");
    expect(decode([b(DELIMITER), b(""), b("{nope"), b("{}"), b("{}"), b("{}")], open)).toMatchObject({ ok: false, reason: "bad_json" });
    expect(decode([b(DELIMITER), b(""), b('{"msg_id":1}'), b("{}"), b("{}"), b("{}")], open)).toMatchObject({ ok: false, reason: "bad_header" });
    expect(decode([b(DELIMITER), b(""), b("[]"), b("{}"), b("{}"), b("{}")], open)).toMatchObject({ ok: false, reason: "bad_header" });
  });

  it("fills optional header fields and tolerates a non-object parent or metadata", () => {
    const open = new Signer("");
    const result = decode([b(DELIMITER), b(""), b('{"msg_id":"1","msg_type":"kernel_info_request"}'), b("null"), b("3"), b("{}")], open);
    expect(result.ok && result.message.header).toEqual({ msg_id: "1", msg_type: "kernel_info_request", session: "", username: "", date: "", version: "" });
    expect(result.ok && result.message.parent_header).toEqual({});
    expect(result.ok && result.message.metadata).toEqual({});
  });
});

describe("ReplayGuard", () => {
  it("admits a signature once, forgets the oldest when full", () => {
    const guard = new ReplayGuard(4);
    expect(guard.admit("a")).toBe(true);
    expect(guard.admit("a")).toBe(false);
    for (const s of ["b", "c", "d", "e"]) expect(guard.admit(s)).toBe(true);
    expect(guard.admit("a")).toBe(true); // forgotten
    expect(guard.admit("")).toBe(true); // unsigned (no key) is not tracked
    expect(guard.admit("")).toBe(true);
  });
});
