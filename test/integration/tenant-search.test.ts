import { cp, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadManifest, Manifest, tenantOf } from "../../ingest/manifest.ts";
import { ingestManifest } from "../../ingest/pipeline.ts";
import { sources } from "../../src/db/schema/index.ts";
import { analyseQuestion, searchLexical } from "../../src/retrieval/lexical.ts";
import { retrieveCandidates } from "../../src/retrieval/retrieve.ts";
import { storeKinds } from "../support/databases.ts";
import { createFakeEmbedder } from "../support/fake-embedder.ts";
import { startHarness, type Harness } from "../support/harness.ts";

const CORPUS = new URL("../fixtures/tenants/", import.meta.url).pathname;

/** Beta's fact in beta's words: beta's chunk outranks alpha's in both searches. */
const BETA_QUESTION = "The Beta plan costs $13 per seat";

/**
 * Searches filter by tenant inside the ranking: with the other tenant's chunk ranked first over
 * the whole store, a tenant still gets its own chunks, never the other's, even for k = 1.
 */
describe.each(storeKinds())("tenant-scoped search on %s", (kind) => {
  let h: Harness;
  const sourceOfChunk = (id: string) => h.deps.index.current().corpus.chunk(id)?.version.sourceId;

  beforeAll(async () => {
    h = await startHarness(kind, { template: "empty", embedder: createFakeEmbedder(256) });
    await rm(join(h.dir, "sources"), { recursive: true, force: true });
    await cp(CORPUS, join(h.dir, "sources"), { recursive: true });
    await h.ingest();
  }, 60_000);
  afterAll(async () => h?.close());

  it("ranks lexically within the caller's tenant only", async () => {
    const query = await analyseQuestion(h.deps.db, BETA_QUESTION);
    const [beta] = await searchLexical(h.deps.db, query, { k: 1, tenant: "beta" });
    const alpha = await searchLexical(h.deps.db, query, { k: 1, tenant: "alpha" });
    expect(sourceOfChunk(beta!.chunkId)).toBe("beta-pricing");
    // Alpha's best chunk scores below beta's: a filter applied after the top 1 would leave nothing.
    expect(alpha).toHaveLength(1);
    expect(sourceOfChunk(alpha[0]!.chunkId)).toBe("alpha-pricing");
    expect(alpha[0]!.score).toBeLessThan(beta!.score);
    expect(await searchLexical(h.deps.db, query, { k: 50, tenant: "nobody" })).toEqual([]);
  });

  it("searches the vector index within the caller's tenant only", async () => {
    const vector = await h.deps.embedder.embedQuery(BETA_QUESTION);
    const [nearest] = h.deps.index.current().index.search(vector, 1);
    expect(sourceOfChunk(nearest!.chunkId)).toBe("beta-pricing");

    const { candidates } = await retrieveCandidates(h.deps, {
      question: BETA_QUESTION,
      tenant: "alpha",
      k: 20,
    });
    expect(candidates.length).toBeGreaterThan(0);
    expect(new Set(candidates.map((c) => c.sourceId))).toEqual(new Set(["alpha-pricing"]));
    const forBeta = await retrieveCandidates(h.deps, {
      question: BETA_QUESTION,
      tenant: "beta",
      k: 20,
    });
    expect(forBeta.candidates[0]!.sourceId).toBe("beta-pricing");
    expect(forBeta.candidates.every((c) => c.sourceId === "beta-pricing")).toBe(true);
  });

  it("refuses a manifest that would move a source to another tenant", async () => {
    const moved = join(h.dir, "sources", "moved.json");
    const manifest = JSON.parse(await readFile(join(CORPUS, "sources.json"), "utf8"));
    manifest.sources[0].tenant = "beta";
    await writeFile(moved, JSON.stringify(manifest));
    await expect(
      ingestManifest({
        db: h.deps.db,
        embedder: h.deps.embedder,
        manifest: await loadManifest(moved),
        ingestedBy: "test",
      }),
    ).rejects.toThrow('source alpha-pricing belongs to tenant "alpha", not "beta"');
    const [row] = await h.deps.db.select().from(sources).where(eq(sources.id, "alpha-pricing"));
    expect(row!.tenant).toBe("alpha");
  });

  it("validates a manifest's tenants like source ids, and leaves one unnamed to the default", () => {
    const spec = {
      id: "s",
      name: "n",
      publisher: "p",
      uri: "https://x.example",
      license: "l",
      trust: "reviewed",
      paths: ["*.md"],
    };
    expect(Manifest.safeParse({ sources: [{ ...spec, tenant: "Not Safe" }] }).success).toBe(false);
    expect(Manifest.safeParse({ sources: [{ ...spec, tenant: "acme-2" }] }).success).toBe(true);
    const unnamed = Manifest.parse({ sources: [spec] }).sources[0]!;
    expect(tenantOf(unnamed)).toBe("default");
    expect(tenantOf(unnamed, "acme")).toBe("acme");
  });
});
