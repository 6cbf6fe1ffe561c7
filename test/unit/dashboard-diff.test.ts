import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { diffLines, withContext } from "../../dashboard/src/diff";

describe("dashboard config diff", () => {
  it("marks a changed line as one deletion and one addition", () => {
    expect(diffLines("a\nb\nc", "a\nB\nc")).toEqual([
      { op: "same", text: "a" },
      { op: "del", text: "b" },
      { op: "add", text: "B" },
      { op: "same", text: "c" },
    ]);
  });

  it("rebuilds both sides from the script, and keeps only changes for equal texts", () => {
    const lines = fc.array(fc.constantFrom("x", "y", "z", '"a": 1', "}"), { maxLength: 25 });
    fc.assert(
      fc.property(lines, lines, (a, b) => {
        const d = diffLines(a.join("\n"), b.join("\n"));
        expect(d.filter((l) => l.op !== "add").map((l) => l.text)).toEqual(a.join("\n").split("\n"));
        expect(d.filter((l) => l.op !== "del").map((l) => l.text)).toEqual(b.join("\n").split("\n"));
        expect(diffLines(a.join("\n"), a.join("\n")).every((l) => l.op === "same")).toBe(true);
      }),
    );
  });

  it("collapses unchanged runs beyond the context into one marker", () => {
    const a = Array.from({ length: 20 }, (_, i) => `l${i}`);
    const b = [...a];
    b[10] = "changed";
    const out = withContext(diffLines(a.join("\n"), b.join("\n")), 2);
    expect(out[0]).toEqual({ op: "skip", count: 8 });
    expect(out.filter((l) => l.op === "same")).toHaveLength(4);
    expect(out.at(-1)).toEqual({ op: "skip", count: 7 });
  });
});
