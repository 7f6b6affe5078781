import { readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { isNull, sql } from "drizzle-orm";
import { documents } from "../../src/db/schema/index.ts";
import { sha256 } from "../../src/hash.ts";
import type { Deps } from "../../src/deps.ts";
import { loadManifest } from "../../ingest/manifest.ts";
import { ingestManifest } from "../../ingest/pipeline.ts";
import { writeCorpus } from "./corpus-files.ts";
import type { PreparedCorpus } from "./types.ts";

/** Bump when the way corpora are written or ingested changes, so old stores are re-ingested. */
const STORE_FORMAT = 1;
const STAMP_FILE = "eval-corpus.json";

export type StoreStamp = {
  fingerprint: string;
  dataset: string;
  documents: number;
  chunks: number;
  ingestedAt: string;
};

/**
 * What making a store hold a corpus took (`skipped`: it already did). Not the bench's
 * IngestMeasurement, which times every stage.
 */
export type CorpusIngest = {
  skipped: boolean;
  seconds: number;
  documents: number;
  chunks: number;
  fingerprint: string;
};

/** sha256 over everything that decides the store's contents: manifest, chunking, model, files. */
export function corpusFingerprint(corpus: PreparedCorpus, embeddingModel: string): string {
  const head = JSON.stringify({
    format: STORE_FORMAT,
    dataset: corpus.dataset,
    chunking: corpus.chunking,
    embeddingModel,
    manifest: corpus.manifest,
  });
  const files = [...corpus.files]
    .sort((a, b) => (a.path < b.path ? -1 : 1))
    .map((f) => `${f.path}\0${sha256(f.text)}`);
  return sha256([head, ...files].join("\n"));
}

async function readStamp(store: string): Promise<StoreStamp | null> {
  try {
    return JSON.parse(await readFile(join(store, STAMP_FILE), "utf8")) as StoreStamp;
  } catch {
    return null;
  }
}

async function currentDocuments(deps: Deps): Promise<number> {
  const [row] = await deps.db
    .select({ n: sql<number>`count(*)::int` })
    .from(documents)
    .where(isNull(documents.removedAt));
  return Number(row?.n ?? 0);
}

/**
 * Make the store hold exactly this corpus. When the store's stamp has this corpus's fingerprint
 * (and the database still has its documents) nothing is written, read or ingested; otherwise the
 * corpus is written out and ingested through the real pipeline (which is idempotent by content
 * hash, so a store of a similar corpus only embeds what changed), and the stamp is renewed.
 */
export async function ensureIngested(
  deps: Deps,
  store: string,
  corpus: PreparedCorpus,
  log: (line: string) => void,
): Promise<CorpusIngest> {
  const started = performance.now();
  const fingerprint = corpusFingerprint(corpus, deps.embedder.modelId);
  const stamp = await readStamp(store);
  if (
    stamp?.fingerprint === fingerprint &&
    (await currentDocuments(deps)) === corpus.files.length
  ) {
    return {
      skipped: true,
      seconds: 0,
      documents: stamp.documents,
      chunks: stamp.chunks,
      fingerprint,
    };
  }
  await rm(join(store, STAMP_FILE), { force: true });
  const manifestPath = await writeCorpus(corpus, join(store, "corpus"));

  let done = 0;
  const summary = await ingestManifest({
    db: deps.db,
    embedder: deps.embedder,
    manifest: await loadManifest(manifestPath),
    ingestedBy: "eval",
    chunk: corpus.chunk,
    onEvent: (event) => {
      if (event.kind === "file" && ++done % 500 === 0) {
        const seconds = (performance.now() - started) / 1000;
        log(`ingest: ${done}/${corpus.files.length} files, ${seconds.toFixed(0)} s`);
      }
    },
  });
  if (summary.failures.length > 0) {
    const first = summary.failures.slice(0, 3).map((f) => `${f.path}: ${f.error}`);
    throw new Error(`ingest failed for ${summary.failures.length} files:\n  ${first.join("\n  ")}`);
  }
  await deps.index.refresh();
  const seconds = (performance.now() - started) / 1000;
  log(
    `ingest: ${summary.files.added + summary.files.updated} written, ${summary.files.unchanged} unchanged, ` +
      `${summary.chunks.embedded} chunks embedded in ${seconds.toFixed(1)} s`,
  );
  const chunks = deps.index.current().index.state.count;
  const next: StoreStamp = {
    fingerprint,
    dataset: corpus.dataset,
    documents: corpus.files.length,
    chunks,
    ingestedAt: new Date().toISOString(),
  };
  await writeFile(join(store, STAMP_FILE), JSON.stringify(next, null, 2));
  return { skipped: false, seconds, documents: corpus.files.length, chunks, fingerprint };
}
