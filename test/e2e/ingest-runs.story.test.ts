import { appendFile, readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadManifest } from "../../ingest/manifest.ts";
import { ingestManifest } from "../../ingest/pipeline.ts";
import type { Answer } from "../../src/answer/schema.ts";
import { IngestBusyError } from "../../src/db/ingest-runs.ts";
import { retrieveCandidates } from "../../src/retrieval/retrieve.ts";
import type { IngestProgress, IngestRun } from "../../src/ingestion/schema.ts";
import { storeKinds } from "../support/databases.ts";
import { json, startHarness, type Harness } from "../support/harness.ts";
import { DEFAULT_TENANT } from "../../src/auth/keys.ts";

const PRICE_QUESTION = "How much does the Basic plan cost?";

/**
 * Issue 9, "ingest while serving", over HTTP on each store: a run started by a request goes on
 * in the server while it answers; answers follow without a restart and never see half of it.
 */
describe.each(storeKinds())("ingest runs over HTTP on %s", (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind, { template: "empty" });
  });
  afterAll(async () => h?.close());

  const get = async (path: string): Promise<IngestRun> => {
    const res = await h.get(path);
    expect(res.status).toBe(200);
    return json(res);
  };

  /** Poll the run as a client would, calling `meanwhile` between polls while it runs. */
  async function follow(run: IngestRun, meanwhile = async () => {}): Promise<IngestRun> {
    const deadline = Date.now() + 60_000;
    while (run.status === "running") {
      if (Date.now() > deadline) throw new Error(`run ${run.id} still running after 60 s`);
      await meanwhile();
      await new Promise((resolve) => setTimeout(resolve, 50));
      run = await get(run.links.self);
    }
    return run;
  }

  async function start(body: unknown): Promise<IngestRun> {
    const res = await h.post("/v1/ingest-runs", body);
    expect(res.status).toBe(202);
    const run = (await json(res)) as IngestRun;
    expect(res.headers.get("location")).toBe(`/v1/ingest-runs/${run.id}`);
    return run;
  }

  async function ask(question: string): Promise<Answer> {
    const res = await h.post("/v1/answers", { question });
    expect(res.status).toBe(200);
    return json(res);
  }

  async function expectProblem(res: Response, status: number, code: string) {
    expect(res.status).toBe(status);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    const body = await json(res);
    expect(body).toMatchObject({ status, code });
    return body;
  }

  it("starts at once (202 + Location), refuses a second run meanwhile (409), then finishes with its summary", async () => {
    const run = await start({ manifest: h.manifestPath, by: "alice" });
    expect(run).toMatchObject({
      kind: "manifest",
      status: "running",
      manifest: h.manifestPath,
      by: "alice",
      finishedAt: null,
      summary: null,
    });

    // A second run, through the server or straight into the store (`npm run ingest` on
    // PostgreSQL), is refused while this one goes.
    const busy = await expectProblem(
      await h.post("/v1/ingest-runs", { manifest: h.manifestPath }),
      409,
      "INGEST_RUNNING",
    );
    expect(busy.detail).toContain(run.id);
    await expectProblem(
      await h.post("/v1/ingest-runs", { removeSource: "community-tips" }),
      409,
      "INGEST_RUNNING",
    );
    await expect(
      ingestManifest({
        db: h.deps.db,
        embedder: h.deps.embedder,
        manifest: await loadManifest(h.manifestPath),
        ingestedBy: "someone-else",
      }),
    ).rejects.toBeInstanceOf(IngestBusyError);

    const seen: IngestProgress[] = [];
    const done = await follow(run, async () => {
      const live = (await get(run.links.self)).progress;
      if (live) seen.push(live);
    });
    expect(done.status).toBe("finished");
    expect(done.error).toBeNull();
    expect(done.finishedAt).not.toBeNull();
    expect(done.summary).toMatchObject({
      runId: run.id,
      files: { seen: 10, added: 10, failed: 0 },
      index: { chunks: expect.any(Number), rebuilt: true },
    });
    expect(done.progress).toMatchObject({ totalFiles: 10, done: 10, added: 10, failed: 0 });
    // Live progress only ever moves forward.
    const dones = seen.map((p) => p.done);
    expect(dones).toEqual([...dones].sort((a, b) => a - b));

    // Searchable at once: the serving index followed without a restart.
    const health = await json(await h.get("/healthz"));
    expect(health.indexedChunks).toBe((done.summary as { index: { chunks: number } }).index.chunks);
    const answer = await ask(PRICE_QUESTION);
    expect(answer.status).toBe("answered");
    expect(answer.citations.some((c) => c.quote.includes("$8 per user per month"))).toBe(true);
  });

  it("answers follow a changed document; answers given during the run cite whole documents", async () => {
    const before = await ask(PRICE_QUESTION);
    const oldVersion = before.citations.find((c) => c.quote.includes("$8 per user"))!.versionId;
    const billing = join(h.dir, "sources", "acme", "handbook", "billing.md");
    await writeFile(
      billing,
      (await readFile(billing, "utf8")).replaceAll(
        "$8 per user per month",
        "$9 per user per month",
      ),
    );
    // Every other document changes too, so the run lasts while questions are asked.
    for (const file of await textFiles(join(h.dir, "sources"))) {
      if (file !== billing) await appendFile(file, "\n\nThis page was reviewed this quarter.\n");
    }

    const run = await start({ manifest: h.manifestPath });
    const during: Answer[] = [];
    const done = await follow(run, async () => {
      const answer = await ask(PRICE_QUESTION);
      if ((await get(run.links.self)).status === "running") during.push(answer);
    });
    expect(done.status).toBe("finished");
    expect(done.summary).toMatchObject({ files: { updated: 7, unchanged: 3, failed: 0 } });
    expect(during.length).toBeGreaterThan(0);

    const after = await ask(PRICE_QUESTION);
    expect(after.status).toBe("answered");
    expect(after.citations.some((c) => c.quote.includes("$9 per user per month"))).toBe(true);
    expect(after.citations.some((c) => c.quote.includes("$8 per user per month"))).toBe(false);
    const newVersion = after.citations.find((c) => c.quote.includes("$9 per user"))!.versionId;
    expect(newVersion).not.toBe(oldVersion);

    // Each answer saw each document whole: one version of it, the old or the new, never a mix.
    for (const answer of [...during, after]) {
      const versionsOf = new Map<string, Set<string>>();
      for (const c of answer.citations) {
        versionsOf.set(c.documentId, (versionsOf.get(c.documentId) ?? new Set()).add(c.versionId));
        if (c.quote.includes("$8 per user")) expect(c.versionId).toBe(oldVersion);
        if (c.quote.includes("$9 per user")) expect(c.versionId).toBe(newVersion);
      }
      for (const versions of versionsOf.values()) expect(versions.size).toBe(1);
      const prices = answer.citations.map((c) => c.quote).join(" ");
      expect(prices.includes("$8 per user") && prices.includes("$9 per user")).toBe(false);
    }
  });

  it("never cites superseded text while the serving index lags another process's ingest", async () => {
    // As when `npm run ingest` writes to PostgreSQL directly: the server's in-memory indexes
    // learn of it only at their next freshness check (every few seconds), and answer meanwhile.
    await h.deps.index.refresh();
    const lagging = h.deps.index.current();
    const billing = join(h.dir, "sources", "acme", "handbook", "billing.md");
    await writeFile(
      billing,
      (await readFile(billing, "utf8")).replaceAll(
        "$9 per user per month",
        "$10 per user per month",
      ),
    );
    const summary = await ingestManifest({
      db: h.deps.db,
      embedder: h.deps.embedder,
      manifest: await loadManifest(h.manifestPath),
      ingestedBy: "another-process",
    });
    expect(summary.files.updated).toBe(1);

    // Retrieval reads memory only: until the indexes follow, it still finds the old text...
    const before = await retrieveCandidates(h.deps, {
      question: PRICE_QUESTION,
      tenant: DEFAULT_TENANT,
      k: 100,
    });
    expect(h.deps.index.current()).toBe(lagging);
    expect(before.candidates.some((c) => c.text.includes("$9 per user per month"))).toBe(true);
    // ...but an answer citing it is not recorded: the record finds the version superseded, the
    // indexes follow the store at once, and the answer is given again from the new text.
    const answer = await ask(PRICE_QUESTION);
    expect(answer.citations.some((c) => c.quote.includes("$9 per user"))).toBe(false);
    expect(answer.citations.some((c) => c.quote.includes("$10 per user per month"))).toBe(true);
    const after = await retrieveCandidates(h.deps, {
      question: PRICE_QUESTION,
      tenant: DEFAULT_TENANT,
      k: 100,
    });
    expect(after.candidates.some((c) => c.text.includes("$9 per user"))).toBe(false);
  });

  it("400s a manifest it cannot read or that is invalid, and a request that is not one run", async () => {
    const missing = await expectProblem(
      await h.post("/v1/ingest-runs", { manifest: join(h.dir, "nope.json") }),
      400,
      "VALIDATION_FAILED",
    );
    expect(missing.detail).toContain("Cannot read manifest");
    expect(missing.invalidFields).toEqual([expect.objectContaining({ path: "manifest" })]);

    const invalidPath = join(h.dir, "invalid.json");
    await writeFile(invalidPath, JSON.stringify({ sources: [{ id: "Bad Id" }] }));
    const invalid = await expectProblem(
      await h.post("/v1/ingest-runs", { manifest: invalidPath }),
      400,
      "VALIDATION_FAILED",
    );
    expect(invalid.detail).toContain("Invalid manifest");

    for (const body of [
      { manifest: "sources/sources.json" }, // relative: the server's cwd is nobody's business
      { manifest: h.manifestPath, removeSource: "community-tips" },
      {},
      { manifest: h.manifestPath, force: true },
    ])
      await expectProblem(await h.post("/v1/ingest-runs", body), 400, "VALIDATION_FAILED");
    const unknown = await expectProblem(
      await h.post("/v1/ingest-runs", { removeSource: "no-such-source" }),
      400,
      "VALIDATION_FAILED",
    );
    expect(unknown.invalidFields).toEqual([expect.objectContaining({ path: "removeSource" })]);
  });

  it("404s an unknown run", async () => {
    const body = await expectProblem(await h.get("/v1/ingest-runs/run_nope"), 404, "NOT_FOUND");
    expect(body.detail).toContain("run_nope");
  });

  it("removes a source through the server: no longer listed, searched or cited", async () => {
    const run = await start({ removeSource: "community-tips", by: "bob" });
    expect(run).toMatchObject({ kind: "remove-source", sourceId: "community-tips", by: "bob" });
    const done = await follow(run);
    expect(done.status).toBe("finished");
    expect(done.progress).toBeNull();
    expect(done.summary).toMatchObject({ source: "community-tips", removed: [expect.any(String)] });

    const sources = await json(await h.get("/v1/sources"));
    expect(sources.sources.map((s: { id: string }) => s.id)).not.toContain("community-tips");
    const answer = await ask("How long does a password reset link stay valid?");
    expect(answer.citations.every((c) => c.sourceId !== "community-tips")).toBe(true);
  });

  it("a server shutting down mid-run records it aborted, between whole documents", async () => {
    for (const file of await textFiles(join(h.dir, "sources")))
      await appendFile(file, "\n\nA closing remark added before the shutdown.\n");
    const run = await start({ manifest: h.manifestPath });
    await h.ingestion.close();
    const stopped = await get(run.links.self);
    expect(stopped.status).toBe("aborted");
    expect(stopped.error).toContain("shut down");
    // Nothing is left running: the next process can ingest at once.
    const next = await ingestManifest({
      db: h.deps.db,
      embedder: h.deps.embedder,
      manifest: await loadManifest(h.manifestPath),
      ingestedBy: "next-process",
    });
    expect(next.files.failed).toBe(0);
  });
});

async function textFiles(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile() && /\.(md|txt)$/.test(e.name))
    .map((e) => join(e.parentPath, e.name));
}
