import { describe, expect, it } from "vitest";
import { isPrivateHost, privateOriginIssues } from "../../../src/config/private-origins";
import { parseConfig } from "../../../src/config/schema";

const withUrl = (url: string, allow = false) => {
  const r = parseConfig({ allow_private_origins: allow, steering: { policy: "failover" }, pools: [{ id: "p", origins: [{ id: "o", url }] }] });
  if (!r.ok) throw new Error(JSON.stringify(r.issues));
  return r.config;
};

describe("private origins in production", () => {
  const privateUrls = [
    "http://127.0.0.1:8080",
    "http://localhost",
    "http://app.localhost",
    "http://10.1.2.3",
    "http://172.16.0.1",
    "http://192.168.1.1",
    "http://169.254.169.254",
    "http://100.64.0.1",
    "http://0.0.0.0",
    "http://0x7f.1",
    "http://2130706433",
    "http://017700000001",
    "http://[::1]",
    "http://[::]",
    "http://[::ffff:127.0.0.1]",
    "http://[::ffff:7f00:1]",
    "http://[0:0:0:0:0:ffff:7f00:1]",
    "http://[0000:0000:0000:0000:0000:ffff:127.0.0.1]",
    "http://[::ffff:a9fe:a9fe]",
    "http://[::ffff:10.0.0.1]",
    "http://[::127.0.0.1]",
    "http://[::ffff:0:127.0.0.1]",
    "http://[64:ff9b::127.0.0.1]",
    "http://[2002:7f00:1::]",
    "http://[fc00::1]",
    "http://[fd12:3456::1]",
    "http://[fe80::1]",
    "http://[FE80::abcd]",
  ];
  it.each(privateUrls)("refuses %s unless allow_private_origins", (url) => {
    expect(privateOriginIssues(withUrl(url), true)).toHaveLength(1);
    expect(privateOriginIssues(withUrl(url, true), true)).toHaveLength(0);
    expect(privateOriginIssues(withUrl(url), false)).toHaveLength(0);
  });
  it.each(["https://example.com", "http://8.8.8.8", "http://[2606:4700::1111]", "http://[::ffff:8.8.8.8]", "http://172.32.0.1", "http://[64:ff9b::8.8.8.8]"])(
    "allows the public %s",
    (url) => expect(privateOriginIssues(withUrl(url), true)).toEqual([]),
  );
  it("names the field", () => {
    expect(privateOriginIssues(withUrl("http://[::ffff:7f00:1]"), true)[0]?.path).toBe("pools.0.origins.0.url");
  });
  it("treats a host it cannot parse as private", () => expect(isPrivateHost("[zz::")).toBe(true));
});
