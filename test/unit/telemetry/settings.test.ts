import { describe, expect, it } from "vitest";
import { telemetrySettings } from "../../../src/telemetry/settings";

describe("telemetrySettings", () => {
  it("defaults: on, 10 s flush, 500 keys, 7 and 90 days", () => {
    expect(telemetrySettings({})).toEqual({ enabled: true, flushIntervalMs: 10_000, maxKeys: 500, minuteDays: 7, hourDays: 90 });
  });
  it("reads vars, treating empty strings as unset", () => {
    const s = telemetrySettings({ TELEMETRY_ENABLED: "false", TELEMETRY_FLUSH_MS: "5000", TELEMETRY_MINUTE_DAYS: "3", TELEMETRY_HOUR_DAYS: "" });
    expect(s).toMatchObject({ enabled: false, flushIntervalMs: 5000, minuteDays: 3, hourDays: 90 });
  });
  it("keeps hourly rows at least as long as minute rows", () => {
    expect(telemetrySettings({ TELEMETRY_MINUTE_DAYS: "14", TELEMETRY_HOUR_DAYS: "7" }).hourDays).toBe(14);
  });
  it("throws naming the bad var (a deploy fault)", () => {
    expect(() => telemetrySettings({ TELEMETRY_FLUSH_MS: "60000" })).toThrow(/TELEMETRY_FLUSH_MS/);
    expect(() => telemetrySettings({ TELEMETRY_ENABLED: "yes" })).toThrow(/TELEMETRY_ENABLED/);
  });
});
