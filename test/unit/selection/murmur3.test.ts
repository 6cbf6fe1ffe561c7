import { describe, expect, it } from "vitest";
import { fmix32, murmur3Bytes, murmur3String } from "../../../src/routing/selection/murmur3.js";

describe("MurmurHash3_x86_32", () => {
  it("matches the published test vectors", () => {
    const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);
    expect(murmur3Bytes(new Uint8Array(0), 0)).toBe(0);
    expect(murmur3Bytes(new Uint8Array(0), 1)).toBe(0x514e28b7);
    expect(murmur3Bytes(new Uint8Array(0), 0xffffffff)).toBe(0x81f16f39);
    expect(murmur3Bytes(new Uint8Array(4), 0)).toBe(0x2362f9de);
    expect(murmur3Bytes(utf8("Hello, world!"), 1234)).toBe(0xfaf6cdb3);
    expect(murmur3Bytes(utf8("The quick brown fox jumps over the lazy dog"), 0)).toBe(0x2e4ff723);
  });

  it("hashes a string as its UTF-16LE bytes, for odd and even lengths", () => {
    for (const s of ["", "a", "ab", "10.0.0.1", "sessión-ü€", "x".repeat(101)]) {
      const bytes = new Uint8Array(s.length * 2);
      for (let i = 0; i < s.length; i++) {
        bytes[2 * i] = s.charCodeAt(i) & 0xff;
        bytes[2 * i + 1] = s.charCodeAt(i) >> 8;
      }
      expect(murmur3String(s, 42)).toBe(murmur3Bytes(bytes, 42));
    }
  });

  it("avalanches: one input bit flips about half of the output bits", () => {
    let flipped = 0;
    const trials = 2000;
    for (let i = 0; i < trials; i++) {
      const d = (fmix32(i) ^ fmix32(i ^ (1 << (i % 32)))) >>> 0;
      flipped += d.toString(2).split("1").length - 1;
    }
    expect(Math.abs(flipped / trials - 16)).toBeLessThan(0.5);
  });
});
