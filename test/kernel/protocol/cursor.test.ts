// Code points (the protocol's cursor_pos) against UTF-16 indices (JavaScript's).

import { describe, expect, it } from "vitest";
import { codePointLength, codePointToUtf16, utf16ToCodePoint } from "../../../src/kernel/protocol/cursor.js";

describe("cursor positions", () => {
  const text = "a😀b𝔘c"; // two astral characters, each two UTF-16 units

  it("agree on BMP-only text", () => {
    expect(codePointToUtf16("hello", 3)).toBe(3);
    expect(utf16ToCodePoint("hello", 3)).toBe(3);
  });

  it("convert past astral characters", () => {
    expect(text.length).toBe(7);
    expect(codePointLength(text)).toBe(5);
    expect([0, 1, 2, 3, 4, 5].map((p) => codePointToUtf16(text, p))).toEqual([0, 1, 3, 4, 6, 7]);
    expect([0, 1, 3, 4, 6, 7].map((i) => utf16ToCodePoint(text, i))).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it("clamp to the end and map a split surrogate pair to its start", () => {
    expect(codePointToUtf16(text, 99)).toBe(7);
    expect(utf16ToCodePoint(text, 2)).toBe(1);
  });
});
