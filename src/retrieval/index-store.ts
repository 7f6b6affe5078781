import { join } from "node:path";
import type { Database } from "../db/client.ts";
import { readCorpusState } from "../db/corpus-state.ts";
import { readCorpusLanguages } from "../db/documents.ts";
import {
  readChunkVectors,
  readSourceFilters,
  readSearchableChunkIdsOf,
  forEachSearchableChunkPage,
  forEachSearchableVersionPage,
  readSearchableChunks,
  readSearchableVersionIds,
  readSearchableVersions,
  type SearchableChunk,
  type SearchableVersion,
  type SourceFilters,
} from "../db/searchable-corpus.ts";
import { analyseText } from "../text/analyse.ts";
import { createCorpusMemory, type CorpusMemory } from "./corpus-memory.ts";
import type { Embedder } from "./embedder.ts";
import { addStoredChunk, lexicalDocOf } from "./lexical-index-build.ts";
import { createLexicalIndexBuilder, type LexicalDoc, type LexicalIndex } from "./lexical-index.ts";
import { buildVectorIndex, loadVectorIndex, type VectorIndex } from "./vector-index.ts";
import type { WrittenVectors } from "./written-vectors.ts";

/**
 * Everything answering searches and reads, in memory: the ANN index, the BM25 index (unless
 * VERITY_LEXICAL=sql) and the corpus itself (provenance, spans, texts and hashes), all for one
 * corpus state, which `followCorpus` moves forward as ingestion changes the store.
 */
export type SearchableIndex = {
  index: VectorIndex;
  corpus: CorpusMemory;
  /** The in-memory BM25 index of the same corpus state; null with VERITY_LEXICAL=sql. */
  lexical: LexicalIndex | null;
  /**
   * Each tenant's languages (of its indexed documents); a tenant has none when none was recorded
   * (an older store). Per tenant: a refusal naming them must not tell another tenant's.
   */
  languagesOf: ReadonlyMap<string, ReadonlySet<string>>;
  /**
   * Every source's tenant, trust tier and removal, for a question's source filter and the
   * policy's citable tiers (a change to any reopens the indexes: see followCorpus).
   */
  sources: SourceFilters;
  /** The saved vector index could not be used and was built again from the stored vectors. */
  rebuilt: boolean;
  /** Why the saved index was not used (missing, truncated, other model, ...); null when it was. */
  rebuiltBecause: string | null;
};

export type Embedding = Pick<Embedder, "modelId" | "dimension">;

/** Of `ids`, those that are not present sources of `tenant` (another tenant's are unknown). */
export function unknownSources(searchable: SearchableIndex, ids: string[], tenant: string) {
  return ids.filter((id) => {
    const source = searchable.sources.get(id);
    return !source || source.tenant !== tenant || source.removed;
  });
}

/** The sources of `tenant` at these trust tiers. */
export function sourcesAtTrust(
  searchable: SearchableIndex,
  tenant: string,
  tiers: readonly SearchableVersion["trust"][],
): Set<string> {
  const out = new Set<string>();
  for (const [id, source] of searchable.sources)
    if (source.tenant === tenant && tiers.includes(source.trust)) out.add(id);
  return out;
}

export function indexDir(dataDir: string): string {
  return join(dataDir, "index");
}

/**
 * Load the searchable corpus from the store, in one snapshot, with the vector index: the saved
 * one when it is intact and of this model (brought up to date with the store when the corpus
 * changed since it was saved, re-embedding nothing: the store has every vector), otherwise one
 * built from the stored vectors (those in `written` taken from there, not read back) and saved.
 */
