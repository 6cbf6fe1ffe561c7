import { desc, eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/d1";
import { configVersions } from "../db/schema";
import { type EdgeConfig, edgeConfigSchema } from "./schema";

/** Versioned config in D1: append-only; the active config is the highest version. */

export interface ActiveConfig {
  version: number;
  config: EdgeConfig;
}

export interface VersionInfo {
  version: number;
  created_at: string;
  note: string;
}

/**
 * A stored row that no longer parses (the schema tightened since it was written) is a
 * fault worth surfacing, not a config to serve.
 */
function decode(row: { version: number; config: string }): ActiveConfig {
  const parsed = edgeConfigSchema.safeParse(JSON.parse(row.config));
  if (!parsed.success) throw new Error(`stored config version ${row.version} no longer validates: ${parsed.error.message}`);
  return { version: row.version, config: parsed.data };
}

/** The active (newest) config, or null when none was ever stored. */
export async function loadActiveConfig(db: D1Database): Promise<ActiveConfig | null> {
  const rows = await drizzle(db)
    .select({ version: configVersions.version, config: configVersions.config })
    .from(configVersions)
    .orderBy(desc(configVersions.version))
    .limit(1);
  const row = rows[0];
  return row ? decode(row) : null;
}

/**
 * The active config if its version differs from `knownVersion`, else "unchanged". One
 * indexed statement; the config text travels only when it changed. "Differs", not
 * "is newer": a database restored from a backup must still win.
 */
export async function loadActiveIfChanged(db: D1Database, knownVersion: number): Promise<ActiveConfig | "unchanged" | null> {
  const rows = await drizzle(db)
    .select({
      version: configVersions.version,
      config: sql<string | null>`CASE WHEN ${configVersions.version} = ${knownVersion} THEN NULL ELSE ${configVersions.config} END`,
    })
    .from(configVersions)
    .orderBy(desc(configVersions.version))
    .limit(1);
  const row = rows[0];
  if (!row) return null;
  if (row.config === null) return "unchanged";
  return decode({ version: row.version, config: row.config });
}

export async function loadConfigVersion(db: D1Database, version: number): Promise<ActiveConfig | null> {
  const rows = await drizzle(db)
    .select({ version: configVersions.version, config: configVersions.config })
    .from(configVersions)
    .where(eq(configVersions.version, version))
    .limit(1);
  const row = rows[0];
  return row ? decode(row) : null;
}

/** Stores a validated config as a new version and returns its number. */
export async function storeConfig(db: D1Database, config: EdgeConfig, note: string, now: number): Promise<number> {
  const rows = await drizzle(db)
    .insert(configVersions)
    .values({ config: JSON.stringify(config), createdAt: now, note })
    .returning({ version: configVersions.version });
  const row = rows[0];
  if (!row) throw new Error("config insert returned no version");
  return row.version;
}

export async function listConfigVersions(db: D1Database, limit: number): Promise<VersionInfo[]> {
  const rows = await drizzle(db)
    .select({ version: configVersions.version, createdAt: configVersions.createdAt, note: configVersions.note })
    .from(configVersions)
    .orderBy(desc(configVersions.version))
    .limit(limit);
  return rows.map((r) => ({ version: r.version, created_at: new Date(r.createdAt).toISOString(), note: r.note }));
}
