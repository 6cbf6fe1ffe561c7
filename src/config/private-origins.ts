import type { ConfigIssue, EdgeConfig } from "./schema";

/**
 * In production an origin on loopback or a private range is refused unless the config
 * says `allow_private_origins: true` (CONTRACT.md): a typo there would otherwise point the
 * edge at internal services. Outside production they are always allowed (demo origins).
 * Names are checked literally; a public name resolving to a private address is the DNS
 * owner's decision and not visible from a Worker.
 */
export function privateOriginIssues(config: EdgeConfig, production: boolean): ConfigIssue[] {
  if (!production || config.allow_private_origins) return [];
  const issues: ConfigIssue[] = [];
  config.pools.forEach((p, i) =>
    p.origins.forEach((o, j) => {
      if (isPrivateHost(new URL(o.url).hostname))
        issues.push({
          path: `pools.${i}.origins.${j}.url`,
          message: "loopback or private-range origin; set allow_private_origins to true to allow it in production",
        });
    }),
  );
  return issues;
}

export function isPrivateHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, "");
  if (h === "localhost" || h.endsWith(".localhost") || h.endsWith(".local") || h.endsWith(".internal")) return true;
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(h);
  if (v4) {
    const [a, b] = [Number(v4[1]), Number(v4[2])];
    return (
      a === 0 || a === 10 || a === 127 || (a === 169 && b === 254) || (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) || (a === 100 && b >= 64 && b <= 127)
    );
  }
  if (h.includes(":")) {
    if (h === "::1" || h === "::") return true;
    if (/^f[cd][0-9a-f]{0,2}:/.test(h) || /^fe[89ab][0-9a-f]?:/.test(h)) return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
    if (mapped?.[1]) return isPrivateHost(mapped[1]);
  }
  return false;
}
