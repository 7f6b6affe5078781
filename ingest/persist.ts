import { and, eq, inArray, isNull, notInArray, sql } from "drizzle-orm";
import type { Database } from "../src/db/client.ts";
import { chunks, documents, documentVersions, sources } from "../src/db/schema/index.ts";
import { stableId, newId } from "../src/ids.ts";
import { detectLanguage } from "../src/text/language.ts";
import { DEFAULT_TENANT } from "../src/auth/keys.ts";
import { tenantOf, type SourceSpec } from "./manifest.ts";
import type { Embedder } from "../src/retrieval/embedder.ts";
import type { Redaction } from "./redact.ts";

export type PreparedChunk = {
  ordinal: number;
  start: number;
  end: number;
  text: string;
  sha256: string;
  embedding: Float32Array;
  /** The chunk reads like instructions to a model (src/text/injection.ts). */
  suspectedInjection?: boolean;
};

export type PreparedVersion = {
  sourceId: string;
  path: string;
  title: string;
  text: string;
  textSha256: string;
  rawSha256: string;
  mediaType: string;
  byteLength: number;
  /** Detected at ingest; questions in a language no document is in are refused. */
  language: string | null;
  embeddingModel: string;
  chunks: PreparedChunk[];
  /** What redaction replaced, as offsets into `text`; null (the default) when it was off. */
  redactions?: Redaction[] | null;
};

export function documentIdFor(sourceId: string, path: string): string {
  return stableId("doc", sourceId, path);
}

/** A manifest would move a stored source to another tenant: a source id belongs to one tenant. */
export class SourceTenantError extends Error {
  override name = "SourceTenantError";
}

/** The manifest's sources already stored under another tenant than the one it gives them. */
export async function findTenantConflicts(
  db: Database,
  specs: SourceSpec[],
  fallbackTenant: string = DEFAULT_TENANT,
): Promise<{ id: string; stored: string; wanted: string }[]> {
  if (specs.length === 0) return [];
  const rows = await db
    .select({ id: sources.id, tenant: sources.tenant })
    .from(sources)
    .where(
      inArray(
        sources.id,
        specs.map((s) => s.id),
      ),
    );
  const stored = new Map(rows.map((r) => [r.id, r.tenant]));
  return specs.flatMap((s) => {
    const was = stored.get(s.id);
    const wanted = tenantOf(s, fallbackTenant);
    return was !== undefined && was !== wanted ? [{ id: s.id, stored: was, wanted }] : [];
  });
}

export function describeTenantConflicts(
  conflicts: { id: string; stored: string; wanted: string }[],
): string {
  return (
    conflicts
      .map((c) => `source ${c.id} belongs to tenant "${c.stored}", not "${c.wanted}"`)
      .join("; ") + ". A source id belongs to one tenant: give the source another id."
  );
}

/**
 * Insert or update the manifest's sources (name, licence and trust may change between runs). A
 * listed source that was removed is present again; its documents come back as they are ingested.
 * A source stored under another tenant is refused (SourceTenantError), before anything is written.
 */
export async function upsertSources(
  db: Database,
  specs: SourceSpec[],
  fallbackTenant: string = DEFAULT_TENANT,
): Promise<void> {
  await db.transaction(async (tx) => {
    const conflicts = await findTenantConflicts(tx, specs, fallbackTenant);
    if (conflicts.length > 0) throw new SourceTenantError(describeTenantConflicts(conflicts));
    for (const s of specs) {
      const values = {
        name: s.name,
        publisher: s.publisher,
        uri: s.uri,
        license: s.license,
        trust: s.trust,
      };
      await tx
        .insert(sources)
        .values({ id: s.id, tenant: tenantOf(s, fallbackTenant), ...values })
        .onConflictDoUpdate({
          target: sources.id,
          set: { ...values, updatedAt: new Date(), removedAt: null },
        });
    }
  });
}

export type CurrentVersion = {
  documentId: string;
  removedAt: Date | null;
  versionId: string | null;
  version: number;
  textSha256: string | null;
  rawSha256: string | null;
  /** The version was stored with redaction on: its text is not the file's as loaded. */
  redacted: boolean;
};