export async function openSearchableIndex(
  db: Database,
  dataDir: string,
  embedder: Embedding,
  options: { lexical?: boolean; written?: WrittenVectors } = {},
): Promise<SearchableIndex> {
  const dir = indexDir(dataDir);
  let rebuiltBecause: string | null = null;
  const saved = await loadVectorIndex(
    dir,
    { model: embedder.modelId, dimension: embedder.dimension },
    { onReject: (reason) => (rebuiltBecause = reason) },
  );
  const corpus = createCorpusMemory();
  const lexical = options.lexical ? createLexicalIndexBuilder() : null;
  // What is kept of each page of chunk rows (their tsvectors and vectors are not kept whole): at
  // a million chunks, the rows of the whole corpus at once were gigabytes of transient heap.
  const ofModel = new Set<string>();
  let vectors: VectorItem[] = [];
  // Vectors are read only to build the graph (a saved one holds them), and only those this
  // process did not just write itself.
  const building = saved === null;
  let written: WrittenVectors | null = null;
  const snapshot = await inSnapshot(db, async (tx) => {
    const state = await readCorpusState(tx);
    // Held vectors pay when they are most of the corpus; otherwise reading every vector in pages
    // costs less than reading the many missing ones by id.
    const held = options.written?.size ?? 0;
    if (held > 0 && held * 2 >= state.chunkCount) written = options.written!;
    await forEachSearchableVersionPage(tx, undefined, (page) => {
      for (const version of page) corpus.addVersion(version);
    });
    await forEachSearchableChunkPage(tx, { withEmbeddings: building && !written }, (page) => {
      corpus.addChunks(page);
      const held = page.filter((chunk) => corpus.chunk(chunk.chunkId));
      if (lexical) {
        for (const chunk of held)
          addStoredChunk(lexical, chunk, corpus.chunk(chunk.chunkId)!.version);
      }
      for (const chunk of held) if (chunk.model === embedder.modelId) ofModel.add(chunk.chunkId);
      if (!building) return;
      vectors.push(
        ...(written
          ? heldOrUnread(held, embedder.modelId, written)
          : vectorItems(held, embedder.modelId)),
      );
    });
    vectors = await readUnread(tx, vectors, embedder.modelId);
    return {
      state,
      languagesOf: await readCorpusLanguages(tx),
      sources: await readSourceFilters(tx),
    };
  });

  let index = saved;
  if (index) {
    await catchUpVectors(db, index, ofModel, options.written);
  } else {
    index = buildVectorIndex(vectors, {
      model: embedder.modelId,
      dimension: embedder.dimension,
      fingerprint: snapshot.state.fingerprint,
    });
  }
  const caughtUp = index.state.fingerprint !== snapshot.state.fingerprint;
  index.describe(snapshot.state.fingerprint);
  if (!saved || caughtUp) await index.save(dir);
  return {
    index,
    corpus,
    lexical: lexical?.finish() ?? null,
    languagesOf: snapshot.languagesOf,
    sources: snapshot.sources,
    rebuilt: saved === null,
    rebuiltBecause,
  };
}

/**
 * Bring `searchable` to the store's current corpus state: versions no longer searchable leave
 * every index, new ones join them (their vectors read from the store). Reads one snapshot, then
 * changes the indexes with no await in between, so a search sees the state before or after.
 * Says `reopen` when the change is one it does not follow (a source's name, uri, trust or tenant
 * changed: every loaded version's provenance may be stale), and throws when the result does not
 * match the store; either way the caller opens the indexes afresh.
 */
export async function followCorpus(
  db: Database,
  searchable: SearchableIndex,
  embedder: Embedding,
  /**
   * Versions to load again from the store even if the corpus state did not move: a record found
   * their stored rows differ from what was loaded (altered in place, which no state change shows).
   */
  reload: readonly string[] = [],
  /** Vectors this process just wrote: the added chunks' are taken from here, not read back. */
  written?: WrittenVectors,
): Promise<{ changed: boolean; added: number; removed: number; reopen?: string }> {
  const { corpus, index, lexical } = searchable;
  const known = index.state.fingerprint;
  const read = await inSnapshot(db, async (tx) => {
    const state = await readCorpusState(tx);
    if (state.fingerprint === known && reload.length === 0) return null;
    if (!known.endsWith(`/${state.sources}`)) return "the sources changed" as const;
    const current = new Set(await readSearchableVersionIds(tx));
    const again = new Set(reload);
    const added = [...current].filter((id) => !corpus.version(id) || again.has(id));
    // Versions to load again are read whole from the store: their rows were found altered.
    const held = written?.size && reload.length === 0 ? written : null;
    const chunks = await readSearchableChunks(tx, { versionIds: added, withEmbeddings: !held });
    const vectors = held
      ? await readUnread(tx, heldOrUnread(chunks, embedder.modelId, held), embedder.modelId)
      : vectorItems(chunks, embedder.modelId);
    return {
      state,
      current,
      versions: await readSearchableVersions(tx, added),
      chunks,
      vectors,
      languagesOf: await readCorpusLanguages(tx),
    };
  });
  if (!read) return { changed: false, added: 0, removed: 0 };
  if (typeof read === "string") return { changed: true, added: 0, removed: 0, reopen: read };

  const again = new Set(reload);
  const gone = [...corpus.versionIds()].filter((id) => !read.current.has(id) || again.has(id));
  const goneChunks: string[] = [];
  for (const versionId of gone) {
    const ids = corpus.version(versionId)?.chunkIds ?? [];
    // The lexemes a removed chunk had, found again from its text: cheaper than the postings.
    lexical?.remove(ids, (id) => analyseText(corpus.chunk(id)?.text ?? "").keys());
    corpus.removeVersion(versionId);
    goneChunks.push(...ids);
  }
  index.remove(goneChunks);
  addVersions(corpus, read.versions, read.chunks);
  lexical?.add(read.chunks.flatMap((c) => lexicalDoc(corpus, c)));
  index.add(read.vectors);
  index.describe(read.state.fingerprint);
  searchable.languagesOf = read.languagesOf;
  if (corpus.chunkCount() !== read.state.chunkCount) {
    throw new Error(
      `in-memory corpus has ${corpus.chunkCount()} chunks, the store ${read.state.chunkCount}`,
    );
  }
  // Fewer vectors than the store has of this model: chunks already held were re-embedded with
  // it (an ingest after the encoder changed). Their vectors join; their text did not change.
  if (index.state.count < (read.state.models[embedder.modelId] ?? 0)) {
    const ids = await readSearchableChunkIdsOf(db, embedder.modelId);
    await addMissingVectors(db, index, new Set(ids.filter((id) => corpus.chunk(id))), written);
  }
  return { changed: true, added: read.chunks.length, removed: goneChunks.length };
}

