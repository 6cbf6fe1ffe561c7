/**
 * MurmurHash3, x86 32-bit variant (Austin Appleby, SMHasher `MurmurHash3_x86_32`,
 * public domain; the constants below are the published ones). Chosen for the `hash`
 * picker because it avalanches well on short, similar inputs (client IPs, cookie tokens,
 * "origin#17"), where FNV-1a's weak mixing of the last bytes shows up as clumps on a
 * ring, and because it is all 32-bit integer arithmetic (Math.imul), cheap in JS.
 */

const C1 = 0xcc9e2d51;
const C2 = 0x1b873593;

function mixK(k: number): number {
  k = Math.imul(k, C1);
  k = (k << 15) | (k >>> 17);
  return Math.imul(k, C2);
}

function mixH(h: number, k: number): number {
  h ^= mixK(k);
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** The finaliser alone: a bijection on 32-bit integers with full avalanche. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** MurmurHash3_x86_32 over raw bytes (used to check the published test vectors). */
export function murmur3Bytes(bytes: Uint8Array, seed = 0): number {
  let h = seed | 0;
  const blocks = bytes.length & ~3;
  for (let i = 0; i < blocks; i += 4) {
    h = mixH(h, bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24));
  }
  const tail = bytes.length & 3;
  if (tail > 0) {
    let k = bytes[blocks]!;
    if (tail > 1) k |= bytes[blocks + 1]! << 8;
    if (tail > 2) k |= bytes[blocks + 2]! << 16;
    h ^= mixK(k);
  }
  return fmix32(h ^ bytes.length);
}

/**
 * MurmurHash3_x86_32 of a string's UTF-16LE bytes, read straight from the code units
 * (two per 32-bit block) without encoding: the same value as murmur3Bytes over the
 * UTF-16LE encoding, at a fraction of the cost.
 */
export function murmur3String(s: string, seed = 0): number {
  let h = seed | 0;
  const n = s.length;
  const pairs = n & ~1;
  for (let i = 0; i < pairs; i += 2) h = mixH(h, s.charCodeAt(i) | (s.charCodeAt(i + 1) << 16));
  if (n & 1) h ^= mixK(s.charCodeAt(n - 1));
  return fmix32(h ^ (n * 2));
}