/** The current version of every known document of a source, keyed by path. */
export async function readCurrentVersions(
  db: Database,
  sourceId: string,
): Promise<Map<string, CurrentVersion>> {
  const rows = await db
    .select({
      path: documents.path,
      documentId: documents.id,
      removedAt: documents.removedAt,
      versionId: documentVersions.id,
      version: documentVersions.version,
      textSha256: documentVersions.textSha256,
      rawSha256: documentVersions.rawSha256,
      // Whether, not which: the redaction list can be long and is not needed to compare.
      redacted: sql<boolean>`${documentVersions.redactions} is not null`,
    })
    .from(documents)
    .leftJoin(
      documentVersions,
      and(eq(documentVersions.documentId, documents.id), isNull(documentVersions.supersededAt)),
    )
    .where(eq(documents.sourceId, sourceId));
  return new Map(
    rows.map((r) => [
      r.path,
      {
        ...r,
        redacted: r.redacted === true,
        version: r.version ?? 0,
        versionId: r.versionId ?? null,
        textSha256: r.textSha256 ?? null,
        rawSha256: r.rawSha256 ?? null,
      },
    ]),
  );
}

/** A prepared version and the version it supersedes, if any. */
export type VersionToPersist = { prepared: PreparedVersion; previous: CurrentVersion | undefined };

/**
 * Write one document version and its chunks in a single transaction, superseding the previous
 * version. A crash before commit leaves the previous state intact; a rerun redoes the work.
 */
export async function persistVersion(
  db: Database,
  prepared: PreparedVersion,
  previous: CurrentVersion | undefined,
  provenance: { ingestedBy: string; runId: string },
): Promise<{ versionId: string; version: number }> {
  const [written] = await persistVersions(db, [{ prepared, previous }], provenance);
  return written!;
}

/** A stored chunk's id: fixed by its version and place in it. */
export function chunkIdOf(versionId: string, ordinal: number): string {
  return stableId("chk", versionId, String(ordinal));
}

/** Chunk rows per INSERT: a statement's parameters stay well under PostgreSQL's 65,535. */
const CHUNK_ROWS_PER_STATEMENT = 200;

/**
 * Write several documents' new versions in one transaction: all of them or, after a crash or an
 * error, none (each document's previous version stays current, and a rerun redoes the work). A
 * statement per table for the lot, not per document: in PGlite each statement is a parse,
 * describe, bind and execute through WebAssembly, and per-document statements were most of the
 * cost of storing small files.
 */
export async function persistVersions(
  db: Database,
  items: VersionToPersist[],
  provenance: { ingestedBy: string; runId: string },
): Promise<{ versionId: string; version: number }[]> {
  if (items.length === 0) return [];
  const now = new Date();
  const planned = items.map(({ prepared, previous }) => ({
    prepared,
    previous,
    documentId: documentIdFor(prepared.sourceId, prepared.path),
    version: (previous?.version ?? 0) + 1,
    versionId: newId("ver"),
  }));
  await db.transaction(async (tx) => {
    await tx
      .insert(documents)
      .values(
        planned.map((p) => ({
          id: p.documentId,
          sourceId: p.prepared.sourceId,
          path: p.prepared.path,
          title: p.prepared.title,
        })),
      )
      .onConflictDoUpdate({
        target: documents.id,
        set: { title: sql`excluded.title`, removedAt: null },
      });
    const superseded = planned.flatMap((p) =>
      p.previous?.versionId ? [p.previous.versionId] : [],
    );
    if (superseded.length > 0) {
      await tx
        .update(documentVersions)
        .set({ supersededAt: now })
        .where(
          and(inArray(documentVersions.id, superseded), isNull(documentVersions.supersededAt)),
        );
    }
    await tx.insert(documentVersions).values(
      planned.map(({ prepared, documentId, version, versionId }) => ({
        id: versionId,
        documentId,
        version,
        text: prepared.text,
        textSha256: prepared.textSha256,
        rawSha256: prepared.rawSha256,
        mediaType: prepared.mediaType,
        byteLength: prepared.byteLength,
        language: prepared.language,
        redactions: prepared.redactions ?? null,
        ingestedAt: now,
        ingestedBy: provenance.ingestedBy,
        ingestRunId: provenance.runId,
      })),
    );
    const rows = planned.flatMap(({ prepared, versionId }) =>
      prepared.chunks.map((c) => ({
        id: chunkIdOf(versionId, c.ordinal),
        versionId,
        ordinal: c.ordinal,
        start: c.start,
        end: c.end,
        text: c.text,
        sha256: c.sha256,
        embeddingModel: prepared.embeddingModel,
        embedding: c.embedding,
        suspectedInjection: c.suspectedInjection ?? false,
      })),
    );
    for (let i = 0; i < rows.length; i += CHUNK_ROWS_PER_STATEMENT) {
      await tx.insert(chunks).values(rows.slice(i, i + CHUNK_ROWS_PER_STATEMENT));
    }
  });
  return planned.map(({ versionId, version }) => ({ versionId, version }));
}

