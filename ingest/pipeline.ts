import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Database } from "../src/db/client.ts";
import { refreshCorpusStatistics } from "../src/db/corpus-state.ts";
import {
  finishIngestRun,
  keepAlive,
  previousRunFinished,
  startIngestRun,
} from "../src/db/ingest-runs.ts";
import { sha256 } from "../src/hash.ts";
import type { IngestSummary } from "../src/ingestion/schema.ts";
import type { Embedder } from "../src/retrieval/embedder.ts";
import type { WrittenVector } from "../src/retrieval/written-vectors.ts";
import { looksLikeInjection } from "../src/text/injection.ts";
import { detectLanguage } from "../src/text/language.ts";
import { chunkText } from "./chunk.ts";
import { discoverFiles } from "./discover.ts";
import { loadDocument } from "./loaders/index.ts";
import type { LoadedManifest, SourceSpec } from "./manifest.ts";
import {
  backfillLanguages,
  chunkIdOf,
  markRemoved,
  persistVersions,
  readCurrentVersions,
  restoreDocument,
  upsertSources,
  vectorsByHash,
  type CurrentVersion,
  type PreparedVersion,
} from "./persist.ts";
import { reembedOtherModels } from "./reembed.ts";
import { redactText } from "./redact.ts";
import { timeSlicer } from "./time-slice.ts";

/** Documents are prepared and embedded in groups, so one embedding batch spans many files. */
const GROUP_SIZE = 32;

export type IngestEvent =
  { kind: "start"; totalFiles: number } | { kind: "file"; path: string; outcome: FileOutcome };

export type FileOutcome = "added" | "updated" | "unchanged" | "failed";

export type { IngestSummary };

export type IngestOptions = {
  db: Database;
  embedder: Embedder;
  manifest: LoadedManifest;
  ingestedBy: string;
  onEvent?: (event: IngestEvent) => void;
  /** A run the caller has already recorded (startIngestRun), e.g. a server answering with its id. */
  runId?: string;
  /**
   * Bring the serving vector index up to date, as the last step of the run: a run is finished
   * once its changes are searchable in the process that ran it.
   */
  refreshIndex?: () => Promise<{ chunks: number; rebuilt: boolean }>;
  /**
   * The vectors of chunks just stored, once their transaction has committed: the serving index
   * takes them from memory instead of reading them back (IndexHolder.remember).
   */
  onVectorsWritten?: (written: WrittenVector[]) => void;
  /** Stops the run between documents; it is then recorded aborted. */
  signal?: AbortSignal;
  /** Chunking override, e.g. evaluation corpora whose sentences are given one per line. */
  chunk?: (text: string) => { ordinal: number; start: number; end: number; text: string }[];
};

type PendingFile = { source: SourceSpec; path: string; previous: CurrentVersion | undefined };

/**
 * discover -> load -> normalise -> chunk -> embed -> persist, a few documents per transaction
 * (each document whole or not at all), as one recorded run. The manifest's sources are synced:
 * added, updated, their vanished files marked removed. Sources it does not list are left alone (removal is explicit: removeSource).
 * Throws IngestBusyError when another run is changing the corpus.
 */
export async function ingestManifest(options: IngestOptions): Promise<IngestSummary> {
  const { db, manifest, ingestedBy } = options;
  const runId =
    options.runId ??
    (await startIngestRun(db, { kind: "manifest", manifestPath: manifest.path, ingestedBy })).id;
  const stopBeating = keepAlive(db, runId);
  try {
    const summary = await syncManifest(options, runId);
    if (options.refreshIndex) {
      const t = performance.now();
      summary.index = { ...(await options.refreshIndex()), ms: Math.round(performance.now() - t) };
    }
    await finishIngestRun(db, runId, { status: "finished", summary });
    return summary;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const status = options.signal?.aborted ? "aborted" : "failed";
    await finishIngestRun(db, runId, { status, error: message }).catch(() => {});
    throw error;
  } finally {
    stopBeating();
  }
}

