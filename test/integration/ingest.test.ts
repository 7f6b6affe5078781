import { cp, mkdtemp, rm, unlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { and, eq, isNull } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { documents, documentVersions, chunks } from "../../src/db/schema/index.ts";
import { readCorpusState } from "../../src/db/corpus-state.ts";
import { createFakeEmbedder } from "../support/fake-embedder.ts";
import { analyseQuestion, searchLexical } from "../../src/retrieval/lexical.ts";
import { loadManifest } from "../../ingest/manifest.ts";
import { ingestManifest } from "../../ingest/pipeline.ts";
import { chunkText } from "../../ingest/chunk.ts";
import { documentIdFor, persistVersion, readCurrentVersions } from "../../ingest/persist.ts";
import { createTestDatabase, storeKinds, type TestDatabase } from "../support/databases.ts";
import { SAMPLE_SOURCES } from "../support/templates.ts";
import { DEFAULT_TENANT } from "../../src/auth/keys.ts";

/**
 * Ingestion's promises on a real store: idempotent by hash, one transaction per document, a bad
 * file skipped and reported, removed files no longer searched. The model is the hashing test
 * double here; the story suite runs the real one.
 */
describe.each(storeKinds())("ingestion on %s", (kind) => {
  let database: TestDatabase;
  let dir: string;
  const embedder = createFakeEmbedder(32);
  const ingest = async () =>
    ingestManifest({
      db: database.handle.db,
      embedder,
      manifest: await loadManifest(join(dir, "sources.json")),
      ingestedBy: "ingest-test",
    });

  beforeEach(async () => {
    database = await createTestDatabase(kind);
    dir = await mkdtemp(join(tmpdir(), "verity-ingest-"));
    await cp(SAMPLE_SOURCES, dir, { recursive: true });
  });
  afterEach(async () => {
    await database.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it("skips and reports a bad file without stopping the others", async () => {
    await writeFile(
      join(dir, "acme", "handbook", "broken.md"),
      Buffer.from([0xff, 0xfe, 0x00, 0xc3, 0x28]),
    );
    await writeFile(join(dir, "acme", "policies", "empty.txt"), "   \n\n  ");
    const summary = await ingest();
    expect(summary.files.failed).toBe(2);
    expect(summary.failures.map((f) => f.path).sort()).toEqual([
      "acme/handbook/broken.md",
      "acme/policies/empty.txt",
    ]);
    expect(summary.files.added).toBe(summary.files.seen - 2);
    // The failures left nothing behind, and a rerun after fixing the file completes.
    const broken = await database.handle.db
      .select()
      .from(documents)
      .where(eq(documents.path, "acme/handbook/broken.md"));
    expect(broken).toEqual([]);
    await writeFile(
      join(dir, "acme", "handbook", "broken.md"),
      "# Fixed\n\nThe broken page now has text in it.",
    );
    const rerun = await ingest();
    expect(rerun.files.added).toBe(1);
    expect(rerun.files.failed).toBe(1);
  });

  it("is idempotent: a second run writes nothing and leaves the corpus state unchanged", async () => {
    const first = await ingest();
    expect(first.chunks.written).toBeGreaterThan(0);
    const state = await readCorpusState(database.handle.db);
    const second = await ingest();
    expect(second.files.unchanged).toBe(second.files.seen);
    expect(second.chunks).toEqual({
      written: 0,
      embedded: 0,
      reused: 0,
      suspectedInjection: 0,
      reembedded: 0,
    });
    expect(await readCorpusState(database.handle.db)).toEqual(state);
  });

  it("re-embeds unchanged files another encoder embedded, once, and a failed run changes nothing", async () => {
    const first = await ingest();
    const before = await readCorpusState(database.handle.db);
    expect(before.models).toEqual({ [embedder.modelId]: first.chunks.written });
    const switched = createFakeEmbedder(16);
    const ingestWith = async (encoder: typeof embedder) =>
      ingestManifest({
        db: database.handle.db,
        embedder: encoder,
        manifest: await loadManifest(join(dir, "sources.json")),
        ingestedBy: "ingest-test",
      });

    // The encoder fails: the run fails and every chunk keeps its old, whole vector.
    const failing = {
      ...switched,
      embedDocuments: async () => Promise.reject(new Error("no model")),
    };
    await expect(ingestWith(failing)).rejects.toThrow("no model");
    expect(await readCorpusState(database.handle.db)).toEqual(before);

    const switchedRun = await ingestWith(switched);
    expect(switchedRun.files.unchanged).toBe(switchedRun.files.seen);
    expect(switchedRun.chunks).toMatchObject({ written: 0, reembedded: first.chunks.written });
    expect(switchedRun.chunks.embedded).toBeLessThanOrEqual(first.chunks.written);
    expect(switchedRun.changed).toBe(true);
    const after = await readCorpusState(database.handle.db);
    expect(after.models).toEqual({ [switched.modelId]: first.chunks.written });
    expect(after.fingerprint).not.toBe(before.fingerprint);
    const rows = await database.handle.db
      .select({ text: chunks.text, embedding: chunks.embedding, model: chunks.embeddingModel })
      .from(chunks);
    for (const row of rows) {
      expect(row.model).toBe(switched.modelId);
      expect(row.embedding).toEqual(await switched.embedQuery(row.text));
    }

    const again = await ingestWith(switched);
    expect(again.chunks.reembedded).toBe(0);
    expect(again.changed).toBe(false);
  });

  it("stores documents a few to a transaction, and one that cannot be stored fails alone", async () => {
    const marker = "This page cannot be stored.";
    await writeFile(join(dir, "acme", "policies", "unstorable.txt"), `${marker} Nor this line.`);
    const summary = await ingestManifest({
      db: database.handle.db,
      embedder,
      manifest: await loadManifest(join(dir, "sources.json")),
      ingestedBy: "ingest-test",
      // Its chunks come twice, so two share an ordinal: the unique index refuses the second
      // inside the transaction it shares with the sample's other pages.
      chunk: (text) => {
        const spans = chunkText(text);
        return text.startsWith(marker) ? [...spans, ...spans] : spans;
      },
    });
    expect(summary.failures.map((f) => f.path)).toEqual(["acme/policies/unstorable.txt"]);
    // The database's reason, not the statement and its parameters.
    expect(summary.failures[0]!.error).toMatch(/^duplicate key value violates unique constraint/);
    expect(summary.files.added).toBe(summary.files.seen - 1);
    const stored = await database.handle.db.select({ path: documents.path }).from(documents);
    expect(stored).toHaveLength(summary.files.seen - 1);
    expect(stored.map((d) => d.path)).not.toContain("acme/policies/unstorable.txt");
    const storedChunks = await database.handle.db.select({ id: chunks.id }).from(chunks);
    expect(storedChunks).toHaveLength(summary.chunks.written);
  });

  it("writes a document in one transaction: a failure mid-write leaves the previous version current", async () => {
    await ingest();
    const db = database.handle.db;
    const current = (await readCurrentVersions(db, "acme-policies")).get(
      "acme/policies/refund-policy.txt",
    )!;
    const text = "Refunds are now handled differently.";
    const chunk = {
      ordinal: 0,
      start: 0,
      end: text.length,
      text,
      sha256: "x",
      embedding: new Float32Array(32),
    };
    // Two chunks with the same ordinal violate a unique index on the second insert, after the
    // document was upserted and the previous version superseded inside the transaction.
    const failing = persistVersion(
      db,
      {
        sourceId: "acme-policies",
        path: "acme/policies/refund-policy.txt",
        title: "Refund policy",
        text,
        textSha256: "t",
        rawSha256: "r",
        mediaType: "text/plain",
        byteLength: text.length,
        language: "en",
        embeddingModel: embedder.modelId,
        chunks: [chunk, ...Array.from({ length: 250 }, () => chunk)],
      },
      current,
      { ingestedBy: "ingest-test", runId: (await db.query.ingestRuns.findFirst())!.id },
    );
    await expect(failing).rejects.toThrow();
    const versions = await db
      .select()
      .from(documentVersions)
      .where(
        eq(
          documentVersions.documentId,
          documentIdFor("acme-policies", "acme/policies/refund-policy.txt"),
        ),
      );
    expect(versions).toHaveLength(1);
    expect(versions[0]!.supersededAt).toBeNull();
    expect(versions[0]!.id).toBe(current.versionId);
  });

  it("marks a removed file removed: its text stays stored but is no longer searched", async () => {
    await ingest();
    const db = database.handle.db;
    const search = async () =>
      searchLexical(db, await analyseQuestion(db, "refund window annual subscription"), {
        k: 50,
        tenant: DEFAULT_TENANT,
      });
    const before = await search();
    await unlink(join(dir, "acme", "policies", "refund-policy.txt"));
    const summary = await ingest();
    expect(summary.removed).toEqual([
      { source: "acme-policies", path: "acme/policies/refund-policy.txt" },
    ]);
    const [doc] = await db
      .select()
      .from(documents)
      .where(eq(documents.path, "acme/policies/refund-policy.txt"));
    expect(doc!.removedAt).not.toBeNull();
    const stored = await db
      .select({ id: chunks.id })
      .from(chunks)
      .innerJoin(
        documentVersions,
        and(eq(documentVersions.id, chunks.versionId), isNull(documentVersions.supersededAt)),
      )
      .where(eq(documentVersions.documentId, doc!.id));
    expect(stored.length).toBeGreaterThan(0);
    const storedIds = new Set(stored.map((c) => c.id));
    expect(before.some((h) => storedIds.has(h.chunkId))).toBe(true);
    expect((await search()).some((h) => storedIds.has(h.chunkId))).toBe(false);
  });
});
