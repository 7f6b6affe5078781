import { sql, type SQL } from "drizzle-orm";
import type { Database } from "./client.ts";
import { queryRows } from "./query.ts";
import type { trustTier } from "./schema/index.ts";
import { vectorFromBytes } from "./schema/vector-column.ts";

/*
 * What the serving process keeps in memory (src/retrieval/corpus-memory.ts), read from the store:
 * every searchable version (current version of a present document) with its provenance and text,
 * and its chunks with their offsets, hashes, stored lexemes and, when asked, vectors. Read a page
 * at a time, so a large corpus never comes back as one result.
 */

/** Rows per query: a page, never the whole corpus at once. */
const PAGE = 2000;

export type SearchableVersion = {
  versionId: string;
  documentId: string;
  sourceId: string;
  sourceName: string;
  title: string;
  path: string;
  uri: string;
  trust: (typeof trustTier.enumValues)[number];
  tenant: string;
  text: string;
  sha256: string;
};

export type SearchableChunk = {
  chunkId: string;
  versionId: string;
  start: number;
  end: number;
  text: string;
  sha256: string;
  suspectedInjection: boolean;
  /** The stored tsvector in its text form (`'lexeme':1,5 ...`). */
  fts: string;
  model: string;
  /** null unless vectors were asked for. */
  embedding: Float32Array | null;
};

const searchable = sql`
  join documents d on d.id = v.document_id and d.removed_at is null
  join sources s on s.id = d.source_id
  where v.superseded_at is null`;

/** Every source as a search filters by it: whose it is, how far trusted, and whether removed. */
export async function readSourceFilters(db: Database) {
  const rows = await queryRows<{
    id: string;
    tenant: string;
    trust: SearchableVersion["trust"];
    removed: boolean;
  }>(db, sql`select id, tenant, trust, removed_at is not null as removed from sources`);
  return new Map(rows.map((r) => [r.id, { tenant: r.tenant, trust: r.trust, removed: r.removed }]));
}

export type SourceFilters = Awaited<ReturnType<typeof readSourceFilters>>;

/** Ids of every searchable version: cheap, and enough to tell what changed since a snapshot. */
export async function readSearchableVersionIds(db: Database): Promise<string[]> {
  const rows = await queryRows<{ id: string }>(
    db,
    sql`select v.id from document_versions v ${searchable}`,
  );
  return rows.map((r) => r.id);
}

/** Ids of the searchable chunks `model` embedded: which vectors a re-embedding has moved. */
export async function readSearchableChunkIdsOf(db: Database, model: string): Promise<string[]> {
  const rows = await queryRows<{ id: string }>(
    db,
    sql`select c.id from chunks c join document_versions v on v.id = c.version_id
        ${searchable} and c.embedding_model = ${model}`,
  );
  return rows.map((r) => r.id);
}

/** The searchable versions (all, or those of `versionIds` still searchable) with provenance. */
export async function readSearchableVersions(
  db: Database,
  versionIds?: readonly string[],
): Promise<SearchableVersion[]> {
  const out: SearchableVersion[] = [];
  await forEachSearchableVersionPage(db, versionIds, (rows) => out.push(...rows));
  return out;
}

/**
 * The searchable versions a page at a time, in id order: a caller that copies what it keeps of
 * each page never holds every version's driver row at once (at a million chunks, hundreds of
 * thousands of rows, each a dictionary-mode object, were the peak of opening a store).
 */
export async function forEachSearchableVersionPage(
  db: Database,
  versionIds: readonly string[] | undefined,
  onPage: (versions: SearchableVersion[]) => void,
): Promise<void> {
  await readPaged(
    versionIds,
    (only, after) =>
      queryRows<SearchableVersion & Record<string, unknown>>(
        db,
        sql`
          select v.id as "versionId", d.id as "documentId", d.source_id as "sourceId",
                 s.name as "sourceName", d.title, d.path, s.uri, s.trust, s.tenant,
                 v.text, v.text_sha256 as sha256
          from document_versions v ${searchable} ${only(sql`v.id`)} and v.id > ${after}
          order by v.id limit ${PAGE}`,
      ),
    onPage,
  );
}