async function syncManifest(options: IngestOptions, runId: string): Promise<IngestSummary> {
  const { db, manifest, onEvent } = options;
  const chunk = options.chunk ?? ((text: string) => chunkText(text));
  const started = performance.now();
  await upsertSources(db, manifest.manifest.sources);
  await backfillLanguages(db);

  const summary: IngestSummary = {
    runId,
    files: { seen: 0, added: 0, updated: 0, unchanged: 0, removed: 0, failed: 0 },
    chunks: { written: 0, embedded: 0, reused: 0, suspectedInjection: 0, reembedded: 0 },
    failures: [],
    removed: [],
    timingsMs: { load: 0, chunk: 0, embed: 0, persist: 0, total: 0 },
    index: null,
    changed: false,
  };
  const report = (path: string, outcome: FileOutcome) => {
    if (outcome !== "failed") summary.files[outcome] += 1;
    onEvent?.({ kind: "file", path, outcome });
  };

  const perSource = await Promise.all(
    manifest.manifest.sources.map(async (source) => ({
      source,
      paths: await discoverFiles(source, manifest.baseDir),
    })),
  );
  summary.files.seen = perSource.reduce((n, s) => n + s.paths.length, 0);
  onEvent?.({ kind: "start", totalFiles: summary.files.seen });

  for (const { source, paths } of perSource) {
    const current = await readCurrentVersions(db, source.id);
    const pending: PendingFile[] = paths.map((path) => ({
      source,
      path,
      previous: current.get(path),
    }));
    await ingestGroups(pending, { ...options, chunk }, summary, report, runId);
    // Only a file that was current when the source was read can have vanished (a run holds the
    // ingest lock, so no other run adds one meanwhile): with none, the update is not sent at all.
    const listed = new Set(paths);
    const vanished = [...current].some(([path, c]) => c.removedAt === null && !listed.has(path));
    const removed = vanished ? await markRemoved(db, source.id, paths) : [];
    summary.removed.push(...removed.map((path) => ({ source: source.id, path })));
  }
  summary.files.removed = summary.removed.length;
  const reembedded = await reembedOtherModels(
    db,
    options.embedder,
    manifest.manifest.sources.map((s) => s.id),
    options.signal,
  );
  summary.chunks.reembedded = reembedded.chunks;
  summary.chunks.embedded += reembedded.embedded;
  summary.timingsMs.embed += reembedded.embedMs;
  summary.timingsMs.persist += reembedded.persistMs;
  summary.changed =
    summary.files.added + summary.files.updated + summary.files.removed + reembedded.chunks > 0;

  // After any change, and after a previous run that may have committed documents and stopped
  // before this step; not otherwise, so an unchanged re-ingest costs a read of every file.
  if (summary.changed || !(await previousRunFinished(db, runId))) await refreshCorpusStatistics(db);
  summary.timingsMs.total = Math.round(performance.now() - started);
  return summary;
}

/**
 * Groups in a pipeline of three: while one group is stored, the next is embedded (on a worker
 * thread when the embedder runs there) and the one after is read and chunked. The main thread
 * stores and reads; it never waits for the embedder while it has a group to read.
 */
async function ingestGroups(
  pending: PendingFile[],
  options: IngestOptions & { chunk: NonNullable<IngestOptions["chunk"]> },
  summary: IngestSummary,
  report: (path: string, outcome: FileOutcome) => void,
  runId: string,
): Promise<void> {
  let storing: Promise<void> = Promise.resolve();
  let embedding: { prepared: PreparedFile[]; done: Promise<void> } | null = null;
  // Each promise is awaited in turn below; handled at once so a failure meanwhile is not
  // reported as unhandled.
  const started = <T>(promise: Promise<T>) => (promise.catch(() => {}), promise);
  const storeEmbedded = async () => {
    if (!embedding) return;
    const { prepared, done } = embedding;
    embedding = null;
    await done;
    await storing;
    storing = started(persistGroup(prepared, options, summary, report, runId));
  };
  try {
    for (let i = 0; i < pending.length; i += GROUP_SIZE) {
      options.signal?.throwIfAborted();
      const prepared = await prepareGroup(
        pending.slice(i, i + GROUP_SIZE),
        options,
        summary,
        report,
      );
      const next = { prepared, done: started(embedGroup(prepared, options, summary)) };
      await storeEmbedded();
      embedding = next;
    }
    await storeEmbedded();
    await storing;
  } catch (error) {
    // Nothing of this run may still be writing when it is recorded failed or aborted.
    await Promise.allSettled([storing, embedding?.done]);
    throw error;
  }
}

