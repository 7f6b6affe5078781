import { sql } from "drizzle-orm";
import { openDatabase, type Database } from "../../src/db/client.ts";
import { queryRows } from "../../src/db/query.ts";
import { sha256 } from "../../src/hash.ts";
import type { Embedder } from "../../src/retrieval/embedder.ts";
import { loadManifest } from "../../ingest/manifest.ts";
import { ingestManifest } from "../../ingest/pipeline.ts";

/** What a corpus is, independent of the store, run ids and vectors: compared across stores. */
export type CorpusFingerprint = {
  /** `source:path text_sha256`, sorted: the current version of every present document. */
  documents: string[];
  /** `source:path#ordinal start-end sha256`, sorted: their chunks. */
  chunks: string[];
};

export async function readCorpusFingerprint(db: Database): Promise<CorpusFingerprint> {
  const documents = await queryRows<{ key: string }>(
    db,
    sql`select d.source_id || ':' || d.path || ' ' || v.text_sha256 as key
        from documents d join document_versions v on v.document_id = d.id
        where d.removed_at is null and v.superseded_at is null order by key`,
  );
  const chunks = await queryRows<{ key: string }>(
    db,
    sql`select d.source_id || ':' || d.path || '#' || c.ordinal || ' ' || c.start_offset || '-'
               || c.end_offset || ' ' || c.sha256 as key
        from documents d
        join document_versions v on v.document_id = d.id and v.superseded_at is null
        join chunks c on c.version_id = v.id
        where d.removed_at is null order by key`,
  );
  return { documents: documents.map((r) => r.key), chunks: chunks.map((r) => r.key) };
}

/**
 * The corpus a clean, single, uninterrupted ingest of the manifest gives: the real pipeline into
 * a fresh in-memory store. Vectors play no part in the fingerprint, so a constant one will do.
 */
export async function ingestReference(manifestPath: string): Promise<CorpusFingerprint> {
  const handle = await openDatabase({});
  try {
    await handle.migrate();
    const embedder: Embedder = {
      modelId: "reference-only@1",
      dimension: 1,
      embedDocuments: async (texts) => texts.map(() => Float32Array.of(1)),
      embedQuery: async () => Float32Array.of(1),
      close: async () => {},
    };
    await ingestManifest({
      db: handle.db,
      embedder,
      manifest: await loadManifest(manifestPath),
      ingestedBy: "reference",
    });
    return await readCorpusFingerprint(handle.db);
  } finally {
    await handle.close();
  }
}

/**
 * Every promise the store makes after any interruption, as a list of violations (empty: all
 * hold). `expected` is the clean ingest of the same manifest; `dimension` the embedder's.
 */
export async function findViolations(
  db: Database,
  options: { expected: CorpusFingerprint; dimension: number },
): Promise<string[]> {
  const violations: string[] = [];
  const count = async (label: string, query: ReturnType<typeof sql>) => {
    const [row] = await queryRows<{ n: number }>(db, query);
    if (Number(row?.n) > 0) violations.push(`${label}: ${row!.n}`);
  };
  await count(
    "versions without chunks (a partial write)",
    sql`select count(*)::int as n from document_versions v
        where not exists (select 1 from chunks c where c.version_id = v.id)`,
  );
  await count(
    "chunks without their version",
    sql`select count(*)::int as n from chunks c
        where not exists (select 1 from document_versions v where v.id = c.version_id)`,
  );
  await count(
    "versions without their document",
    sql`select count(*)::int as n from document_versions v
        where not exists (select 1 from documents d where d.id = v.document_id)`,
  );
  await count(
    "present documents without exactly one current version",
    sql`select count(*)::int as n from documents d where d.removed_at is null and
          (select count(*) from document_versions v
           where v.document_id = d.id and v.superseded_at is null) <> 1`,
  );
  await count(
    "documents with more than one current version",
    sql`select count(*)::int as n from (select document_id from document_versions
        where superseded_at is null group by document_id having count(*) > 1) x`,
  );
  await count(
    "duplicate (document, version)",
    sql`select count(*)::int as n from (select 1 from document_versions
        group by document_id, version having count(*) > 1) x`,
  );
  await count(
    "duplicate (version, ordinal)",
    sql`select count(*)::int as n from (select 1 from chunks
        group by version_id, ordinal having count(*) > 1) x`,
  );
  await count(
    "runs still marked running",
    sql`select count(*)::int as n from ingest_runs where status = 'running'`,
  );
  await count(
    "embedding models among chunks beyond one",
    sql`select greatest(count(distinct embedding_model) - 1, 0)::int as n from chunks`,
  );
  await count(
    "chunks whose vector has another dimension",
    sql`select count(*)::int as n from chunks where octet_length(embedding) / 4 <> ${options.dimension}`,
  );

  // Offsets are UTF-16 code units, as JavaScript counts them: compare here, not in SQL.
  const versions = await queryRows<{ id: string; text: string; text_sha256: string }>(
    db,
    sql`select id, text, text_sha256 from document_versions`,
  );
  const texts = new Map(versions.map((v) => [v.id, v.text]));
  for (const v of versions)
    if (sha256(v.text) !== v.text_sha256) violations.push(`version ${v.id}: text hash differs`);
  const chunks = await queryRows<{
    id: string;
    version_id: string;
    start_offset: number;
    end_offset: number;
    text: string;
    sha256: string;
  }>(db, sql`select id, version_id, start_offset, end_offset, text, sha256 from chunks`);
  for (const c of chunks) {
    if (texts.get(c.version_id)?.slice(c.start_offset, c.end_offset) !== c.text)
      violations.push(`chunk ${c.id}: text differs from its version at its offsets`);
    if (sha256(c.text) !== c.sha256) violations.push(`chunk ${c.id}: hash differs`);
  }

  const actual = await readCorpusFingerprint(db);
  for (const key of ["documents", "chunks"] as const) {
    const missing = options.expected[key].filter((k) => !actual[key].includes(k));
    const extra = actual[key].filter((k) => !options.expected[key].includes(k));
    if (missing.length || extra.length)
      violations.push(
        `${key} differ from a clean ingest: ${missing.length} missing (${missing.slice(0, 2).join("; ")}), ${extra.length} extra (${extra.slice(0, 2).join("; ")})`,
      );
  }
  return violations;
}

/** What the store says about runs and versions, for classifying where a kill landed. */
export async function readRuns(db: Database) {
  return queryRows<{ id: string; process: string | null; status: string; versions: number }>(
    db,
    sql`select r.id, r.process, r.status,
               (select count(*)::int from document_versions v where v.ingest_run_id = r.id) as versions
        from ingest_runs r order by r.started_at`,
  );
}

/** Chunks a server would search: current versions of present documents. */
export async function countCurrentChunks(db: Database): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    db,
    sql`select count(*)::int as n from chunks c
        join document_versions v on v.id = c.version_id and v.superseded_at is null
        join documents d on d.id = v.document_id and d.removed_at is null`,
  );
  return Number(row?.n ?? 0);
}

/** The one embedding model of the stored chunks (null for none). */
export async function readChunkModel(db: Database): Promise<string | null> {
  const [row] = await queryRows<{ model: string | null }>(
    db,
    sql`select min(embedding_model) as model from chunks`,
  );
  return row?.model ?? null;
}
