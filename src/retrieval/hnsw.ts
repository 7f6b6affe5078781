import hnswlib from "hnswlib-node";

/**
 * What an index was built from; `fingerprint` is an opaque description of the DB state it
 * reflects. `dimension` is the model's (of the vectors searched with), not the graph's.
 */
export type IndexState = { model: string; dimension: number; count: number; fingerprint: string };

export type HnswParams = {
  /** Graph degree. 32 rather than hnswlib's 16: recall on 512-d text embeddings needs it. */
  m: number;
  /** Build-time candidate list; higher builds slower and better. */
  efConstruction: number;
  /** Search-time candidate list; the effective value is never below 4 * k. */
  efSearch: number;
};

// Chosen so recall@10 against brute force stays >= 0.98 (see test/unit/vector-index.test.ts);
// LangChain's defaults (ef 10) found only ~70% of the true top 10 on a 46k-chunk corpus.
export const DEFAULT_HNSW_PARAMS: HnswParams = { m: 32, efConstruction: 200, efSearch: 200 };

const { HierarchicalNSW } = hnswlib;
/** The hnswlib-node graph: the one class this adapter wraps (in memory and in its files). */
export type Hnsw = InstanceType<typeof HierarchicalNSW>;

/**
 * In l2 space: the graph holds projected unit vectors (see pca-projection.ts), whose lengths
 * differ, and squared distance there orders neighbours as cosine does in the full space.
 */
export function createHnsw(dimension: number): Hnsw {
  return new HierarchicalNSW("l2", dimension);
}
