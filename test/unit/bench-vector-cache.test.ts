import { appendFile, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Embedder } from "../../src/retrieval/embedder.ts";
import {
  embedWithCache,
  encodeVectorRecords,
  readVectorCache,
  textDigest,
  vectorCacheFile,
} from "../../lab/bench/vector-cache.ts";

/** A fake encoder: the vector of a text is (length, 1, 0, 0); it counts what it embeds. */
function countingEmbedder(modelId = "fake@1"): Embedder & { seen: string[] } {
  const seen: string[] = [];
  return {
    modelId,
    dimension: 4,
    seen,
    async embedDocuments(texts) {
      seen.push(...texts);
      return texts.map((t) => Float32Array.from([t.length, 1, 0, 0]));
    },
    async embedQuery(text) {
      return Float32Array.from([text.length, 1, 0, 0]);
    },
    async close() {},
  };
}

describe("the bench's vector cache", () => {
  let dir: string;
  const log = () => {};
  beforeEach(async () => (dir = await mkdtemp(join(tmpdir(), "vector-cache-"))));
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("embeds a text once ever, and returns vectors in the caller's order", async () => {
    const first = countingEmbedder();
    const a = await embedWithCache(first, ["one", "three", "one"], { dir, log });
    expect(first.seen).toEqual(["one", "three"]);
    expect(a.vectors.map((v) => v[0])).toEqual([3, 5, 3]);
    expect(a.stats).toMatchObject({ texts: 3, embedded: 2 });

    const again = countingEmbedder();
    const b = await embedWithCache(again, ["three", "four", "one"], { dir, log });
    expect(again.seen).toEqual(["four"]);
    expect(b.vectors.map((v) => v[0])).toEqual([5, 4, 3]);
  });

  it("keeps each model's vectors apart", async () => {
    await embedWithCache(countingEmbedder("fake@1"), ["one"], { dir, log });
    const other = countingEmbedder("fake@2");
    await embedWithCache(other, ["one"], { dir, log });
    expect(other.seen).toEqual(["one"]);
  });

  it("ignores a record cut short by a crash", async () => {
    const embedder = countingEmbedder();
    await embedWithCache(embedder, ["one", "two"], { dir, log });
    const file = vectorCacheFile(dir, embedder);
    const cut = encodeVectorRecords([
      { digest: textDigest("three"), vector: Float32Array.from([5, 1, 0, 0]) },
    ]).subarray(0, 20);
    await appendFile(file, cut);
    const cache = await readVectorCache(file, 4);
    expect([...cache.keys()].sort()).toEqual(
      [textDigest("one"), textDigest("two")].map((d) => d.toString("hex")).sort(),
    );
  });

  it("stores float32 vectors bit for bit", async () => {
    const vector = Float32Array.from([0.1, -0.25, 1e-7, 3.5]);
    const file = join(dir, "v.vectors");
    await appendFile(file, encodeVectorRecords([{ digest: textDigest("x"), vector }]));
    const read = (await readVectorCache(file, 4)).get(textDigest("x").toString("hex"));
    expect(read).toEqual(vector);
  });
});
