import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import { afterEach, describe, expect, it } from "vitest";
import { MIGRATIONS_DIR, openDatabase, type DatabaseHandle } from "../../src/db/client.ts";
import { queryRows } from "../../src/db/query.ts";
import { chunks, documents, documentVersions, sources } from "../../src/db/schema/index.ts";
import { createPostgresDatabase, storeKinds } from "../support/postgres.ts";

/** The last migration that stored vectors as real[]. */
const LAST_REAL_ARRAY_MIGRATION = "0006_ledger";

/** The committed migrations up to `tag`: a store as an earlier release left it. */
async function migrationsUpTo(tag: string): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "verity-migrations-"));
  await cp(MIGRATIONS_DIR, dir, { recursive: true });
  const journalPath = join(dir, "meta", "_journal.json");
  const journal = JSON.parse(await readFile(journalPath, "utf8")) as {
    entries: { idx: number; tag: string }[];
  };
  const last = journal.entries.findIndex((e) => e.tag === tag);
  if (last < 0) throw new Error(`no migration ${tag}`);
  journal.entries = journal.entries.slice(0, last + 1);
  await writeFile(journalPath, JSON.stringify(journal));
  return dir;
}

/**
 * A store written before vectors were bytes keeps every vector, float for float: the migration
 * turns each real[] into the little-endian bytes the column now holds.
 */
describe.each(storeKinds())("the vectors-as-bytes migration on %s", (kind) => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function openEmptyStore(): Promise<DatabaseHandle> {
    if (kind === "pglite") {
      const dataDir = await mkdtemp(join(tmpdir(), "verity-store-"));
      cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
      const handle = await openDatabase({ dataDir });
      cleanups.push(() => handle.close());
      return handle;
    }
    const database = await createPostgresDatabase();
    cleanups.push(() => database.drop());
    const handle = await openDatabase({ url: database.url });
    cleanups.push(() => handle.close());
    return handle;
  }

  it("keeps every stored vector exactly", async () => {
    const handle = await openEmptyStore();
    const { db } = handle;
    const earlier = await migrationsUpTo(LAST_REAL_ARRAY_MIGRATION);
    cleanups.push(() => rm(earlier, { recursive: true, force: true }));
    const migrate = kind === "pglite" ? migratePglite : migratePostgres;
    await migrate(db as never, { migrationsFolder: earlier });

    await db.insert(sources).values({
      id: "s",
      name: "S",
      publisher: "P",
      uri: "file:s",
      license: "CC0",
      trust: "reviewed",
    });
    await db.insert(documents).values({ id: "d", sourceId: "s", path: "a.txt", title: "A" });
    await db.insert(documentVersions).values({
      id: "v",
      documentId: "d",
      version: 1,
      text: "One. Two.",
      textSha256: "t",
      rawSha256: "r",
      mediaType: "text/plain",
      byteLength: 9,
      ingestedBy: "test",
    });
    // As PostgreSQL text, so -0 stays negative zero.
    const values = ["0.1", "-2.5", "3.4028234663852886e38", "1e-45", "-0", "123456.789"];
    await db.execute(sql`
      insert into chunks (id, version_id, ordinal, start_offset, end_offset, text, sha256,
                          embedding_model, embedding)
      values ('c1', 'v', 0, 0, 4, 'One.', 'h1', 'm', ${`{${values.join(",")}}`}::real[]),
             ('c2', 'v', 1, 5, 9, 'Two.', 'h2', 'm', '{}'::real[])`);

    await handle.migrate();
    const rows = await db
      .select({ id: chunks.id, embedding: chunks.embedding })
      .from(chunks)
      .orderBy(chunks.id);
    expect(rows[0]!.embedding).toEqual(Float32Array.from(values, Number));
    expect(Object.is(rows[0]!.embedding[4], -0)).toBe(true);
    expect(rows[1]!.embedding).toEqual(new Float32Array(0));
    const [type] = await queryRows<{ type: string }>(
      db,
      sql`select data_type as type from information_schema.columns
          where table_name = 'chunks' and column_name = 'embedding'`,
    );
    expect(type).toEqual({ type: "bytea" });
  });
});
