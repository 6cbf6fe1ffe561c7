/**
 * An in-memory stand-in for the D1 binding, for benchmarks under bare `workerd serve`
 * (which has no D1). It serves the config_versions read the router makes and accepts
 * every write, counting statements (a batch counts each statement it carries, as D1
 * bills them), so the bench can report D1 statements per 1,000 requests.
 */
export interface D1Counter {
  statements: number;
  batches: number;
}

class FakeStatement {
  params: unknown[] = [];
  constructor(
    private readonly db: FakeD1,
    readonly sql: string,
  ) {}
  bind(...params: unknown[]): FakeStatement {
    const s = new FakeStatement(this.db, this.sql);
    s.params = params;
    return s;
  }
  private rows(): Record<string, unknown>[] {
    if (/from\s+"?config_versions"?/i.test(this.sql) && /^\s*select/i.test(this.sql)) {
      const row = this.db.config;
      if (!row) return [];
      const known = this.params.find((p) => typeof p === "number");
      const unchanged = /case when/i.test(this.sql) && known === row.version;
      return [{ version: row.version, config: unchanged ? null : row.config, created_at: 0, note: "" }];
    }
    return [];
  }
  async first<T>(col?: string): Promise<T | null> {
    this.db.count.statements++;
    const r = this.rows()[0];
    if (!r) return null;
    return (col ? r[col] : r) as T;
  }
  async all<T>(): Promise<{ results: T[]; success: true; meta: Record<string, number> }> {
    this.db.count.statements++;
    return { results: this.rows() as T[], success: true, meta: { changes: 0, duration: 0, rows_read: 0, rows_written: 0 } };
  }
  async run<T>(): Promise<{ results: T[]; success: true; meta: Record<string, number> }> {
    return this.all<T>();
  }
  async raw<T>(): Promise<T[]> {
    this.db.count.statements++;
    return this.rows().map((r) => Object.values(r)) as T[];
  }
}

export class FakeD1 {
  readonly count: D1Counter = { statements: 0, batches: 0 };
  constructor(public config: { version: number; config: string } | undefined) {}
  prepare(sql: string): FakeStatement {
    return new FakeStatement(this, sql);
  }
  async batch(stmts: FakeStatement[]): Promise<unknown[]> {
    this.count.batches++;
    return Promise.all(stmts.map((s) => s.all()));
  }
  async exec(): Promise<{ count: number; duration: number }> {
    this.count.statements++;
    return { count: 1, duration: 0 };
  }
  withSession(): FakeD1 {
    return this;
  }
  async dump(): Promise<ArrayBuffer> {
    return new ArrayBuffer(0);
  }
}
