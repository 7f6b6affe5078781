import postgres from "postgres";

/**
 * A new database on the PostgreSQL server at $VERITY_TEST_DATABASE_URL (the test suite's
 * server), dropped again by `drop()`: fault runs never touch a database someone uses.
 */
export async function createThrowawayDatabase(prefix: string) {
  const adminUrl =
    process.env.VERITY_TEST_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
  const name = `${prefix}_${Date.now().toString(36)}_${process.pid}`;
  const admin = postgres(adminUrl, { max: 1, onnotice: () => {} });
  await admin.unsafe(`create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end();
    },
  };
}
