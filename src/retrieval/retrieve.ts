import type { Database } from "../db/client.ts";
import { trustTier } from "../db/schema/index.ts";
import { timeStage, type Metrics } from "../metrics/metrics.ts";
import type { Embedder } from "./embedder.ts";
import { fuseRankings } from "./fusion.ts";
import { analyseQuestionInMemory, searchLexicalInMemory } from "./lexical-memory.ts";
import type { IndexHolder } from "./index-holder.ts";
import { sourcesAtTrust } from "./index-store.ts";
import { dot } from "./vector-math.ts";
import { whilePending } from "./while-pending.ts";
import { analyseQuestion, searchLexical, type QueryTerms } from "./lexical.ts";

/** How many hits each retriever contributes before fusion. */
const LIST_DEPTH = 50;
/** BM25 is far stronger than USE-lite on our evaluation data; dense search mostly breaks ties. */
const LEXICAL_WEIGHT = 1;
const DENSE_WEIGHT = 0.5;

export type Candidate = {
  chunkId: string;
  versionId: string;
  documentId: string;
  sourceId: string;
  sourceName: string;
  title: string;
  uri: string;
  path: string;
  trust: string;
  start: number;
  end: number;
  text: string;
  sha256: string;
  /** Flagged at ingest: the chunk reads like instructions to a model (src/text/injection.ts). */
  suspectedInjection: boolean;
  lexicalScore: number;
  lexicalRank: number | null;
  denseSimilarity: number;
  fusedScore: number;
};

export type Retrieval = { query: QueryTerms; candidates: Candidate[] };

export type RetrieveInput = {
  question: string;
  /** Whose sources are searched: no other tenant's chunk is ever a candidate. */
  tenant: string;
  sourceIds?: string[];
  k: number;
  /** Leave out chunks flagged as suspected prompt injection (policy excludeSuspectedInjection). */
  excludeSuspectedInjection?: boolean;
  /** Only chunks of sources at these trust tiers (policy citableTrust); every tier when absent. */
  citableTrust?: readonly Trust[];
  /**
   * Work for the wait on the question's vector: called with the text of each of the best k
   * lexical hits, best first, for as long as the vector is not ready (whilePending). The answer's
   * scoring reads the candidates' passages next, and the best lexical hits are most of them.
   */
  whileEmbedding?: (passage: string) => void;
};

type Trust = (typeof trustTier.enumValues)[number];

/**
 * What retrieval reads: the store, the query encoder and the serving vector index; `metrics`,
 * when given, times each stage (createDeps gives it; hand-built deps may leave it out).
 */
export type RetrievalDeps = {
  db: Database;
  embedder: Embedder;
  index: IndexHolder;
  metrics?: Metrics;
};

