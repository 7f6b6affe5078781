import {
  createHnsw,
  DEFAULT_HNSW_PARAMS,
  type Hnsw,
  type HnswParams,
  type IndexState,
} from "./hnsw.ts";
import { loadIndexFiles, saveIndexFiles } from "./vector-index-files.ts";
import { dot, toUnitVector } from "./vector-math.ts";

export type { IndexState } from "./hnsw.ts";

export type VectorHit = { chunkId: string; similarity: number };

export interface VectorIndex {
  readonly state: IndexState;
  /** Cosine similarity in [-1, 1], best first; at most min(k, count) hits (fewer if filtered). */
  search(query: Float32Array, k: number, filter?: (chunkId: string) => boolean): VectorHit[];
  /** Atomic: a crash mid-save leaves the previous index (or none), never a half-written one. */
  save(dir: string): Promise<void>;
}

export type VectorIndexOptions = Partial<HnswParams>;

// Fixed so the same items always give the same graph (reproducible rankings and tests).
const RANDOM_SEED = 100;

export function buildVectorIndex(
  items: { chunkId: string; vector: Float32Array }[],
  state: Omit<IndexState, "count">,
  options: VectorIndexOptions = {},
): VectorIndex {
  const params: HnswParams = {
    m: options.m ?? DEFAULT_HNSW_PARAMS.m,
    efConstruction: options.efConstruction ?? DEFAULT_HNSW_PARAMS.efConstruction,
    efSearch: options.efSearch ?? DEFAULT_HNSW_PARAMS.efSearch,
  };
  const ids = items.map((item) => item.chunkId);
  if (new Set(ids).size !== ids.length) throw new Error("duplicate chunkId in vector index items");

  const hnsw = createHnsw(state.dimension);
  // hnswlib rejects maxElements 0, so an empty corpus still gets room for one.
  hnsw.initIndex({
    maxElements: Math.max(1, items.length),
    m: params.m,
    efConstruction: params.efConstruction,
    randomSeed: RANDOM_SEED,
  });
  items.forEach((item, label) => {
    if (item.vector.length !== state.dimension) {
      throw new Error(
        `vector for ${item.chunkId} has ${item.vector.length} dimensions, expected ${state.dimension}`,
      );
    }
    // The binding accepts only plain arrays; the label is the position in `ids`.
    hnsw.addPoint(Array.from(item.vector), label);
  });
  return wrapHnsw(hnsw, ids, { ...state, count: items.length }, params);
}

/** null when the saved index is missing, corrupt or stale (manifest differs from `expected`). */
export async function loadVectorIndex(
  dir: string,
  expected: IndexState,
  // M and efConstruction come from the manifest; only the search-time ef is the caller's choice.
  options: Pick<VectorIndexOptions, "efSearch"> & { onReject?: (reason: string) => void } = {},
): Promise<VectorIndex | null> {
  const loaded = await loadIndexFiles(dir, expected, () => createHnsw(expected.dimension));
  if (!loaded.ok) {
    options.onReject?.(loaded.reason);
    return null;
  }
  const { hnsw, ids, params } = loaded;
  return wrapHnsw(hnsw, ids, expected, {
    ...params,
    efSearch: options.efSearch ?? DEFAULT_HNSW_PARAMS.efSearch,
  });
}

function wrapHnsw(hnsw: Hnsw, ids: string[], state: IndexState, params: HnswParams): VectorIndex {
  const frozenState = Object.freeze({ ...state });

  function searchExactly(
    query: Float32Array,
    k: number,
    keep: (label: number) => boolean,
  ): VectorHit[] {
    const unitQuery = toUnitVector(query);
    const hits: VectorHit[] = [];
    for (let label = 0; label < ids.length; label++) {
      if (!keep(label)) continue;
      // In cosine space hnswlib stores normalised vectors, so a dot product is the cosine.
      hits.push({ chunkId: ids[label]!, similarity: clamp(dot(unitQuery, hnsw.getPoint(label))) });
    }
    return hits.sort((a, b) => b.similarity - a.similarity).slice(0, k);
  }

  return {
    state: frozenState,

    search(query, k, filter) {
      if (query.length !== state.dimension) {
        throw new Error(`query has ${query.length} dimensions, expected ${state.dimension}`);
      }
      const wanted = Math.min(Math.floor(k), ids.length);
      if (wanted <= 0) return [];

      // A filter that throws inside the native search would leave a pending JS exception, so
      // errors are caught here and rethrown once hnswlib has returned.
      let filterError: unknown = null;
      const keep = filter
        ? (label: number) => {
            try {
              return filterError === null && filter(ids[label]!);
            } catch (error) {
              filterError = error;
              return false;
            }
          }
        : undefined;

      hnsw.setEf(Math.max(params.efSearch, wanted * 4));
      const { neighbors, distances } = hnsw.searchKnn(Array.from(query), wanted, keep);
      if (filterError !== null) throw filterError;
      const hits = neighbors.map((label, i) => ({
        chunkId: ids[label]!,
        similarity: clamp(1 - distances[i]!),
      }));

      // A selective filter can starve the graph walk; an exact scan of the survivors is the
      // correct answer and cheap when few items pass.
      if (keep && hits.length < wanted) {
        const exact = searchExactly(query, wanted, keep);
        if (filterError !== null) throw filterError;
        return exact;
      }
      return hits;
    },

    save: (dir) => saveIndexFiles(dir, hnsw, ids, frozenState, params),
  };
}

/** float32 rounding can push a cosine a hair outside [-1, 1]. */
function clamp(similarity: number): number {
  return Math.min(1, Math.max(-1, similarity));
}