/** Read, normalise and chunk a group's files; the unchanged ones are reported and dropped. */
async function prepareGroup(
  group: PendingFile[],
  options: IngestOptions & { chunk: NonNullable<IngestOptions["chunk"]> },
  summary: IngestSummary,
  report: (path: string, outcome: FileOutcome) => void,
): Promise<PreparedFile[]> {
  const { db, embedder } = options;
  const prepared: PreparedFile[] = [];
  const turn = timeSlicer();

  for (const file of group) {
    const label = `${file.source.id}:${file.path}`;
    try {
      // Read synchronously: an unchanged re-ingest is little more than reading every file, and
      // fs/promises' readFile (four thread-pool trips a file) took ~50 us a small file even 32 at
      // a time, against ~6 us here. A server ingesting while it answers gets a turn each slice,
      // and the previous group is stored meanwhile: the turn is not the load stage's time.
      await turn();
      let t = performance.now();
      const bytes = readFileSync(join(options.manifest.baseDir, file.path));
      const rawSha256 = sha256(bytes);
      const redact = file.source.redact ?? [];
      // With redaction on, now or when the stored version was written, the same bytes can give
      // other stored text (redaction switched on, off or to other kinds): only the hash of the
      // text as it would be stored, below, can tell that nothing changed.
      const redacting = redact.length > 0 || file.previous?.redacted === true;
      if (!redacting && file.previous?.rawSha256 === rawSha256) {
        if (file.previous.removedAt) await restoreDocument(db, file.previous.documentId);
        report(label, "unchanged");
        continue;
      }
      const loaded = await loadDocument(file.path, bytes);
      summary.timingsMs.load += performance.now() - t;
      // Before hashing and chunking, so the stored text, every offset and every hash are of the
      // redacted text and citations of it verify like any other.
      const { text, redactions } = redactText(loaded.text, redact);
      const textSha256 = sha256(text);
      if (file.previous?.textSha256 === textSha256) {
        // Same words in different bytes (re-saved, re-encoded): not a new version.
        if (file.previous.removedAt) await restoreDocument(db, file.previous.documentId);
        report(label, "unchanged");
        continue;
      }
      t = performance.now();
      const spans = options.chunk(text);
      if (spans.length === 0) throw new Error("no text to index after loading");
      summary.timingsMs.chunk += performance.now() - t;
      prepared.push({
        file,
        version: {
          sourceId: file.source.id,
          path: file.path,
          // Redacted too, but not recorded: redactions are offsets into the text.
          title: redactText(loaded.title, redact).text,
          text,
          textSha256,
          rawSha256,
          mediaType: loaded.mediaType,
          byteLength: bytes.byteLength,
          language: detectLanguage(text),
          embeddingModel: embedder.modelId,
          chunks: spans.map((s) => ({
            ...s,
            sha256: sha256(s.text),
            embedding: new Float32Array(0),
            // Source text is data, never instructions: flagged so citations show it and a
            // policy can leave it out of answers (excludeSuspectedInjection).
            suspectedInjection: looksLikeInjection(s.text),
          })),
          redactions: redact.length > 0 ? redactions : null,
        },
      });
    } catch (error) {
      fail(summary, report, file, error);
    }
  }
  return prepared;
}

/** Give every chunk its vector: stored ones by hash, the rest embedded (each text once). */
async function embedGroup(
  prepared: PreparedFile[],
  { db, embedder }: IngestOptions,
  summary: IngestSummary,
): Promise<void> {
  if (prepared.length === 0) return;
  const t = performance.now();
  const allChunks = prepared.flatMap((p) => p.version.chunks);
  const { vectors, embedded } = await vectorsByHash(db, embedder, allChunks);
  for (const c of allChunks) c.embedding = vectors.get(c.sha256)!;
  summary.chunks.embedded += embedded;
  summary.chunks.reused += allChunks.length - embedded;
  summary.timingsMs.embed += performance.now() - t;
}

