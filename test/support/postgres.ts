import { randomBytes } from "node:crypto";
import postgres from "postgres";

/** The PostgreSQL server the suites run against (a fresh database per store). */
export const ADMIN_URL =
  process.env.VERITY_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

export type StoreKind = "pglite" | "postgres";

/**
 * Which stores the suites run on. PostgreSQL is always included under CI=true; a developer
 * without a server can opt out with VERITY_TEST_POSTGRES=off (never in CI).
 */
export function storeKinds(): StoreKind[] {
  const optOut = process.env.VERITY_TEST_POSTGRES === "off" && process.env.CI !== "true";
  return optOut ? ["pglite"] : ["pglite", "postgres"];
}

/**
 * Create a throwaway database on the server, empty or as a copy of `template` (which nobody may
 * be connected to); fails loudly, with the fix, when the server is not running.
 */
export async function createPostgresDatabase(
  template?: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `verity_test_${randomBytes(6).toString("hex")}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    await admin.unsafe(`create database ${name}${template ? ` template ${template}` : ""}`);
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
