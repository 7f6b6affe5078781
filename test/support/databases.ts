import { randomBytes } from "node:crypto";
import postgres from "postgres";
import { openDatabase, type DatabaseHandle } from "../../src/db/client.ts";

/** The PostgreSQL server the integration suite runs against (a fresh database per test file). */
export const ADMIN_URL =
  process.env.VERITY_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/**
 * Which stores the integration suites run on. PostgreSQL is always included under CI=true; a
 * developer without a server can opt out with VERITY_TEST_POSTGRES=off (never in CI).
 */
export function storeKinds(): ("pglite" | "postgres")[] {
  const optOut = process.env.VERITY_TEST_POSTGRES === "off" && process.env.CI !== "true";
  return optOut ? ["pglite"] : ["pglite", "postgres"];
}

export type TestDatabase = {
  url: string | undefined;
  handle: DatabaseHandle;
  drop(): Promise<void>;
};

/** A migrated, empty store: in-memory PGlite, or a new database on the PostgreSQL server. */
export async function createTestDatabase(kind: "pglite" | "postgres"): Promise<TestDatabase> {
  if (kind === "pglite") {
    const handle = await openDatabase({});
    await handle.migrate();
    return { url: undefined, handle, drop: () => handle.close() };
  }
  const { url, drop } = await createPostgresDatabase();
  const handle = await openDatabase({ url });
  await handle.migrate();
  return {
    url,
    handle,
    async drop() {
      await handle.close();
      await drop();
    },
  };
}

/** Create a throwaway database on the server; fails loudly (with the fix) when it is not running. */
export async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `verity_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    await admin.unsafe(`create database ${name}`);
  } catch (error) {
    await admin.end();
    throw new Error(
      `PostgreSQL is required for the integration suite at ${ADMIN_URL} (${(error as Error).message}). ` +
        "Start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start",
    );
  }
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
