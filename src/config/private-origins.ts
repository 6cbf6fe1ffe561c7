import type { ConfigIssue, EdgeConfig } from "./schema";

/**
 * In production an origin on loopback or a private range is refused unless the config
 * says `allow_private_origins: true` (CONTRACT.md): a typo there would otherwise point the
 * edge at internal services. Outside production they are always allowed (demo origins).
 * Checked on PUT, on rollback and when an isolate loads a config from D1 (src/config/cache.ts).
 * Names are checked literally; a public name resolving to a private address is the DNS
 * owner's decision and not visible from a Worker.
 */
export function privateOriginIssues(config: EdgeConfig, production: boolean): ConfigIssue[] {
  if (!production || config.allow_private_origins) return [];
  const issues: ConfigIssue[] = [];
  const check = (url: string | undefined, path: string): void => {
    if (url !== undefined && isPrivateUrl(url))
      issues.push({ path, message: "loopback, private, link-local or mapped address; set allow_private_origins to true to allow it in production" });
  };
  config.pools.forEach((p, i) => p.origins.forEach((o, j) => check(o.url, `pools.${i}.origins.${j}.url`)));
  return issues;
}

/** True when the URL does not parse (refused either way) or names a private host. */
function isPrivateUrl(url: string): boolean {
  try {
    return isPrivateHost(new URL(url).hostname);
  } catch {
    return true;
  }
}

/**
 * Whether a host names loopback, a private or link-local range, or an address that maps
 * to one, in any spelling the URL parser accepts: `0x7f.1`, `2130706433`, `[::ffff:127.0.0.1]`,
 * `[::ffff:7f00:1]`, `[0:0:0:0:0:ffff:7f00:1]`, NAT64 and 6to4 forms. The host is put through
 * the WHATWG URL parser first, which canonicalizes every IPv4 and IPv6 spelling.
 */
export function isPrivateHost(hostname: string): boolean {
  let h: string;
  try {
    h = new URL(`http://${hostname.includes(":") && !hostname.startsWith("[") ? `[${hostname}]` : hostname}/`).hostname.toLowerCase();
  } catch {
    return true;
  }
  if (h.endsWith(".")) h = h.slice(0, -1);
  if (h === "localhost" || h.endsWith(".localhost") || h.endsWith(".local") || h.endsWith(".internal") || h.endsWith(".home.arpa")) return true;
  if (h.startsWith("[")) {
    const groups = ipv6Groups(h.slice(1, -1));
    return groups === undefined ? true : isPrivateV6(groups);
  }
  const v4 = ipv4Octets(h);
  return v4 !== undefined && isPrivateV4(v4);
}

function ipv4Octets(h: string): number[] | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  if (!m) return undefined;
  const o = m.slice(1).map(Number);
  return o.every((x) => x <= 255) ? o : undefined;
}

function isPrivateV4([a = 0, b = 0, c = 0]: number[]): boolean {
  return (
    a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127) || (a === 192 && b === 0 && c === 0) ||
    (a === 198 && (b === 18 || b === 19)) || a >= 224
  );
}

/** Eight 16-bit groups of a canonical (URL-serialized) IPv6 address, or undefined. */
export function ipv6Groups(addr: string): number[] | undefined {
  const halves = addr.split("::");
  if (halves.length > 2) return undefined;
  const part = (s: string | undefined): number[] | undefined => {
    if (!s) return [];
    const out: number[] = [];
    for (const g of s.split(":")) {
      const v4 = g.includes(".") ? ipv4Octets(g) : undefined;
      if (v4) out.push(((v4[0] ?? 0) << 8) | (v4[1] ?? 0), ((v4[2] ?? 0) << 8) | (v4[3] ?? 0));
      else if (/^[0-9a-f]{1,4}$/.test(g)) out.push(parseInt(g, 16));
      else return undefined;
    }
    return out;
  };
  const head = part(halves[0]);
  const tail = part(halves[1]);
  if (!head || !tail) return undefined;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 1 ? fill !== 0 : fill < 0) return undefined;
  return [...head, ...new Array<number>(fill).fill(0), ...tail];
}

function embeddedV4(hi: number, lo: number): number[] {
  return [hi >> 8, hi & 255, lo >> 8, lo & 255];
}

function isPrivateV6(g: number[]): boolean {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const zeroTo4 = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  if (zeroTo4 && g5 === 0 && g6 === 0 && (g7 === 0 || g7 === 1)) return true; // :: and ::1
  // IPv4-mapped (::ffff:a.b.c.d), IPv4-compatible (::a.b.c.d) and IPv4-translated (::ffff:0:a.b.c.d).
  if (zeroTo4 && (g5 === 0xffff || g5 === 0)) return isPrivateV4(embeddedV4(g6, g7));
  if (g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0xffff && g5 === 0) return isPrivateV4(embeddedV4(g6, g7));
  // NAT64 well-known prefix 64:ff9b::/96 (RFC 6052) and local-use 64:ff9b:1::/48 (RFC 8215).
  if (g0 === 0x64 && g1 === 0xff9b) return g2 === 1 || isPrivateV4(embeddedV4(g6, g7));
  // 6to4 (2002::/16, RFC 3056) carries an IPv4 address in groups 1 and 2.
  if (g0 === 0x2002) return isPrivateV4(embeddedV4(g1, g2));
  if ((g0 & 0xfe00) === 0xfc00) return true; // unique local fc00::/7
  if ((g0 & 0xffc0) === 0xfe80 || (g0 & 0xffc0) === 0xfec0) return true; // link-local, site-local
  if ((g0 & 0xff00) === 0xff00) return true; // multicast
  if (g0 === 0x2001 && g1 === 0x0db8) return true; // documentation
  return false;
}
