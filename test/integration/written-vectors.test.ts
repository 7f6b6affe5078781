import { appendFile, cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { loadManifest } from "../../ingest/manifest.ts";
import { ingestManifest } from "../../ingest/pipeline.ts";
import {
  followCorpus,
  openSearchableIndex,
  type SearchableIndex,
} from "../../src/retrieval/index-store.ts";
import { createWrittenVectors, type WrittenVector } from "../../src/retrieval/written-vectors.ts";
import { createTestDatabase, type TestDatabase } from "../support/databases.ts";
import { createFakeEmbedder } from "../support/fake-embedder.ts";
import { SAMPLE_SOURCES } from "../support/templates.ts";

/**
 * After an ingest the indexes take the vectors the run just wrote from memory instead of reading
 * them back from the store: what they hold must be what reading the store gives.
 */
describe("indexes fed the vectors an ingest wrote", () => {
  const embedder = createFakeEmbedder(32);
  let database: TestDatabase;
  let dir: string;
  beforeEach(async () => {
    database = await createTestDatabase("pglite");
    dir = await mkdtemp(join(tmpdir(), "verity-written-"));
    await cp(SAMPLE_SOURCES, join(dir, "sources"), { recursive: true });
  });
  afterEach(async () => {
    await database.drop();
    await rm(dir, { recursive: true, force: true });
  });

  const ingest = async (onVectorsWritten?: (written: WrittenVector[]) => void) =>
    ingestManifest({
      db: database.handle.db,
      embedder,
      manifest: await loadManifest(join(dir, "sources", "sources.json")),
      ingestedBy: "written-vectors-test",
      onVectorsWritten,
    });
  const open = (name: string, written?: ReturnType<typeof createWrittenVectors>) =>
    openSearchableIndex(database.handle.db, join(dir, name), embedder, { lexical: true, written });

  /** Every chunk's vector and a few searches agree with `expected`, opened from the store alone. */
  const expectSameAs = (actual: SearchableIndex, expected: SearchableIndex) => {
    expect(actual.index.state).toEqual(expected.index.state);
    expect(actual.index.chunkIds().sort()).toEqual(expected.index.chunkIds().sort());
    for (const id of expected.index.chunkIds())
      expect(actual.index.vectorOf(id), id).toEqual(expected.index.vectorOf(id));
    for (const id of expected.index.chunkIds().slice(0, 5)) {
      const query = expected.index.vectorOf(id)!;
      expect(actual.index.search(query, 5)).toEqual(expected.index.search(query, 5));
    }
  };

  it("builds from them, or brings a saved index up to date with them, as reading would", async () => {
    const empty = await open("caught-up");
    expect(empty.index.state.count).toBe(0);
    const captured: WrittenVector[] = [];
    const run = await ingest((written) => captured.push(...written));
    expect(captured).toHaveLength(run.chunks.written);

    const fromStore = await open("from-store");
    for (const name of ["built", "caught-up"]) {
      const written = createWrittenVectors({ maxBytes: 1 << 20 });
      written.remember(captured);
      const opened = await open(name, written);
      expect(opened.rebuilt, name).toBe(name === "built");
      expect(written.size, name).toBe(0);
      expectSameAs(opened, fromStore);
    }
  });

  it("takes a held vector instead of reading the stored one", async () => {
    const captured: WrittenVector[] = [];
    await ingest((written) => captured.push(...written));
    const [first, ...rest] = captured;
    const other = first!.vector.map((x) => -x);
    const written = createWrittenVectors({ maxBytes: 1 << 20 });
    // One held vector differs from the stored one: the index must hold that one, as proof that
    // it was not read. The others are of another model and must be read from the store.
    written.remember([
      { ...first!, vector: other },
      ...rest.map((w) => ({ ...w, model: "another-model" })),
    ]);
    const opened = await open("built", written);
    const fromStore = await open("from-store");
    const held = opened.index.vectorOf(first!.chunkId)!;
    const stored = fromStore.index.vectorOf(first!.chunkId)!;
    expect(held[0]).toBeCloseTo(-stored[0]!, 2);
    for (const w of rest)
      expect(opened.index.vectorOf(w.chunkId)).toEqual(fromStore.index.vectorOf(w.chunkId));
    expect(written.size).toBe(rest.length);
  });

  it("follows an ingest with the vectors it wrote", async () => {
    await ingest();
    const serving = await open("serving");
    // A changed file: a new version, whose chunks the run embeds and writes.
    await appendFile(
      join(dir, "sources", "community", "forum-tips.md"),
      "\n\nTip: the export button sits under Settings, then Data.\n",
    );
    const written = createWrittenVectors({ maxBytes: 1 << 20 });
    const run = await ingest((w) => written.remember(w));
    expect(run.files.updated).toBe(1);
    expect(written.size).toBe(run.chunks.written);

    const followed = await followCorpus(database.handle.db, serving, embedder, [], written);
    expect(followed).toMatchObject({ changed: true, added: run.chunks.written });
    expect(written.size).toBe(0);
    expectSameAs(serving, await open("from-store"));
  });
});
