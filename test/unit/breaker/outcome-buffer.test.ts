import { describe, expect, it } from "vitest";
import { OutcomeBuffer } from "../../../src/breaker/outcome-buffer";

describe("OutcomeBuffer", () => {
  it("keeps codes in arrival order across growth and empties on take", () => {
    const b = new OutcomeBuffer(1000);
    const codes = Array.from({ length: 300 }, (_, i) => "sfctSFCT"[i % 8]!).join("");
    for (const c of codes) expect(b.push(c)).toBe(true);
    expect(b.length).toBe(300);
    expect(b.take()).toBe(codes);
    expect(b.length).toBe(0);
    expect(b.take()).toBe("");
  });

  it("refuses codes past its bound", () => {
    const b = new OutcomeBuffer(3);
    expect(["s", "f", "c", "t"].map((c) => b.push(c))).toEqual([true, true, true, false]);
    expect(b.take()).toBe("sfc");
  });

  it("puts a failed report back in front, keeping the newest within the bound", () => {
    const b = new OutcomeBuffer(5);
    b.push("c");
    b.push("t");
    b.putBack("ssff");
    expect(b.take()).toBe("sffct");
    b.push("S");
    b.putBack("");
    expect(b.take()).toBe("S");
  });
});