/** Store a group's new versions, a few documents to a transaction. */
async function persistGroup(
  prepared: PreparedFile[],
  options: IngestOptions,
  summary: IngestSummary,
  report: (path: string, outcome: FileOutcome) => void,
  runId: string,
): Promise<void> {
  const { db } = options;
  const turn = timeSlicer();
  const t = performance.now();
  for (const batch of persistBatches(prepared)) {
    options.signal?.throwIfAborted();
    await turn();
    const provenance = { ingestedBy: options.ingestedBy, runId };
    const persist = (items: typeof batch) =>
      persistVersions(
        db,
        items.map(({ file, version }) => ({ prepared: version, previous: file.previous })),
        provenance,
      );
    const stored = async (items: typeof batch) => {
      const versions = await persist(items);
      options.onVectorsWritten?.(writtenVectors(items, versions));
      for (const item of items) persisted(item, summary, report);
    };
    try {
      await stored(batch);
    } catch (error) {
      if (batch.length === 1) {
        fail(summary, report, batch[0]!.file, error);
        continue;
      }
      // The batch rolled back whole: one document at a time, so only the one that fails fails.
      for (const item of batch) {
        await turn();
        try {
          await stored([item]);
        } catch (itemError) {
          fail(summary, report, item.file, itemError);
        }
      }
    }
  }
  summary.timingsMs.persist += performance.now() - t;
}

type PreparedFile = { file: PendingFile; version: PreparedVersion };

/**
 * Chunks stored per transaction at most (a longer document is one transaction of its own): few
 * enough that a transaction holds PGlite, and the answers waiting to write their records, for
 * tens of milliseconds, not the whole group's.
 */
const CHUNKS_PER_TRANSACTION = 256;

/** Consecutive prepared files, grouped so each group's chunks fit one transaction. */
function persistBatches(prepared: PreparedFile[]): PreparedFile[][] {
  const batches: PreparedFile[][] = [];
  let current: PreparedFile[] = [];
  let chunks = 0;
  for (const item of prepared) {
    const size = item.version.chunks.length;
    if (current.length > 0 && chunks + size > CHUNKS_PER_TRANSACTION) {
      batches.push(current);
      current = [];
      chunks = 0;
    }
    current.push(item);
    chunks += size;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}

/** Each stored chunk's vector under its new id; `versions[i]` is what `items[i]` became. */
function writtenVectors(items: PreparedFile[], versions: { versionId: string }[]): WrittenVector[] {
  return items.flatMap(({ version }, i) =>
    version.chunks.map((c) => ({
      chunkId: chunkIdOf(versions[i]!.versionId, c.ordinal),
      model: version.embeddingModel,
      vector: c.embedding,
    })),
  );
}

function persisted(
  { file, version }: PreparedFile,
  summary: IngestSummary,
  report: (path: string, outcome: FileOutcome) => void,
): void {
  summary.chunks.written += version.chunks.length;
  summary.chunks.suspectedInjection += version.chunks.filter((c) => c.suspectedInjection).length;
  report(`${file.source.id}:${file.path}`, file.previous?.versionId ? "updated" : "added");
}

function fail(
  summary: IngestSummary,
  report: (path: string, outcome: FileOutcome) => void,
  file: PendingFile,
  error: unknown,
): void {
  summary.files.failed += 1;
  summary.failures.push({
    source: file.source.id,
    path: file.path,
    error: failureMessage(error),
  });
  report(`${file.source.id}:${file.path}`, "failed");
}

/**
 * A failed file's reason as the run records it: for a statement the database refused, its own
 * words ("duplicate key value violates…"), not the driver's wrapper, which quotes the statement
 * and every parameter, vectors as raw bytes that a JSON summary cannot even hold.
 */
function failureMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const cause = (error as { cause?: unknown }).cause;
  const reason =
    message.startsWith("Failed query:") && cause instanceof Error ? cause.message : message;
  return reason.replaceAll("\u0000", "");
}
