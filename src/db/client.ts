import { fileURLToPath } from "node:url";
import { PGlite } from "@electric-sql/pglite";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import { sql } from "drizzle-orm";
import postgres from "postgres";
import * as schema from "./schema/index.ts";
import { pgliteByteaTypes } from "./pglite-bytea.ts";
import { openPgliteThread } from "./pglite-thread.ts";
import { acquireStoreLock, type StoreOwner } from "./store-lock.ts";

export type Schema = typeof schema;
/** The drizzle database, whichever driver is behind it: every query is written once for both. */
export type Database = PgDatabase<PgQueryResultHKT, Schema>;

export type DatabaseHandle = {
  db: Database;
  kind: "pglite" | "postgres";
  /** Apply the committed migrations; safe to call on every start. */
  migrate(): Promise<void>;
  /** Tell a second process more about this one (a server's URL); a no-op on PostgreSQL. */
  describeOwner(extra: Partial<StoreOwner>): void;
  close(): Promise<void>;
};

export const MIGRATIONS_DIR = fileURLToPath(new URL("../../migrations", import.meta.url));

export type DatabaseOptions =
  | { url: string }
  /**
   * `dataDir` undefined keeps PGlite in memory (tests). A data directory is owned by the process
   * that opens it: `role` ("server", "ingest") tells a second process who holds it. `ownThread`
   * runs the store in a thread of its own (pglite-thread.ts), as a server does; needs `dataDir`.
   */
  | { url?: undefined; dataDir?: string; role?: string; ownThread?: boolean };

export async function openDatabase(options: DatabaseOptions): Promise<DatabaseHandle> {
  if (options.url !== undefined) return openPostgres(options.url);
  return openPglite(options.dataDir, options.role ?? "process", options.ownThread ?? false);
}

function openPostgres(url: string): DatabaseHandle {
  const client = postgres(url, {
    max: 10,
    onnotice: () => {},
    // Fail fast when the server is down so requests turn into 503s instead of hanging.
    connect_timeout: 5,
    // postgres.js waits this long before reconnecting after a failed connection, and a request
    // waits with it. Its default grows with every failure to 20 s (3^n/100 s), so during an
    // outage a request waited up to 20 s for its 503 and, once the database was back, up to 20 s
    // more for its first answer. Capped at 1 s: prompt 503s, recovery within a second.
    backoff: (retries: number) => Math.min(0.05 * 2 ** retries, 1),
  });
  const db = drizzlePostgres(client, { schema }) as unknown as Database;
  let closed = false;
  return {
    db,
    kind: "postgres",
    migrate: () => migratePostgres(db as never, { migrationsFolder: MIGRATIONS_DIR }),
    describeOwner: () => {},
    async close() {
      if (closed) return;
      closed = true;
      await client.end({ timeout: 5 });
    },
  };
}

/** An open PGlite store, before its handle adds the lock: its queries, migrations and close. */
type OpenedStore = Pick<DatabaseHandle, "db" | "migrate" | "close">;

async function openPglite(
  dataDir: string | undefined,
  role: string,
  ownThread: boolean,
): Promise<DatabaseHandle> {
  // Own the directory before PGlite reads a byte of it (store-lock.ts says why).
  const lock = dataDir
    ? await acquireStoreLock(dataDir, role, (error) => {
        throw new Error(`Lost ownership of the embedded store ${dataDir}: ${error.message}`);
      })
    : null;
  let store: OpenedStore;
  try {
    store =
      ownThread && dataDir !== undefined
        ? await openInThread(dataDir)
        : await openInProcess(dataDir);
  } catch (error) {
    await lock?.release();
    throw error;
  }
  let closed = false;
  return {
    db: store.db,
    kind: "pglite",
    migrate: store.migrate,
    describeOwner: (extra) => lock?.describe(extra),
    async close() {
      // An unclosed PGlite keeps the event loop alive after writes: every exit path calls this.
      if (closed) return;
      closed = true;
      try {
        await store.close();
      } finally {
        await lock?.release();
      }
    },
  };
}

async function openInProcess(dataDir: string | undefined): Promise<OpenedStore> {
  const client = await PGlite.create(dataDir, pgliteByteaTypes);
  const db = drizzlePglite(client, { schema }) as unknown as Database;
  return {
    db,
    migrate: () => migratePglite(db as never, { migrationsFolder: MIGRATIONS_DIR }),
    close: () => client.close(),
  };
}

/** The store in a thread of its own, reached as PostgreSQL is: same driver, same migrations. */
async function openInThread(dataDir: string): Promise<OpenedStore> {
  const thread = await openPgliteThread(dataDir);
  const db = drizzlePostgres(thread.client, { schema }) as unknown as Database;
  return {
    db,
    migrate: () => migratePostgres(db as never, { migrationsFolder: MIGRATIONS_DIR }),
    close: () => thread.close(),
  };
}

/**
 * Throws unless the store can be read: a trivial query is not enough, since a damaged store still
 * answers `select 1`; this reads a page of every table answering depends on.
 */
export async function checkStoreReadable(db: Database): Promise<void> {
  await db.execute(
    sql`select (select count(*) from (select 1 from chunks limit 1) c)
             + (select count(*) from (select 1 from document_versions limit 1) v)
             + (select count(*) from (select 1 from documents limit 1) d)
             + (select count(*) from (select 1 from sources limit 1) s)
             + (select count(*) from (select 1 from answers limit 1) a)
             + (select count(*) from corpus_stats) as pages`,
  );
}