/**
 * Detect the language of current versions stored before languages were recorded, so a store
 * from an earlier release learns its languages on its next ingest run without re-embedding.
 */
export async function backfillLanguages(db: Database): Promise<number> {
  const missing = await db
    .select({ id: documentVersions.id, text: documentVersions.text })
    .from(documentVersions)
    .where(and(isNull(documentVersions.language), isNull(documentVersions.supersededAt)));
  for (const row of missing) {
    await db
      .update(documentVersions)
      .set({ language: detectLanguage(row.text) })
      .where(eq(documentVersions.id, row.id));
  }
  return missing.length;
}

/** A file that came back unchanged after being removed is present again. */
export async function restoreDocument(db: Database, documentId: string): Promise<void> {
  await db.update(documents).set({ removedAt: null }).where(eq(documents.id, documentId));
}

/**
 * Mark documents whose files are gone as removed. Their versions stay resolvable for old
 * citations; they just stop being searched. `keepPaths` empty means every document of the source.
 */
export async function markRemoved(
  db: Database,
  sourceId: string,
  keepPaths: string[],
): Promise<string[]> {
  const conditions = [eq(documents.sourceId, sourceId), isNull(documents.removedAt)];
  if (keepPaths.length > 0) conditions.push(notInArray(documents.path, keepPaths));
  const rows = await db
    .update(documents)
    .set({ removedAt: new Date() })
    .where(and(...conditions))
    .returning({ path: documents.path });
  return rows.map((r) => r.path);
}

/**
 * Every text's vector by its hash: this model's stored vector where a chunk has one, the rest
 * embedded, each distinct text once. `embedded` counts the texts the encoder ran on.
 */
export async function vectorsByHash(
  db: Database,
  embedder: Embedder,
  texts: { sha256: string; text: string }[],
): Promise<{ vectors: Map<string, Float32Array>; embedded: number }> {
  const hashes = [...new Set(texts.map((t) => t.sha256))];
  const vectors = await readCachedVectors(db, hashes, embedder.modelId);
  const missing = [
    ...new Map(texts.filter((t) => !vectors.has(t.sha256)).map((t) => [t.sha256, t.text])),
  ];
  const computed = await embedder.embedDocuments(missing.map(([, text]) => text));
  missing.forEach(([hash], i) => vectors.set(hash, computed[i]!));
  return { vectors, embedded: missing.length };
}

/** Vectors already computed for these chunk hashes by this model: never embed the same text twice. */
async function readCachedVectors(
  db: Database,
  hashes: string[],
  model: string,
): Promise<Map<string, Float32Array>> {
  const found = new Map<string, Float32Array>();
  for (let i = 0; i < hashes.length; i += 500) {
    const slice = hashes.slice(i, i + 500);
    const rows = await db
      .selectDistinctOn([chunks.sha256], { sha256: chunks.sha256, embedding: chunks.embedding })
      .from(chunks)
      .where(and(inArray(chunks.sha256, slice), eq(chunks.embeddingModel, model)));
    for (const r of rows) found.set(r.sha256, r.embedding);
  }
  return found;
}
