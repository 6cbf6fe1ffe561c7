import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { downstreamHeaders, isProtectedUpstream, needsDownstreamRewrite, upstreamHeaders } from "../../../src/routing/headers";
import { clientGeo, geoFromHeader } from "../../../src/routing/geo";
import { scanRequest } from "../../../src/edge/limits";

/** Field names a client might send: ordinary ones, the edge's own, forwarding and cf-* ones. */
const token = fc.stringMatching(/^[a-z0-9-]{1,12}$/);
const name = fc.oneof(
  token,
  token.map((t) => `x-edge-${t}`),
  fc.constantFrom("x-edge-pool", "x-edge-origin", "X-Edge-Attempts", "x-edge-geo", "host", "cf-connecting-ip", "cf-ray", "cf-ipcountry", "x-forwarded-for", "forwarded", "true-client-ip"),
);
const value = fc.stringMatching(/^[ -~]{0,40}$/).map((v) => v.trim());
const fields = fc.array(fc.tuple(name, value), { maxLength: 12 });

const info = (connection: string | null) => ({ connection, clientIp: "203.0.113.9", proto: "https", host: "edge.example", forwardedHost: "edge.example", websocket: false });

describe("header sanitizer (property)", () => {
  it("never forwards an x-edge-* field or the client's Host, and the client's Connection never removes cf-* or forwarding fields", () => {
    fc.assert(
      fc.property(fields, fc.array(name, { maxLength: 6 }), (list, listed) => {
        const h = new Headers();
        for (const [n, v] of list) h.append(n, v);
        const connection = listed.length ? ["keep-alive", ...listed].join(", ") : null;
        if (connection) h.set("connection", connection);
        // As the worker runs it: the limit check's pass tells upstreamHeaders whether to look.
        const scanned = upstreamHeaders(h, { ...info(connection), internalFields: scanRequest("https://edge.example/", h).internalFields });
        for (const n of scanned.keys()) expect(n.startsWith("x-edge-"), n).toBe(false);
        const out = upstreamHeaders(h, info(connection));
        expect([...scanned]).toEqual([...out]);
        for (const n of out.keys()) expect(n.startsWith("x-edge-"), n).toBe(false);
        expect(out.has("host")).toBe(false);
        for (const [n] of list) if (isProtectedUpstream(n) && n.toLowerCase().startsWith("cf-")) expect(out.has(n), n).toBe(true);
        // This hop's client address is always appended, whatever Connection named.
        expect(out.get("x-forwarded-for")?.endsWith("203.0.113.9")).toBe(true);
        expect(out.get("forwarded")).toContain("for=203.0.113.9");
      }),
      { numRuns: 300 },
    );
  });

  it("origin-set x-edge-* fields never reach the client unless debug headers are on", () => {
    fc.assert(
      fc.property(fields, fc.boolean(), (list, debug) => {
        const up = new Headers();
        for (const [n, v] of list) if (n !== "host") up.append(n, v);
        const internal = [...up.keys()].some((n) => n.startsWith("x-edge-"));
        if (!debug && internal) expect(needsDownstreamRewrite(200, up)).toBe(true);
        const out = downstreamHeaders(up, debug);
        if (!debug) for (const n of out.keys()) expect(n.startsWith("x-edge-"), n).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

describe("x-edge-geo parser (property)", () => {
  it("never throws, and what it returns is well-formed", () => {
    const part = fc.oneof(
      fc.string({ maxLength: 30 }),
      fc.tuple(fc.constantFrom("country", "continent", "lat", "lon", "colo", "LAT", " Country "), fc.string({ maxLength: 12 })).map(([k, v]) => `${k}=${v}`),
    );
    fc.assert(
      fc.property(fc.array(part, { maxLength: 8 }), (parts) => {
        const g = geoFromHeader(parts.join(";"));
        expect(g).toBeDefined();
        if (g?.country !== undefined) expect(g.country).toMatch(/^[A-Z]{2}$/);
        if (g?.continent !== undefined) expect(g.continent).toMatch(/^[A-Z]{2}$/);
        if (g?.colo !== undefined) expect(g.colo).toMatch(/^[A-Z0-9]{2,8}$/);
        expect(g?.lat === undefined).toBe(g?.lon === undefined);
        if (g?.lat !== undefined) expect(Math.abs(g.lat)).toBeLessThanOrEqual(90);
        if (g?.lon !== undefined) expect(Math.abs(g.lon)).toBeLessThanOrEqual(180);
      }),
      { numRuns: 500 },
    );
  });

  it("is never read in production, whatever it says", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (v) => {
        const base = { country: "US" };
        expect(clientGeo(base, new Headers({ "x-edge-geo": v.replace(/[\r\n\0]/g, "") }), true)).toBe(base);
      }),
    );
  });
});
