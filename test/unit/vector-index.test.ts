import { mkdtemp, readdir, readFile, rm, truncate, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { dot, toUnitVector } from "../../src/retrieval/vector-math.ts";
import {
  buildVectorIndex,
  loadVectorIndex,
  type VectorIndex,
} from "../../src/retrieval/vector-index.ts";
import { createRng } from "../../src/rng.ts";

const DIMENSION = 512;
const STATE = { model: "test-model@1", dimension: DIMENSION, fingerprint: "corpus-v1" };

/**
 * Random-ish vectors shaped like text embeddings: topics (cluster centres) plus per-vector noise
 * of the same magnitude, so neighbours are close but not trivially separable.
 */
function makeVectors(count: number, seed: number): Float32Array[] {
  // Seeded, so the vectors (and the recall figure) are the same every run.
  const gaussian = createRng(seed).gaussian;
  const random = createRng(seed + 1).next;
  const centres = Array.from({ length: 40 }, () => Array.from({ length: DIMENSION }, gaussian));
  return Array.from({ length: count }, () => {
    const centre = centres[Math.floor(random() * centres.length)]!;
    return toUnitVector(centre.map((x) => x + gaussian()));
  });
}

function bruteForceTopK(vectors: Float32Array[], query: Float32Array, k: number): number[] {
  return vectors
    .map((v, i) => ({ i, score: dot(v, query) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, k)
    .map((hit) => hit.i);
}

const chunkId = (i: number) => `chk_${i}`;

describe("vector index", () => {
  const vectors = makeVectors(3000, 7);
  const items = vectors.map((vector, i) => ({ chunkId: chunkId(i), vector }));
  let index: VectorIndex;
  let dir: string;

  beforeAll(async () => {
    const started = performance.now();
    index = buildVectorIndex(items, STATE);
    console.info(
      `built ${items.length} x ${DIMENSION} in ${(performance.now() - started).toFixed(0)} ms`,
    );
    dir = await mkdtemp(join(tmpdir(), "verity-vector-index-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("finds at least 98% of the exact top 10", () => {
    const queries = makeVectors(200, 99);
    let found = 0;
    for (const query of queries) {
      const truth = new Set(bruteForceTopK(vectors, query, 10).map(chunkId));
      found += index.search(query, 10).filter((hit) => truth.has(hit.chunkId)).length;
    }
    const recall = found / (queries.length * 10);
    console.info(`recall@10 = ${recall.toFixed(4)}`);
    expect(recall).toBeGreaterThanOrEqual(0.98);
  });

  it("returns cosine similarities, best first, and finds an item by its own vector", () => {
    const hits = index.search(vectors[42]!, 5);
    // Similarities come from the int8 copies of the vectors: within ~1e-3 of the float32 cosine.
    expect(hits[0]).toEqual({ chunkId: "chk_42", similarity: expect.closeTo(1, 2) });
    for (const hit of hits) {
      const i = Number(hit.chunkId.slice(4));
      expect(hit.similarity).toBeCloseTo(dot(vectors[42]!, vectors[i]!), 2);
    }
    const similarities = hits.map((h) => h.similarity);
    expect(similarities).toEqual([...similarities].sort((a, b) => b - a));
    expect(similarities.every((s) => s >= -1 && s <= 1)).toBe(true);
  });

  it("applies a filter, including one that keeps only a handful of chunks", () => {
    const even = index.search(vectors[0]!, 10, (id) => Number(id.slice(4)) % 2 === 0);
    expect(even).toHaveLength(10);
    expect(even.every((h) => Number(h.chunkId.slice(4)) % 2 === 0)).toBe(true);

    const few = new Set(["chk_5", "chk_1500", "chk_2999"]);
    const hits = index.search(vectors[0]!, 10, (id) => few.has(id));
    expect(hits.map((h) => h.chunkId).sort()).toEqual([...few].sort());
    expect(index.search(vectors[0]!, 10, () => false)).toEqual([]);
  });

  it("caps k at the number of items", () => {
    const small = buildVectorIndex(items.slice(0, 3), STATE);
    expect(small.state.count).toBe(3);
    expect(small.search(vectors[0]!, 50)).toHaveLength(3);
  });

  it("round-trips through save and load", async () => {
    await index.save(dir);
    const loaded = await loadVectorIndex(dir, STATE);
    expect(loaded?.state).toEqual({ ...STATE, count: 3000 });
    expect(loaded!.search(vectors[7]!, 10)).toEqual(index.search(vectors[7]!, 10));

    const manifest = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8"));
    expect(manifest).toMatchObject({
      version: 2,
      ...STATE,
      count: 3000,
      M: 32,
      efConstruction: 200,
      // 3,000 chunks are below the projection threshold: the graph holds the full vectors.
      graphDimension: DIMENSION,
      projectionFittedOn: 0,
    });
    expect(manifest.ids).toHaveLength(3000);
  });

  it("replaces a previous save and leaves no stray files", async () => {
    await index.save(dir);
    await index.save(dir);
    const files = await readdir(dir);
    expect(files.filter((f) => f.endsWith(".hnsw"))).toHaveLength(1);
    expect(files.filter((f) => f.endsWith(".codes"))).toHaveLength(1);
    expect(files.filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("returns null when the saved index is missing or of another model or dimension", async () => {
    await index.save(dir);
    const expected = { model: STATE.model, dimension: STATE.dimension };
    const reasons: string[] = [];
    const onReject = (reason: string) => reasons.push(reason);
    expect(await loadVectorIndex(dir, { ...expected, model: "other@1" }, { onReject })).toBeNull();
    expect(await loadVectorIndex(dir, { ...expected, dimension: 8 }, { onReject })).toBeNull();
    expect(reasons).toEqual([
      expect.stringContaining("model"),
      expect.stringContaining("dimension"),
    ]);
    expect(await loadVectorIndex(join(dir, "missing"), expected)).toBeNull();
  });

  it("returns null, without crashing, for a truncated or garbage index file", async () => {
    const expected = { ...STATE, count: 3000 };
    const graphFile = async () =>
      join(
        dir,
        (await readdir(dir)).find((f) => f.endsWith(".hnsw"))!,
      );

    await index.save(dir);
    await truncate(await graphFile(), 1000);
    expect(await loadVectorIndex(dir, expected)).toBeNull();

    await index.save(dir);
    const path = await graphFile();
    const size = (await readFile(path)).length;
    await writeFile(path, Buffer.alloc(size, 0xab));
    expect(await loadVectorIndex(dir, expected)).toBeNull();

    await index.save(dir);
    const codes = join(
      dir,
      (await readdir(dir)).find((f) => f.endsWith(".codes"))!,
    );
    await truncate(codes, 1000);
    const reasons: string[] = [];
    expect(await loadVectorIndex(dir, expected, { onReject: (r) => reasons.push(r) })).toBeNull();
    expect(reasons).toEqual([expect.stringMatching(/codes file/)]);

    await writeFile(join(dir, "manifest.json"), '{"version": 2, "model": ');
    expect(await loadVectorIndex(dir, expected)).toBeNull();
  });

  it("returns null for a truncated graph even when the manifest's checksum vouches for it", async () => {
    // What a save interrupted by a full disk could leave: hnswlib does not check its writes.
    const expected = { ...STATE, count: 3000 };
    await index.save(dir);
    const manifestPath = join(dir, "manifest.json");
    const manifest = JSON.parse(await readFile(manifestPath, "utf8"));
    const graphPath = join(dir, manifest.graphFile);
    await truncate(graphPath, Math.floor(manifest.graphBytes / 2));
    const bytes = await readFile(graphPath);
    manifest.graphBytes = bytes.length;
    manifest.graphSha256 = createHash("sha256").update(bytes).digest("hex");
    await writeFile(manifestPath, JSON.stringify(manifest));

    const reasons: string[] = [];
    const loaded = await loadVectorIndex(dir, expected, { onReject: (r) => reasons.push(r) });
    expect(loaded).toBeNull();
    expect(reasons[0]).toMatch(/corrupted/);
  });

  it("handles an empty corpus", async () => {
    const empty = buildVectorIndex([], STATE);
    expect(empty.state.count).toBe(0);
    expect(empty.search(vectors[0]!, 10)).toEqual([]);

    const emptyDir = join(dir, "empty");
    await empty.save(emptyDir);
    const loaded = await loadVectorIndex(emptyDir, STATE);
    expect(loaded?.search(vectors[0]!, 10)).toEqual([]);
  });

  it("follows additions and removals, and saves and loads them", async () => {
    const base = buildVectorIndex(items.slice(0, 200), STATE);
    base.remove([chunkId(0), chunkId(1), "never-indexed"]);
    base.add(items.slice(200, 500)); // past the initial capacity: the graph grows
    base.add([{ chunkId: chunkId(5), vector: vectors[300]! }]); // replaces chunk 5's vector
    expect(base.state.count).toBe(498);
    expect(base.has(chunkId(0))).toBe(false);
    expect(base.vectorOf(chunkId(0))).toBeNull();
    expect(dot(base.vectorOf(chunkId(5))!, vectors[300]!)).toBeCloseTo(1, 3);
    // A removed chunk is never a hit, with or without a filter, even for its own vector.
    const ids = (hits: { chunkId: string }[]) => hits.map((h) => h.chunkId);
    expect(ids(base.search(vectors[0]!, 20))).not.toContain(chunkId(0));
    expect(ids(base.search(vectors[0]!, 20, () => true))).not.toContain(chunkId(0));
    expect(ids(base.search(vectors[450]!, 1))).toEqual([chunkId(450)]);
    const exact = bruteForceTopK(vectors.slice(0, 500), vectors[450]!, 10)
      .filter((i) => i > 1 && i !== 5)
      .map(chunkId);
    expect(ids(base.search(vectors[450]!, 10)).filter((id) => exact.includes(id)).length).toBe(
      Math.min(10, exact.length),
    );

    base.describe("corpus-v2");
    const saved = join(dir, "followed");
    await base.save(saved);
    const loaded = await loadVectorIndex(saved, STATE);
    expect(loaded?.state).toEqual({ ...STATE, fingerprint: "corpus-v2", count: 498 });
    expect(loaded!.has(chunkId(1))).toBe(false);
    expect(ids(loaded!.search(vectors[450]!, 10))).toEqual(ids(base.search(vectors[450]!, 10)));
    // The loaded graph skips removed nodes in its unfiltered (fully native) search too: not the
    // removed chunks, and not chunk 5's replaced vector, which would match its old self exactly.
    for (const removed of [0, 1]) {
      expect(ids(loaded!.search(vectors[removed]!, 50))).not.toContain(chunkId(removed));
    }
    const [nearestToOld] = loaded!.search(vectors[5]!, 1);
    expect(nearestToOld!.chunkId === chunkId(5) && nearestToOld!.similarity > 0.99).toBe(false);
    expect(loaded!.search(vectors[5]!, 600)).toHaveLength(498);
  });

  it("rejects vectors of the wrong dimension and duplicate ids", () => {
    expect(() => buildVectorIndex([{ chunkId: "a", vector: new Float32Array(3) }], STATE)).toThrow(
      /dimensions/,
    );
    expect(() => buildVectorIndex([items[0]!, items[0]!], STATE)).toThrow(/duplicate/);
    expect(() => index.search(new Float32Array(3), 10)).toThrow(/dimensions/);
  });
});

describe("vector index, projected", () => {
  // A low threshold, so 3,000 vectors are projected as a large corpus is: 512 -> 128 dimensions.
  const options = { projectFrom: 1000, projectedDimension: 128 };
  // Queries drawn like the corpus (around the same topics), as questions are about a corpus: a
  // projection fitted on the corpus keeps the directions its topics span, not arbitrary ones.
  const drawn = makeVectors(3200, 21);
  const vectors = drawn.slice(0, 3000);
  const queries = drawn.slice(3000);
  const items = vectors.map((vector, i) => ({ chunkId: chunkId(i), vector }));
  let dir: string;
  beforeAll(async () => (dir = await mkdtemp(join(tmpdir(), "verity-vector-projected-"))));
  afterAll(() => rm(dir, { recursive: true, force: true }));

  const recallAt10 = (index: VectorIndex, corpus: Float32Array[]) => {
    let found = 0;
    for (const query of queries) {
      const truth = new Set(bruteForceTopK(corpus, query, 10).map(chunkId));
      found += index.search(query, 10).filter((hit) => truth.has(hit.chunkId)).length;
    }
    return found / (queries.length * 10);
  };

  it("finds at least 98% of the exact top 10 through the projected graph", async () => {
    const index = buildVectorIndex(items, STATE, options);
    const recall = recallAt10(index, vectors);
    console.info(`projected recall@10 = ${recall.toFixed(4)}`);
    expect(recall).toBeGreaterThanOrEqual(0.98);

    await index.save(dir);
    const manifest = JSON.parse(await readFile(join(dir, "manifest.json"), "utf8"));
    expect(manifest).toMatchObject({ graphDimension: 128, projectionFittedOn: 3000 });
    const loaded = await loadVectorIndex(dir, STATE, options);
    expect(loaded!.search(queries[0]!, 10)).toEqual(index.search(queries[0]!, 10));
  });

  it("is projected when it grows past the threshold, and keeps what it held", () => {
    const grown = buildVectorIndex(items.slice(0, 600), STATE, options);
    grown.remove([chunkId(3)]);
    grown.add(items.slice(600, 3000)); // crosses 1,000 chunks part way through the batch
    expect(grown.state.count).toBe(2999);
    expect(grown.has(chunkId(3))).toBe(false);
    const corpus = vectors.map((v, i) => (i === 3 ? new Float32Array(DIMENSION) : v));
    expect(recallAt10(grown, corpus)).toBeGreaterThanOrEqual(0.98);
    expect(grown.search(vectors[2500]!, 1)[0]!.chunkId).toBe(chunkId(2500));
  });

  it("builds a batch that crosses the threshold projected at once, fitted on all of it", async () => {
    const grown = buildVectorIndex(items.slice(0, 600), STATE, options);
    grown.add(items.slice(600, 3000));
    const saved = join(dir, "crossed-in-one-batch");
    await grown.save(saved);
    const manifest = JSON.parse(await readFile(join(saved, "manifest.json"), "utf8"));
    // Fitted on the 3,000 held after the batch, not on the first 1,000 it reached.
    expect(manifest).toMatchObject({ graphDimension: 128, projectionFittedOn: 3000 });
  });

  it("is projected when chunks added one at a time reach the threshold", async () => {
    const grown = buildVectorIndex(items.slice(0, 998), STATE, options);
    for (const item of items.slice(998, 1003)) grown.add([item]);
    const saved = join(dir, "crossed-one-at-a-time");
    await grown.save(saved);
    const manifest = JSON.parse(await readFile(join(saved, "manifest.json"), "utf8"));
    expect(manifest).toMatchObject({ graphDimension: 128, projectionFittedOn: 1000 });
    expect(grown.state.count).toBe(1003);
    expect(grown.search(vectors[1002]!, 1)[0]!.chunkId).toBe(chunkId(1002));
  });

  it("keeps the last of a chunk given twice in one batch, below and across the threshold", () => {
    // 10 + 20 stays below the threshold; 600 + 400 reaches it.
    for (const [start, end] of [
      [10, 30],
      [600, 999],
    ] as const) {
      const index = buildVectorIndex(items.slice(0, start), STATE, options);
      const duplicate = (vector: Float32Array) => ({ chunkId: chunkId(5000), vector });
      index.add([duplicate(vectors[2000]!), ...items.slice(start, end), duplicate(vectors[2001]!)]);
      expect(index.state.count).toBe(end + 1);
      expect(index.search(vectors[2001]!, 1)[0]).toMatchObject({ chunkId: chunkId(5000) });
      expect(index.search(vectors[2000]!, 1)[0]!.chunkId).not.toBe(chunkId(5000));
    }
  });

  it("rebuilds a saved full-width index that has reached the threshold", async () => {
    const small = buildVectorIndex(items.slice(0, 1500), STATE); // default threshold: not projected
    const saved = join(dir, "unprojected");
    await small.save(saved);
    const reasons: string[] = [];
    const onReject = (r: string) => reasons.push(r);
    expect(await loadVectorIndex(saved, STATE, { ...options, onReject })).toBeNull();
    expect(reasons).toEqual([expect.stringMatching(/unprojected at 1500 chunks/)]);
    expect(await loadVectorIndex(saved, STATE)).not.toBeNull();
  });
});
