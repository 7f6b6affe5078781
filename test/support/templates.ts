import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { openDatabase, type DatabaseHandle } from "../../src/db/client.ts";
import { chunks } from "../../src/db/schema/index.ts";
import type { Embedder } from "../../src/retrieval/embedder.ts";
import { loadManifest } from "../../ingest/manifest.ts";
import { ingestManifest, type IngestSummary } from "../../ingest/pipeline.ts";
import { createPostgresDatabase } from "./postgres.ts";
import type { Run } from "./run-tsx.ts";

/** What a test store starts as: migrated and empty, or holding the ingested sample corpus. */
export type StoreTemplate = "empty" | "sample";

/**
 * Where global-setup.ts left each template: a PGlite data directory to copy, and the name of a
 * PostgreSQL database to create others from (null when PostgreSQL was opted out of).
 */
export type Templates = Record<StoreTemplate, { pglite: string; postgres: string | null }>;

declare module "vitest" {
  export interface ProvidedContext {
    templates: Templates;
    /** The run's first `npm run ingest`, made by global-setup.ts to build the sample store. */
    firstIngest: Run;
  }
}

export const SAMPLE_SOURCES = new URL("../../sources/", import.meta.url).pathname;
export const SAMPLE_MANIFEST = join(SAMPLE_SOURCES, "sources.json");

/** Recorded on every version of the sample corpus, as `npm run ingest -- --by` records it. */
export const SAMPLE_INGESTED_BY = "test-suite";

/** Ingest the bundled sample corpus; a file that fails to ingest fails the whole setup. */
export async function ingestSampleCorpus(
  handle: DatabaseHandle,
  embedder: Embedder,
): Promise<IngestSummary> {
  const summary = await ingestManifest({
    db: handle.db,
    embedder,
    manifest: await loadManifest(SAMPLE_MANIFEST),
    ingestedBy: SAMPLE_INGESTED_BY,
  });
  if (summary.files.failed > 0 || summary.files.added !== summary.files.seen)
    throw new Error(`the sample corpus did not ingest cleanly: ${JSON.stringify(summary.files)}`);
  return summary;
}

/** A migrated, empty PGlite data directory, closed so that it can be copied. */
export async function buildEmptyPgliteTemplate(dataDir: string): Promise<string> {
  await mkdir(dataDir, { recursive: true });
  const handle = await openDatabase({ dataDir });
  try {
    await handle.migrate();
  } finally {
    await handle.close();
  }
  return dataDir;
}

/** A migrated PostgreSQL database filled by `fill`, closed so `create ... template` can copy it. */
export async function buildPostgresTemplate(
  fill: (handle: DatabaseHandle) => Promise<unknown>,
): Promise<{ name: string; drop(): Promise<void> }> {
  const { url, drop } = await createPostgresDatabase();
  const handle = await openDatabase({ url });
  try {
    await handle.migrate();
    await fill(handle);
  } catch (error) {
    await handle.close();
    await drop();
    throw error;
  }
  await handle.close();
  return { name: new URL(url).pathname.slice(1), drop };
}

/**
 * The vectors the real encoder gave a corpus, read back from the PGlite store in `dataDir`:
 * another store of the same corpus is ingested with exactly those vectors, without loading the
 * model again. A text without a stored vector is an error, never a made-up vector.
 */
export async function readStoredVectors(dataDir: string): Promise<Embedder> {
  const handle = await openDatabase({ dataDir });
  const rows = await handle.db
    .select({ text: chunks.text, model: chunks.embeddingModel, embedding: chunks.embedding })
    .from(chunks)
    .finally(() => handle.close());
  const models = [...new Set(rows.map((r) => r.model))];
  if (models.length !== 1) throw new Error(`expected one embedding model, found [${models}]`);
  const vectors = new Map(rows.map((r) => [r.text, r.embedding]));
  const lookUp = (text: string) => {
    const vector = vectors.get(text);
    if (!vector) throw new Error(`no stored vector for ${JSON.stringify(text.slice(0, 60))}`);
    return vector;
  };
  return {
    modelId: models[0]!,
    dimension: rows[0]!.embedding.length,
    embedDocuments: async (texts) => texts.map(lookUp),
    embedQuery: async (text) => lookUp(text),
    close: async () => {},
  };
}
