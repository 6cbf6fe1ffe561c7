import type { BreakerConfig } from "../../../src/config/schema";
import type { BreakerObject } from "../../../src/breaker/breaker-object";
import { handleReport } from "../../../src/breaker/report";
import { applyCommand, newRecord, onTimer, type AdminAction, type BreakerRecord, type Transition } from "../../../src/breaker/state-machine";
import type { ReportReply, ReportRequest } from "../../../src/breaker/types";

/**
 * The Durable Object's logic without workerd, for client tests and the fleet simulation in
 * bench/breaker.mjs: the same pure handleReport the object runs, one record per origin, the
 * alarm simulated as "due whenever the clock has passed openUntil". Counts every call.
 */
export class MemoryBreakers {
  readonly records = new Map<string, BreakerRecord>();
  readonly transitions: Array<Transition & { origin: string }> = [];
  calls = 0;
  /** When set, calls fail (an object outage) or never settle (a hung object). */
  mode: "ok" | "fail" | "hang" = "ok";

  constructor(
    private readonly now: () => number,
    private readonly random: () => number = () => 0.5,
  ) {}

  record(origin: string, config: BreakerConfig): BreakerRecord {
    let r = this.records.get(origin);
    if (!r) {
      r = newRecord(this.now(), config);
      this.records.set(origin, r);
    }
    return r;
  }

  report(req: ReportRequest, config: BreakerConfig): ReportReply {
    const rec = this.record(req.origin, config);
    const ctx = { now: this.now(), random: this.random, config };
    const ts = onTimer(rec, ctx);
    const { reply, transitions } = handleReport(rec, req, ctx);
    for (const t of [...ts, ...transitions]) this.transitions.push({ ...t, origin: req.origin });
    return reply;
  }

  command(origin: string, action: AdminAction, config: BreakerConfig): void {
    const rec = this.record(origin, config);
    for (const t of applyCommand(rec, action, { now: this.now(), random: this.random, config }))
      this.transitions.push({ ...t, origin });
  }

  namespace(): Pick<DurableObjectNamespace<BreakerObject>, "idFromName" | "get"> {
    const ns = {
      idFromName: (name: string) => ({ name, toString: () => name }),
      get: (id: { name: string }) => ({
        report: (req: ReportRequest, config: BreakerConfig): Promise<ReportReply> => {
          this.calls += 1;
          if (this.mode === "hang") return new Promise<ReportReply>(() => undefined);
          if (this.mode === "fail") return Promise.reject(new Error("object unavailable"));
          return Promise.resolve().then(() => this.report({ ...req, origin: id.name }, config));
        },
      }),
    };
    // The fake implements only the RPC method the client calls; the stub type is branded.
    return ns as unknown as Pick<DurableObjectNamespace<BreakerObject>, "idFromName" | "get">;
  }
}
