import { createHnsw, DEFAULT_HNSW_PARAMS, type HnswParams, type IndexState } from "./hnsw.ts";
import { createInt8Vectors } from "./int8-vectors.ts";
import { fitProjection, identityProjection, isIdentity, project } from "./pca-projection.ts";
import { loadIndexFiles, saveIndexFiles, type IndexParts } from "./vector-index-files.ts";
import { toUnitVector } from "./vector-math.ts";

export type { IndexState } from "./hnsw.ts";

export type VectorHit = { chunkId: string; similarity: number };

/**
 * The dense index: an HNSW graph (hnswlib-node) that finds candidates, and every chunk's vector
 * at one byte a dimension (int8-vectors.ts) that ranks them. Once the corpus is large the graph
 * holds projected vectors (128 of 512 dimensions, pca-projection.ts): hnswlib-node keeps a
 * float32 copy of every vector it indexes and has no smaller format, so the projection is what
 * shrinks it. A search takes the graph's whole candidate list (ef long) and re-ranks it with the
 * full-width vectors.
 */
export interface VectorIndex {
  /** The corpus state the index reflects: it moves with every add, remove and `describe`. */
  readonly state: IndexState;
  /**
   * Cosine similarity in [-1, 1] (of the int8 vectors: within ~1e-3 of float32's), best first; at
   * most min(k, count) hits (fewer if filtered).
   */
  search(query: Float32Array, k: number, filter?: (chunkId: string) => boolean): VectorHit[];
  /** The stored vector of an indexed chunk (its int8 copy, decoded: unit length to ~1e-3), or null. */
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

/**
 * When the graph's vectors are projected (see pca-projection.ts). Below `projectFrom` chunks the
 * graph holds the full vectors: memory does not matter there, and a basis fitted on a handful of
 * vectors would not fit the ones that come later. An index that grows past it is projected then,
 * with a basis fitted on every vector it holds at that moment.
 */
export type ProjectionParams = {
  projectFrom: number;
  /** The graph's dimension once projected. */
  projectedDimension: number;
  /** At most this many vectors, spread over the corpus, fit the basis. */
  fitSample: number;
};

// 128 of 512 dimensions: the graph's share of a million chunks falls from 2.2 GiB to 0.8 GiB
// (plus 0.5 GiB of int8 codes), and recall@50 of the re-ranked candidates stays at the full
// graph's (figures in the README, from `npm run bench:ann`).
export const DEFAULT_PROJECTION_PARAMS: ProjectionParams = {
  projectFrom: 8192,
  projectedDimension: 128,
  fitSample: 8192,
};

export type VectorIndexOptions = Partial<HnswParams> & Partial<ProjectionParams>;

type Params = HnswParams & ProjectionParams;

// Fixed so the same items always give the same graph (reproducible rankings and tests).
const RANDOM_SEED = 100;

type Item = { chunkId: string; vector: Float32Array };

/** The defaults, with each option the caller set (an option given as undefined keeps its default). */
function paramsOf(options: VectorIndexOptions): Params {
  const set = Object.entries(options).filter(([, value]) => value !== undefined);
  return { ...DEFAULT_HNSW_PARAMS, ...DEFAULT_PROJECTION_PARAMS, ...Object.fromEntries(set) };
}

export function buildVectorIndex(
  items: Item[],
  state: Omit<IndexState, "count">,
  options: VectorIndexOptions = {},
): VectorIndex {
  const params = paramsOf(options);
  const ids = items.map((item) => item.chunkId);
  if (new Set(ids).size !== ids.length) throw new Error("duplicate chunkId in vector index items");
  for (const item of items) checkDimension(item, state.dimension);
  return wrapIndex(
    buildParts(items, state.dimension, params),
    { ...state, count: items.length },
    params,
  );
}

/** A graph, codes and projection for `items`, in their order: item i is label i. */
function buildParts(items: Item[], dimension: number, params: Params): IndexParts {
  const projection =
    items.length >= params.projectFrom
      ? fitProjection(
          spreadSample(items, params.fitSample),
          dimension,
          Math.min(dimension, params.projectedDimension),
        )
      : identityProjection(dimension);
  const hnsw = createHnsw(projection.to);
  // hnswlib rejects maxElements 0, so an empty corpus still gets room for one.
  hnsw.initIndex({
    maxElements: Math.max(1, items.length),
    m: params.m,
    efConstruction: params.efConstruction,
    randomSeed: RANDOM_SEED,
  });
  const vectors = createInt8Vectors(dimension, items.length);
  items.forEach((item, label) => {
    const unit = toUnitVector(item.vector);
    vectors.set(label, unit);
    hnsw.addPoint(project(projection, unit), label);
  });
  return { hnsw, projection, vectors, ids: items.map((item) => item.chunkId) };
}

/** At most `size` unit vectors of `items`, evenly spaced through them (deterministic). */
function spreadSample(items: Item[], size: number): Float32Array[] {
  const count = Math.min(size, items.length);
  return Array.from({ length: count }, (_, i) =>
    toUnitVector(items[Math.floor((i * items.length) / count)]!.vector),
  );
}

function checkDimension(item: Item, dimension: number) {
  if (item.vector.length !== dimension) {
    throw new Error(
      `vector for ${item.chunkId} has ${item.vector.length} dimensions, expected ${dimension}`,
    );
  }
}

/**
 * The saved index, of whatever corpus state its manifest names (the caller brings it up to
 * date); null when it is missing, corrupt, of an older layout, or of another model or dimension.
 */
export async function loadVectorIndex(
  dir: string,
  expected: Pick<IndexState, "model" | "dimension">,
  // M, efConstruction and the projection come from the manifest; the search-time ef and when a
  // still unprojected index is projected are the caller's choice.
  options: Pick<VectorIndexOptions, "efSearch" | keyof ProjectionParams> & {
    onReject?: (reason: string) => void;
  } = {},
): Promise<VectorIndex | null> {
  const loaded = await loadIndexFiles(dir, expected, createHnsw);
  if (!loaded.ok) {
    options.onReject?.(loaded.reason);
    return null;
  }
  const { params: saved, state, ok: _ok, ...parts } = loaded;
  const { onReject: _onReject, ...chosen } = options;
  const params = { ...paramsOf(chosen), ...saved };
  // Saved before it reached the threshold and grown past it since (caught up while serving, or
  // a lower threshold now): built again, with a basis, rather than kept at full width.
  if (isIdentity(parts.projection) && state.count >= params.projectFrom) {
    options.onReject?.(
      `unprojected at ${state.count} chunks (projected from ${params.projectFrom})`,
    );
    return null;
  }
  return wrapIndex(parts, state, params);
}

/**
 * `ids[label]` is the chunk at hnsw label `label`, null once removed: hnswlib marks a removed
 * node deleted (searches skip it) and keeps it in the graph, so labels never move (until the
 * index is projected, which builds it again from its live vectors).
 */
function wrapIndex(initial: IndexParts, initialState: IndexState, params: Params): VectorIndex {
  let parts = initial;
  let state: IndexState = Object.freeze({ ...initialState });
  const labelOf = new Map<string, number>();

  function adopt(next: IndexParts): void {
    parts = next;
    labelOf.clear();
    next.ids.forEach((id, label) => id !== null && labelOf.set(id, label));
    // Whatever saved the graph, a label with no chunk must be marked deleted, so an unfiltered
    // search skips it. hnswlib-node has no "is deleted?" and throws on marking one again.
    const nodes = next.hnsw.getCurrentCount();
    next.ids.forEach((id, label) => {
      if (id !== null || label >= nodes) return;
      try {
        next.hnsw.markDelete(label);
      } catch (error) {
        if (!/already deleted/.test(String(error))) throw error;
      }
    });
  }
  adopt(initial);

  const setState = (change: Partial<IndexState>) =>
    (state = Object.freeze({ ...state, ...change, count: labelOf.size }));

  function remove(chunkIds: Iterable<string>): void {
    for (const id of chunkIds) {
      const label = labelOf.get(id);
      if (label === undefined) continue;
      parts.hnsw.markDelete(label);
      parts.ids[label] = null;
      labelOf.delete(id);
    }
    setState({});
  }

  /**
   * The unprojected index and `added` (chunks it does not hold), past `projectFrom` together,
   * built again with a basis fitted on all of them: each added vector goes into the graph once,
   * projected, never first at full width and then again.
   */
  function projectWith(added: Item[]): void {
    const live = parts.ids.flatMap((chunkId, label) =>
      chunkId === null ? [] : [{ chunkId, vector: parts.vectors.vector(label) }],
    );
    adopt(buildParts([...live, ...added], state.dimension, params));
  }

  /** The best `wanted` of `labels` by their stored vectors' dot product with `unitQuery`. */
  function rerank(unitQuery: Float32Array, labels: Iterable<number>, wanted: number): VectorHit[] {
    const scored: { label: number; similarity: number }[] = [];
    for (const label of labels) {
      const chunkId = parts.ids[label];
      if (chunkId == null) continue;
      scored.push({ label, similarity: clamp(parts.vectors.dot(unitQuery, label)) });
    }
    scored.sort((a, b) => b.similarity - a.similarity || a.label - b.label);
    return scored
      .slice(0, wanted)
      .map(({ label, similarity }) => ({ chunkId: parts.ids[label]!, similarity }));
  }

  function allLabels(keep: (label: number) => boolean): number[] {
    const out: number[] = [];
    for (let label = 0; label < parts.ids.length; label++) if (keep(label)) out.push(label);
    return out;
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
      const { hnsw, ids, projection } = parts;

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

      const unitQuery = toUnitVector(query);
      // The graph's whole candidate list comes back and is re-ranked with the full vectors: in
      // the projected space the order near the cut-off is only approximately cosine's.
      const pool = Math.min(Math.max(params.efSearch, wanted * 4), labelOf.size);
      hnsw.setEf(pool);
      const graphQuery = project(projection, unitQuery);
      // With no filter the walk stays native, with no call into JS per visited node (those calls
      // were most of a search's cost at 100k chunks): every removed chunk's node is marked
      // deleted (remove(), and adopt() for a loaded graph), and hnswlib never returns one.
      const { neighbors } = keep
        ? hnsw.searchKnn(graphQuery, pool, keep)
        : hnsw.searchKnn(graphQuery, pool);
      if (filterError !== null) throw filterError;
      const hits = rerank(unitQuery, neighbors, wanted);

      // A selective filter can starve the graph walk; an exact scan of the survivors is the
      // correct answer and cheap when few items pass.
      if (keep && hits.length < wanted) {
        const exact = rerank(unitQuery, allLabels(keep), wanted);
        if (filterError !== null) throw filterError;
        return exact;
      }
      return hits;
    },

    vectorOf(chunkId) {
      const label = labelOf.get(chunkId);
      return label === undefined ? null : parts.vectors.vector(label);
    },

    has: (chunkId) => labelOf.has(chunkId),

    chunkIds: () => [...labelOf.keys()],

    add(items) {
      // The last of a chunk given twice stands, as if added one after the other.
      const latest = [...new Map(items.map((item) => [item.chunkId, item])).values()];
      remove(latest.map((item) => item.chunkId).filter((id) => labelOf.has(id)));
      for (const item of latest) checkDimension(item, state.dimension);
      if (isIdentity(parts.projection) && labelOf.size + latest.length >= params.projectFrom) {
        projectWith(latest);
      } else {
        const { hnsw, projection, vectors, ids } = parts;
        // Room for the whole batch at once: each resize copies the graph.
        const needed = ids.length + latest.length;
        if (needed > hnsw.getMaxElements()) {
          hnsw.resizeIndex(Math.max(needed, Math.ceil(hnsw.getMaxElements() * 1.5)));
        }
        for (const item of latest) {
          const label = ids.length;
          const unit = toUnitVector(item.vector);
          vectors.set(label, unit);
          hnsw.addPoint(project(projection, unit), label);
          ids.push(item.chunkId);
          labelOf.set(item.chunkId, label);
        }
      }
      setState({});
    },

    remove,

    describe: (fingerprint) => setState({ fingerprint }),

    save: (dir) => saveIndexFiles(dir, parts, state, params),
  };
}

/** float32 rounding can push a cosine a hair outside [-1, 1]. */
function clamp(similarity: number): number {
  return Math.min(1, Math.max(-1, similarity));
}
