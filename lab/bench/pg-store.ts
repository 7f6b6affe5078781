import { cp } from "node:fs/promises";
import { join } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { PGlite } from "@electric-sql/pglite";
import postgres from "postgres";
import { openDatabase } from "../../src/db/client.ts";
import { readCorpusState, refreshCorpusStatistics } from "../../src/db/corpus-state.ts";
import { indexDir } from "../../src/retrieval/index-store.ts";

/** The corpus tables, parents first; everything else a server makes (policy, ledger) itself. */
const TABLES = ["sources", "documents", "document_versions", "chunks"] as const;
/** Rows per COPY: 20k chunks are ~50 MB in binary form (a 512-wide vector is 2 KB). */
const ROWS_PER_COPY = 20_000;

export type PostgresCopy = { copy_ms: number; statistics_ms: number; chunks: number };

/**
 * Copy a bench PGlite store's corpus into the empty PostgreSQL database at `url`, row for row
 * (binary COPY out of PGlite, binary COPY into PostgreSQL; `fts` is generated again by the
 * server), then its statistics; and its saved vector index into `dataDir`, so the server loads
 * the graph (and renames it for this store's corpus state) instead of building it again.
 */
export async function copyStoreToPostgres(
  storeDir: string,
  target: { url: string; dataDir: string },
): Promise<PostgresCopy> {
  const started = performance.now();
  const handle = await openDatabase({ url: target.url });
  const raw = postgres(target.url, { max: 1, onnotice: () => {} });
  const source = await PGlite.create(join(storeDir, "pglite"));
  try {
    await handle.migrate();
    for (const table of TABLES) await copyTable(source, raw, table);
    const copied = performance.now();
    await refreshCorpusStatistics(handle.db);
    const { chunkCount } = await readCorpusState(handle.db);
    await cp(indexDir(storeDir), indexDir(target.dataDir), { recursive: true });
    return {
      copy_ms: Math.round(copied - started),
      statistics_ms: Math.round(performance.now() - copied),
      chunks: chunkCount,
    };
  } finally {
    await source.close();
    await raw.end();
    await handle.close();
  }
}

async function copyTable(source: PGlite, target: postgres.Sql, table: string): Promise<void> {
  const { rows } = await source.query<{ column_name: string }>(
    `select column_name from information_schema.columns
     where table_schema = 'public' and table_name = $1 and is_generated = 'NEVER'
     order by ordinal_position`,
    [table],
  );
  const columns = rows.map((r) => `"${r.column_name}"`).join(", ");
  for (let after: string | null = ""; after !== null;) {
    // The last id of this page, or null when the rest fits in one.
    const bound: { rows: { id: string }[] } = await source.query<{ id: string }>(
      `select id from ${table} where id > $1 order by id offset ${ROWS_PER_COPY - 1} limit 1`,
      [after],
    );
    const last: string | null = bound.rows[0]?.id ?? null;
    const where = `id > ${literal(after)}${last === null ? "" : ` and id <= ${literal(last)}`}`;
    const out = await source.query(
      `copy (select ${columns} from ${table} where ${where} order by id) to '/dev/blob' with (format binary)`,
    );
    const bytes = Buffer.from(await out.blob!.arrayBuffer());
    const sink = await target
      .unsafe(`copy ${table} (${columns}) from stdin with (format binary)`)
      .writable();
    await pipeline(Readable.from([bytes]), sink);
    after = last;
  }
}

/** Ids are the pipeline's own (`chk_…`), but a literal is still quoted as one. */
function literal(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}
