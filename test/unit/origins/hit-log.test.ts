import { describe, expect, it } from "vitest";
// @ts-expect-error plain ESM helper of the demo origins (scripts/lib), no type declarations
import { HitLog as UntypedHitLog } from "../../../scripts/lib/hit-log.mjs";

interface Fault {
  kind: string;
  from: number;
  to: number | null;
}
interface HitLogLike {
  hit(at?: number): void;
  faultStarted(kind: string, at?: number): Fault;
  faultEnded(f: Fault, at?: number): void;
  since(t: number): { times: number[]; dropped: number; faults: Fault[] };
}
const HitLog = UntypedHitLog as new (opts?: { capacity?: number; now?: () => number }) => HitLogLike;

describe("origin hit log", () => {
  it("answers the arrivals at or after a time, oldest first", () => {
    const log = new HitLog({ now: () => 0 });
    for (const t of [10, 20, 20, 30.5, 40]) log.hit(t);
    expect(log.since(20).times).toEqual([20, 20, 30.5, 40]);
    expect(log.since(20.1).times).toEqual([30.5, 40]);
    expect(log.since(41).times).toEqual([]);
    expect(log.since(0).times).toHaveLength(5);
  });

  it("stays bounded: past twice its capacity it drops the oldest and counts them", () => {
    const log = new HitLog({ capacity: 3 });
    for (let t = 1; t <= 7; t++) log.hit(t);
    const got = log.since(0);
    // After 6 arrivals the log is full; the 7th drops the oldest 3.
    expect(got.times).toEqual([4, 5, 6, 7]);
    expect(got.dropped).toBe(3);
  });

  it("keeps faults that still run at the asked time or began after it", () => {
    let now = 100;
    const log = new HitLog({ now: () => now });
    const down = log.faultStarted("down");
    now = 200;
    log.faultEnded(down);
    const hang = log.faultStarted("hang", 300);
    expect(log.since(150).faults).toEqual([{ kind: "down", from: 100, to: 200 }, { kind: "hang", from: 300, to: null }]);
    expect(log.since(250).faults).toEqual([{ kind: "hang", from: 300, to: null }]);
    log.faultEnded(hang, 400);
    log.faultEnded(hang, 500); // the first end stands
    expect(log.since(350).faults).toEqual([{ kind: "hang", from: 300, to: 400 }]);
  });
});
