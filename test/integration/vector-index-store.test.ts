import { mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createFakeEmbedder } from "../support/fake-embedder.ts";
import { followCorpus, indexDir, openSearchableIndex } from "../../src/retrieval/index-store.ts";
import { readCorpusState } from "../../src/db/corpus-state.ts";
import { sql } from "drizzle-orm";
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

  it("brings a saved index of an earlier corpus up to date instead of rebuilding it", async () => {
    const before = await openSearchableIndex(database.handle.db, dataDir, embedder);
    const tips = before.index
      .chunkIds()
      .filter((id) => before.corpus.chunk(id)?.version.sourceId === "community-tips");
    expect(tips.length).toBeGreaterThan(0);
    // Remove one source (removal is explicit): its documents are marked removed, the corpus shrinks.
    await removeSource(database.handle.db, "community-tips", "index-test");
    const after = await openSearchableIndex(database.handle.db, dataDir, embedder);
    expect(after.rebuilt).toBe(false);
    expect(after.index.state.count).toBe(before.index.state.count - tips.length);
    expect(tips.some((id) => after.index.has(id) || after.corpus.chunk(id))).toBe(false);
    const query = before.index.vectorOf(tips[0]!)!;
    expect(after.index.search(query, 5).map((h) => h.chunkId)).not.toContain(tips[0]);
    // The brought-up-to-date index was saved: the next open finds it current.
    const again = await openSearchableIndex(database.handle.db, dataDir, embedder);
    expect(again.index.state).toEqual(after.index.state);
  });

  it("follows a re-embedding while serving: the chunks another encoder embedded join the graph", async () => {
    const db = database.handle.db;
    const switched = createFakeEmbedder(16);
    // A server of the new encoder over a store the old one embedded: no vector is its own.
    const serving = await openSearchableIndex(db, dataDir, switched, { lexical: true });
    expect(serving.index.state.count).toBe(0);
    expect(serving.corpus.chunkCount()).toBeGreaterThan(50);

    const run = await ingestManifest({
      db,
      embedder: switched,
      manifest: await loadManifest(join(SAMPLE_SOURCES, "sources.json")),
      ingestedBy: "index-test",
    });
    expect(run.chunks.reembedded).toBe(serving.corpus.chunkCount());
    const followed = await followCorpus(db, serving, switched);
    expect(followed).toMatchObject({ changed: true, added: 0, removed: 0 });
    expect(serving.index.state.count).toBe(serving.corpus.chunkCount());
    expect(serving.index.state.fingerprint).toBe((await readCorpusState(db)).fingerprint);
    // Each chunk is found by its own vector, the new encoder's embedding of its text.
    const [id] = serving.index.chunkIds();
    const vector = await switched.embedQuery(serving.corpus.chunk(id!)!.text);
    expect(serving.index.search(vector, 1)[0]!.chunkId).toBe(id);
  });

  it("follows the store while serving: every index and the corpus, as a fresh open would", async () => {
    const db = database.handle.db;
    const serving = await openSearchableIndex(db, dataDir, embedder, { lexical: true });
    expect(await followCorpus(db, serving, embedder)).toMatchObject({ changed: false });

    // What an ingest does when a source's files are deleted: their documents are removed.
    await db.execute(
      sql`update documents set removed_at = now() where source_id = 'community-tips'`,
    );
    const followed = await followCorpus(db, serving, embedder);
    expect(followed.changed).toBe(true);
    expect(followed.removed).toBeGreaterThan(0);
    expect(serving.index.state.fingerprint).toBe((await readCorpusState(db)).fingerprint);

    const fresh = await openSearchableIndex(
      db,
      await mkdtemp(join(tmpdir(), "verity-")),
      embedder,
      {
        lexical: true,
      },
    );
    expect(serving.index.state).toEqual(fresh.index.state);
    expect(serving.lexical!.chunkCount()).toBe(fresh.lexical!.chunkCount());
    expect(serving.lexical!.avgLength()).toBeCloseTo(fresh.lexical!.avgLength(), 9);
    expect(serving.corpus.chunkCount()).toBe(fresh.corpus.chunkCount());
    for (const lexeme of ["tip", "plan", "password", "upload"])
      expect(serving.lexical!.df(lexeme), lexeme).toBe(fresh.lexical!.df(lexeme));
    expect([...serving.corpus.versionIds()].sort()).toEqual([...fresh.corpus.versionIds()].sort());
  });

  it("opens afresh when a source's provenance changed without a new version", async () => {
    const db = database.handle.db;
    const serving = await openSearchableIndex(db, dataDir, embedder);
    await db.execute(sql`update sources set trust = 'reviewed' where id = 'community-tips'`);
    expect(await followCorpus(db, serving, embedder)).toMatchObject({
      reopen: "the sources changed",
    });
    const reopened = await openSearchableIndex(db, dataDir, embedder);
    const tip = reopened.index
      .chunkIds()
      .map((id) => reopened.corpus.chunk(id)!)
      .find((c) => c.version.sourceId === "community-tips");
    expect(tip?.version.trust).toBe("reviewed");
  });
});
