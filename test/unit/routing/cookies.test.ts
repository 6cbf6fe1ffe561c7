import { describe, expect, it } from "vitest";
import { withCookies } from "../../../src/routing/walk";

const cookie = [{ name: "aff", value: "tok", ttlS: 60 }];
const SET = "aff=tok; Max-Age=60; Path=/; HttpOnly; SameSite=Lax";

describe("withCookies", () => {
  it("appends to a response the edge built, in place", async () => {
    const res = new Response("body", { status: 503, headers: { "x-a": "1" } });
    const out = withCookies(res, cookie, false, true);
    expect(out).toBe(res);
    expect(out.headers.get("set-cookie")).toBe(SET);
    expect(await out.text()).toBe("body");
  });

  it("rebuilds an origin's response around its body, status and headers", async () => {
    const res = new Response("body", { status: 201, statusText: "Made", headers: { "x-a": "1" } });
    const out = withCookies(res, cookie, true);
    expect(out).not.toBe(res);
    expect(res.headers.has("set-cookie")).toBe(false);
    expect([out.status, out.statusText, out.headers.get("x-a")]).toEqual([201, "Made", "1"]);
    expect(out.headers.get("set-cookie")).toBe(`${SET}; Secure`);
    expect(await out.text()).toBe("body");
  });

  it("leaves a response without cookies, or an upgrade, alone", () => {
    const res = new Response(null, { status: 200 });
    expect(withCookies(res, undefined, false, true)).toBe(res);
    expect(withCookies(res, [], false)).toBe(res);
  });
});
