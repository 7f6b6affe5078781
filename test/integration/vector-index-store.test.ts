import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFakeEmbedder } from "../support/fake-embedder.ts";
import { indexDir, openSearchableIndex } from "../../src/retrieval/index-store.ts";
import { loadManifest } from "../../ingest/manifest.ts";
import { ingestManifest } from "../../ingest/pipeline.ts";
import { removeSource } from "../../ingest/remove-source.ts";
import { createTestDatabase, type TestDatabase } from "../support/databases.ts";
import { SAMPLE_SOURCES } from "../support/templates.ts";

/** The persisted ANN index is a cache of the database: reused when current, rebuilt otherwise. */
describe("vector index on disk", () => {
  let database: TestDatabase;
  let dataDir: string;
  const embedder = createFakeEmbedder(32);
  // Each test gets its own store and index folder: the second one changes the corpus.
  beforeEach(async () => {
    database = await createTestDatabase("pglite");
    dataDir = await mkdtemp(join(tmpdir(), "verity-index-"));
    await ingestManifest({
      db: database.handle.db,
      embedder,
      manifest: await loadManifest(join(SAMPLE_SOURCES, "sources.json")),
      ingestedBy: "index-test",
    });
  });
  afterEach(async () => {
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it("builds when missing, reuses when current, rebuilds when unreadable", async () => {
    const first = await openSearchableIndex(database.handle.db, dataDir, embedder);
    expect(first.rebuilt).toBe(true);
    expect(first.index.state.count).toBeGreaterThan(50);

    const second = await openSearchableIndex(database.handle.db, dataDir, embedder);
    expect(second.rebuilt).toBe(false);
    expect(second.index.state).toEqual(first.index.state);

    for (const file of await readdir(indexDir(dataDir)))
      await writeFile(join(indexDir(dataDir), file), "garbage");
    const third = await openSearchableIndex(database.handle.db, dataDir, embedder);
    expect(third.rebuilt).toBe(true);
    expect(third.index.state.count).toBe(first.index.state.count);
  });

  it("rebuilds when the corpus changed since it was saved (stale)", async () => {
    await openSearchableIndex(database.handle.db, dataDir, embedder);
    // Remove one source (removal is explicit): its documents are marked removed, the corpus shrinks.
    await removeSource(database.handle.db, "community-tips", "index-test");
    const after = await openSearchableIndex(database.handle.db, dataDir, embedder);
    expect(after.rebuilt).toBe(true);
    expect([...after.sourceOf.values()]).not.toContain("community-tips");
  });
});