/** The chunks of searchable versions (all, or of `versionIds`), vectors only when asked. */
export async function readSearchableChunks(
  db: Database,
  options: { versionIds?: readonly string[]; withEmbeddings: boolean },
): Promise<SearchableChunk[]> {
  const out: SearchableChunk[] = [];
  await forEachSearchableChunkPage(db, options, (page) => out.push(...page));
  return out;
}

/**
 * The searchable chunks (all, or those of `versionIds`) a page at a time, in chunk id order (per
 * batch of versions): a caller that keeps only what it needs of each page never holds the whole
 * corpus's rows (their tsvectors and vectors) at once.
 */
export async function forEachSearchableChunkPage(
  db: Database,
  options: { versionIds?: readonly string[]; withEmbeddings: boolean },
  onPage: (chunks: SearchableChunk[]) => void,
): Promise<void> {
  const embedding = options.withEmbeddings ? sql`c.embedding` : sql`null::bytea`;
  await readPaged(
    options.versionIds,
    (only, after) =>
      // A raw query hands the bytea over as the driver read it: decoded below.
      queryRows<Omit<SearchableChunk, "embedding"> & { embedding: Uint8Array | string | null }>(
        db,
        sql`
          select c.id as "chunkId", c.version_id as "versionId", c.start_offset as start,
                 c.end_offset as "end", c.text, c.sha256,
                 c.suspected_injection as "suspectedInjection", c.fts::text as fts,
                 c.embedding_model as model, ${embedding} as embedding
          from chunks c
          join document_versions v on v.id = c.version_id
          ${searchable} ${only(sql`c.version_id`)} and c.id > ${after}
          order by c.id limit ${PAGE}`,
      ),
    (rows) =>
      onPage(
        rows.map((r) => ({
          ...r,
          start: Number(r.start),
          end: Number(r.end),
          embedding: r.embedding === null ? null : vectorFromBytes(r.embedding),
        })),
      ),
  );
}

/**
 * The stored vectors of these chunks, by chunk id, for those `model` embedded (a chunk re-embedded
 * by another is not among them): the vectors the process does not already hold
 * (src/retrieval/written-vectors.ts).
 */
export async function readChunkVectors(
  db: Database,
  chunkIds: readonly string[],
  model: string,
): Promise<Map<string, Float32Array>> {
  const out = new Map<string, Float32Array>();
  for (const batch of batchesOf(chunkIds, PAGE)) {
    const rows = await queryRows<{ id: string; embedding: Uint8Array | string }>(
      db,
      sql`select id, embedding from chunks
          where id in (select jsonb_array_elements_text(${JSON.stringify(batch)}::jsonb))
            and embedding_model = ${model}`,
    );
    for (const row of rows) out.set(row.id, vectorFromBytes(row.embedding));
  }
  return out;
}

/**
 * Keyset pages over a query, each handed to `onPage`; with `ids`, the ids go in as one JSON
 * parameter per batch (a list of ids as separate parameters would meet PostgreSQL's limit of
 * 65,535 per statement).
 */
async function readPaged<T extends { versionId?: string; chunkId?: string }>(
  ids: readonly string[] | undefined,
  page: (only: (column: SQL) => SQL, after: string) => Promise<T[]>,
  onPage: (rows: T[]) => void,
): Promise<void> {
  const batches = ids === undefined ? [null] : batchesOf(ids, PAGE);
  for (const batch of batches) {
    const only = (column: SQL) =>
      batch === null
        ? sql``
        : sql`and ${column} in (select jsonb_array_elements_text(${JSON.stringify(batch)}::jsonb))`;
    for (let after = ""; ;) {
      const rows = await page(only, after);
      onPage(rows);
      if (rows.length < PAGE) break;
      const last = rows[rows.length - 1]!;
      after = (last.chunkId ?? last.versionId)!;
    }
  }
}

function batchesOf<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
