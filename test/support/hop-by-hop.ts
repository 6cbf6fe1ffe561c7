/**
 * An origin response carrying every kind of hop-by-hop field: one named in Connection
 * (x-hop), the RFC 9110 §7.6.1 ones, the proxy-* ones, and one end-to-end field that must
 * survive (x-end). Shared by the runtime test (what the worker hands back) and the wire
 * test (what reaches a real client).
 */
export const HOP_RESPONSE = {
  connection: "keep-alive, x-hop",
  "x-hop": "1",
  "keep-alive": "timeout=5",
  "proxy-authenticate": "Basic",
  "proxy-connection": "keep-alive",
  upgrade: "h2c",
  "x-end": "kept",
} as const;