/** Reads that must agree with each other: one repeatable-read transaction. */
function inSnapshot<T>(db: Database, read: (tx: Database) => Promise<T>): Promise<T> {
  return db.transaction((tx) => read(tx as unknown as Database), {
    isolationLevel: "repeatable read",
    accessMode: "read only",
  });
}

function addVersions(
  corpus: CorpusMemory,
  versions: SearchableVersion[],
  chunks: SearchableChunk[],
): void {
  for (const version of versions) corpus.addVersion(version);
  corpus.addChunks(chunks);
}

/** A chunk's postings entry; none for a chunk whose version was not loaded. */
function lexicalDoc(corpus: CorpusMemory, chunk: SearchableChunk): LexicalDoc[] {
  const version = corpus.chunk(chunk.chunkId)?.version;
  return version ? [lexicalDocOf(chunk, version)] : [];
}

type VectorItem = { chunkId: string; vector: Float32Array };

/** Vectors of this model only: a chunk embedded by another is re-embedded on ingest, not mixed. */
function vectorItems(chunks: SearchableChunk[], model: string): VectorItem[] {
  return chunks.flatMap((c) =>
    c.model === model && c.embedding ? [{ chunkId: c.chunkId, vector: c.embedding }] : [],
  );
}

/** A vector still to be read from the store (readUnread); never one an item keeps. */
const UNREAD = new Float32Array(0);

/**
 * The items of chunks read without their vectors (of this model only): each one's vector as this
 * process wrote it, or UNREAD.
 */
function heldOrUnread(
  chunks: SearchableChunk[],
  model: string,
  written: WrittenVectors,
): VectorItem[] {
  return chunks.flatMap((c) =>
    c.model === model
      ? [{ chunkId: c.chunkId, vector: written.take(c.chunkId, model) ?? UNREAD }]
      : [],
  );
}

/**
 * The items with their vectors: the UNREAD ones read from the store (in the caller's snapshot,
 * when it has one). An item whose chunk `model` no longer embedded (re-embedded meanwhile) is
 * left out, as a chunk of another model is everywhere else.
 */
async function readUnread(db: Database, items: VectorItem[], model: string): Promise<VectorItem[]> {
  const unread = items.filter((item) => item.vector === UNREAD).map((item) => item.chunkId);
  if (unread.length === 0) return items;
  const stored = await readChunkVectors(db, unread, model);
  return items.flatMap((item) => {
    if (item.vector !== UNREAD) return [item];
    const vector = stored.get(item.chunkId);
    return vector ? [{ chunkId: item.chunkId, vector }] : [];
  });
}

/**
 * A saved index of an earlier corpus state, made to match this one: chunks no longer searchable
 * leave it, chunks it lacks join it with their vectors.
 */
async function catchUpVectors(
  db: Database,
  index: VectorIndex,
  wanted: Set<string>,
  written?: WrittenVectors,
): Promise<void> {
  index.remove(index.chunkIds().filter((id) => !wanted.has(id)));
  await addMissingVectors(db, index, wanted, written);
}

/**
 * Index the vectors of the `wanted` chunks it lacks: those this process just wrote from
 * `written`, the others read from the store.
 */
async function addMissingVectors(
  db: Database,
  index: VectorIndex,
  wanted: Set<string>,
  written?: WrittenVectors,
): Promise<void> {
  const { model } = index.state;
  const missing = [...wanted].filter((id) => !index.has(id));
  if (missing.length === 0) return;
  const items = missing.map((chunkId) => ({
    chunkId,
    vector: written?.take(chunkId, model) ?? UNREAD,
  }));
  index.add(await readUnread(db, items, model));
}
