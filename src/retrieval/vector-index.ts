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
  /** The corpus state the index reflects: it moves with every add, remove and `describe`. */
  readonly state: IndexState;
  /** Cosine similarity in [-1, 1], best first; at most min(k, count) hits (fewer if filtered). */
  search(query: Float32Array, k: number, filter?: (chunkId: string) => boolean): VectorHit[];
  /** The stored unit vector of an indexed chunk, or null. */
  vectorOf(chunkId: string): Float32Array | null;
  has(chunkId: string): boolean;
  chunkIds(): string[];
  /** Index more chunks (one already indexed is replaced), growing the graph as needed. */
  add(items: { chunkId: string; vector: Float32Array }[]): void;
  /** Take chunks out of every search; their graph nodes stay until the next rebuild. */
  remove(chunkIds: Iterable<string>): void;
  /** Name the corpus state the index now reflects (after the changes that reached it). */
  describe(fingerprint: string): void;
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
    checkDimension(item, state.dimension);
    // The binding accepts only plain arrays; the label is the position in `ids`.
    hnsw.addPoint(Array.from(item.vector), label);
  });
  return wrapHnsw(hnsw, ids, { ...state, count: items.length }, params);
}

function checkDimension(item: { chunkId: string; vector: Float32Array }, dimension: number) {
  if (item.vector.length !== dimension) {
    throw new Error(
      `vector for ${item.chunkId} has ${item.vector.length} dimensions, expected ${dimension}`,
    );
  }
}

/**
 * The saved index, of whatever corpus state its manifest names (the caller brings it up to
 * date); null when it is missing, corrupt, or of another model or dimension.
 */
export async function loadVectorIndex(
  dir: string,
  expected: Pick<IndexState, "model" | "dimension">,
  // M and efConstruction come from the manifest; only the search-time ef is the caller's choice.
  options: Pick<VectorIndexOptions, "efSearch"> & { onReject?: (reason: string) => void } = {},
): Promise<VectorIndex | null> {
  const loaded = await loadIndexFiles(dir, expected, () => createHnsw(expected.dimension));
  if (!loaded.ok) {
    options.onReject?.(loaded.reason);
    return null;
  }
  const { hnsw, ids, params, state } = loaded;
  return wrapHnsw(hnsw, ids, state, {
    ...params,
    efSearch: options.efSearch ?? DEFAULT_HNSW_PARAMS.efSearch,
  });
}

/**
 * `ids[label]` is the chunk at hnsw label `label`, null once removed: hnswlib marks a removed
 * node deleted (searches skip it) and keeps it in the graph, so labels never move.
 */
function wrapHnsw(
  hnsw: Hnsw,
  ids: (string | null)[],
  initial: IndexState,
  params: HnswParams,
): VectorIndex {
  let state: IndexState = Object.freeze({ ...initial });
  const labelOf = new Map<string, number>();
  ids.forEach((id, label) => id !== null && labelOf.set(id, label));
  // Whatever saved the graph, a label with no chunk must be marked deleted, so an unfiltered
  // search skips it. hnswlib-node has no "is deleted?" and throws on marking one again.
  const nodes = hnsw.getCurrentCount();
  ids.forEach((id, label) => {
    if (id !== null || label >= nodes) return;
    try {
      hnsw.markDelete(label);
    } catch (error) {
      if (!/already deleted/.test(String(error))) throw error;
    }
  });
  const setState = (change: Partial<IndexState>) =>
    (state = Object.freeze({ ...state, ...change, count: labelOf.size }));

  function remove(chunkIds: Iterable<string>): void {
    for (const id of chunkIds) {
      const label = labelOf.get(id);
      if (label === undefined) continue;
      hnsw.markDelete(label);
      ids[label] = null;
      labelOf.delete(id);
    }
    setState({});
  }

  function searchExactly(
    query: Float32Array,
    k: number,
    keep: (label: number) => boolean,
  ): VectorHit[] {
    const unitQuery = toUnitVector(query);
    const hits: VectorHit[] = [];
    for (let label = 0; label < ids.length; label++) {
      if (ids[label] === null || !keep(label)) continue;
      // In cosine space hnswlib stores normalised vectors, so a dot product is the cosine.
      hits.push({ chunkId: ids[label]!, similarity: clamp(dot(unitQuery, hnsw.getPoint(label))) });
    }
    return hits.sort((a, b) => b.similarity - a.similarity).slice(0, k);
  }

  return {
    get state() {
      return state;
    },

    search(query, k, filter) {
      if (query.length !== state.dimension) {
        throw new Error(`query has ${query.length} dimensions, expected ${state.dimension}`);
      }
      const wanted = Math.min(Math.floor(k), labelOf.size);
      if (wanted <= 0) return [];

      // A filter that throws inside the native search would leave a pending JS exception, so
      // errors are caught here and rethrown once hnswlib has returned.
      let filterError: unknown = null;
      const keep = filter
        ? (label: number) => {
            try {
              const id = ids[label];
              return filterError === null && id != null && filter(id);
            } catch (error) {
              filterError = error;
              return false;
            }
          }
        : undefined;

      hnsw.setEf(Math.max(params.efSearch, wanted * 4));
      // With no filter the walk stays native, with no call into JS per visited node (those calls
      // were most of a search's cost at 100k chunks): every removed chunk's node is marked
      // deleted (remove(), and wrapHnsw for a loaded graph), and hnswlib never returns one.
      const { neighbors, distances } = keep
        ? hnsw.searchKnn(Array.from(query), wanted, keep)
        : hnsw.searchKnn(Array.from(query), wanted);
      if (filterError !== null) throw filterError;
      const hits = neighbors.flatMap((label, i) => {
        const chunkId = ids[label];
        return chunkId == null ? [] : [{ chunkId, similarity: clamp(1 - distances[i]!) }];
      });

      // A selective filter can starve the graph walk; an exact scan of the survivors is the
      // correct answer and cheap when few items pass.
      if (keep && hits.length < wanted) {
        const exact = searchExactly(query, wanted, keep);
        if (filterError !== null) throw filterError;
        return exact;
      }
      return hits;
    },

    vectorOf(chunkId) {
      const label = labelOf.get(chunkId);
      return label === undefined ? null : Float32Array.from(hnsw.getPoint(label));
    },

    has: (chunkId) => labelOf.has(chunkId),

    chunkIds: () => [...labelOf.keys()],

    add(items) {
      remove(items.map((item) => item.chunkId).filter((id) => labelOf.has(id)));
      const needed = ids.length + items.length;
      if (needed > hnsw.getMaxElements()) {
        hnsw.resizeIndex(Math.max(needed, Math.ceil(hnsw.getMaxElements() * 1.5)));
      }
      for (const item of items) {
        checkDimension(item, state.dimension);
        const label = ids.length;
        hnsw.addPoint(Array.from(item.vector), label);
        ids.push(item.chunkId);
        labelOf.set(item.chunkId, label);
      }
      setState({});
    },

    remove,

    describe: (fingerprint) => setState({ fingerprint }),

    save: (dir) => saveIndexFiles(dir, hnsw, ids, state, params),
  };
}

/** float32 rounding can push a cosine a hair outside [-1, 1]. */
function clamp(similarity: number): number {
  return Math.min(1, Math.max(-1, similarity));
}
