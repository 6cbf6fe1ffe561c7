// When requests reached an origin, and when its faults (down, hang) began and ended: the
// record a failover benchmark reads to tell how long traffic kept arriving after a fault.
// Bounded: past 2 × capacity arrivals the oldest `capacity` are dropped (and counted).

const MAX_FAULTS = 1000;

/** Epoch milliseconds with sub-millisecond precision, monotonic within the process. */
export const epochMs = () => performance.timeOrigin + performance.now();

export class HitLog {
  /** @param {{ capacity?: number, now?: () => number }} [opts] */
  constructor(opts = {}) {
    this.capacity = opts.capacity ?? 200_000;
    this.now = opts.now ?? epochMs;
    /** @type {number[]} arrival times, oldest first */
    this.times = [];
    this.dropped = 0;
    /** @type {{ kind: string, from: number, to: number | null }[]} */
    this.faults = [];
  }

  hit(at = this.now()) {
    if (this.times.length >= 2 * this.capacity) {
      this.times.splice(0, this.capacity);
      this.dropped += this.capacity;
    }
    this.times.push(round(at));
  }

  /** A fault began at `at`; returns the entry to pass to faultEnded(). */
  faultStarted(kind, at = this.now()) {
    const f = { kind, from: round(at), to: null };
    this.faults.push(f);
    if (this.faults.length > MAX_FAULTS) this.faults.shift();
    return f;
  }

  faultEnded(fault, at = this.now()) {
    if (fault.to === null) fault.to = round(at);
  }

  /** Arrivals at or after `t` (epoch ms) and the faults still running at `t` or begun after. */
  since(t) {
    let lo = 0;
    let hi = this.times.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.times[mid] < t) lo = mid + 1;
      else hi = mid;
    }
    return {
      times: this.times.slice(lo),
      dropped: this.dropped,
      faults: this.faults.filter((f) => f.to === null || f.to >= t).map((f) => ({ ...f })),
    };
  }
}

/** To 1 µs: finer than anything measured here, and keeps the JSON short. */
const round = (ms) => Math.round(ms * 1000) / 1000;