/** Hybrid retrieval: Postgres BM25 and the ANN index, fused, with each chunk's provenance. */
export async function retrieveCandidates(
  deps: RetrievalDeps,
  input: RetrieveInput,
): Promise<Retrieval> {
  const { db, metrics } = deps;
  // One read of the holder: both searches see the same corpus state.
  const searchableIndex = deps.index.current();
  const inMemory = searchableIndex.lexical;
  // The question's vector is computed (on a worker thread, when serving) while it is analysed
  // and BM25 runs here: at one question at a time that hides most of the model call.
  const embedding = timeStage(metrics, "embed", () => deps.embedder.embedQuery(input.question));
  // Awaited below; this only keeps a failure before then from going unhandled.
  embedding.catch(() => {});
  const query = await timeStage(metrics, "analyse", async () =>
    inMemory
      ? analyseQuestionInMemory(inMemory, input.question)
      : analyseQuestion(db, input.question),
  );
  const { tenant } = input;
  // A tier no answer may cite is filtered inside both searches, as another tenant's sources are:
  // its chunks are never scored or cited, and never take a citable chunk's place.
  const trust = trustTier.enumValues.every((t) => input.citableTrust?.includes(t) ?? true)
    ? undefined
    : input.citableTrust;
  const citable = trust ? sourcesAtTrust(searchableIndex, tenant, trust) : null;
  const lexical = await timeStage(metrics, "lexical", async () =>
    inMemory
      ? searchLexicalInMemory(inMemory, query, {
          k: LIST_DEPTH,
          tenant,
          sourceIds: input.sourceIds,
          citableSources: citable,
        })
      : searchLexical(db, query, { k: LIST_DEPTH, tenant, sourceIds: input.sourceIds, trust }),
  );
  const { index, corpus } = searchableIndex;
  const { whileEmbedding } = input;
  const vector = await whilePending(
    embedding,
    whileEmbedding
      ? lexical.slice(0, input.k).map((hit) => () => {
          const chunk = corpus.chunk(hit.chunkId);
          if (chunk && !(input.excludeSuspectedInjection && chunk.suspectedInjection))
            whileEmbedding(chunk.text);
        })
      : [],
  );
  const allowed = input.sourceIds?.length ? new Set(input.sourceIds) : null;
  const searchable = (chunkId: string) => {
    const version = corpus.chunk(chunkId)?.version;
    return (
      version !== undefined &&
      version.tenant === tenant &&
      (!allowed || allowed.has(version.sourceId)) &&
      (!citable || citable.has(version.sourceId))
    );
  };
  // Inside the ANN search, so another tenant's nearer chunks never take the caller's places; not
  // at all when every chunk held is searchable here (one tenant, no source or tier restriction).
  const restricted = allowed !== null || citable !== null || !corpus.onlyTenant(tenant);
  const dense = await timeStage(metrics, "dense", () =>
    index.search(vector, LIST_DEPTH, restricted ? searchable : undefined),
  );
  let ranked = fuseRankings([
    { weight: LEXICAL_WEIGHT, ids: lexical.map((h) => h.chunkId) },
    { weight: DENSE_WEIGHT, ids: dense.map((h) => h.chunkId) },
  ]);
  // Excluded here, before the cut to k and before any scoring: a flagged chunk is never scored,
  // selected or cited, and never takes the place of a clean chunk among the k handed on (a filter
  // at citation time would refuse answers a clean chunk could give).
  if (input.excludeSuspectedInjection) {
    ranked = ranked.filter((f) => !corpus.chunk(f.id)?.suspectedInjection);
  }
  const fused = ranked.slice(0, input.k);
  const lexicalById = new Map(lexical.map((h, rank) => [h.chunkId, { score: h.score, rank }]));
  const similarityOf = new Map(dense.map((h) => [h.chunkId, h.similarity]));

  const candidates = fused.flatMap((f): Candidate[] => {
    // Read from the in-memory corpus: a chunk superseded since the search (the corpus moved on
    // between two awaits) is simply gone, so an answer never cites a version it no longer holds.
    const chunk = corpus.chunk(f.id);
    if (!chunk || !searchable(f.id)) return [];
    const { version } = chunk;
    const lex = lexicalById.get(f.id);
    return [
      {
        chunkId: chunk.chunkId,
        versionId: version.versionId,
        documentId: version.documentId,
        sourceId: version.sourceId,
        sourceName: version.sourceName,
        title: version.title,
        uri: version.uri,
        path: version.path,
        trust: version.trust,
        start: chunk.start,
        end: chunk.end,
        text: chunk.text,
        sha256: chunk.sha256,
        suspectedInjection: chunk.suspectedInjection,
        lexicalScore: lex?.score ?? 0,
        lexicalRank: lex?.rank ?? null,
        denseSimilarity: similarityOf.get(f.id) ?? similarity(vector, index.vectorOf(f.id)),
        fusedScore: f.score,
      },
    ];
  });
  return { query, candidates };
}

/** Cosine of a query with a stored unit vector; 0 for a chunk with no vector of this model. */
function similarity(query: Float32Array, stored: Float32Array | null): number {
  return stored ? dot(query, stored) : 0;
}
