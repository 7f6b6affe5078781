import { randomBytes } from "node:crypto";
import postgres from "postgres";

/** The PostgreSQL server tests and lab runs use (trust auth, one fresh database each). */
export const ADMIN_URL =
  process.env.VERITY_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";

/**
 * A new database on the server at ADMIN_URL, empty or a copy of `template` (which nobody may be
 * connected to), dropped again by `drop()`: nothing ever touches a database someone uses. Fails
 * loudly, with the fix, when the server is not running.
 */
export async function createThrowawayDatabase(
  prefix: string,
  template?: string,
): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${prefix}_${randomBytes(6).toString("hex")}`;
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {}, connect_timeout: 5 });
  try {
    await admin.unsafe(`create database ${name}${template ? ` template ${template}` : ""}`);
  } catch (error) {
    await admin.end();
    throw new Error(
      `PostgreSQL is required at ${ADMIN_URL} (${(error as Error).message}). ` +
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
