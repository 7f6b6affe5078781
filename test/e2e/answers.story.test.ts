import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { asc, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import type { Answer } from "../../src/answer/schema.ts";
import { ingestRuns } from "../../src/db/schema/index.ts";
import type { IngestSummary } from "../../ingest/pipeline.ts";
import { storeKinds } from "../support/databases.ts";
import { useRealEncoder } from "../support/encoder.ts";
import { json, startHarness, type Harness } from "../support/harness.ts";

const encoder = useRealEncoder();

/**
 * The story of issue 2, end to end over HTTP, on each store. Every harness starts from the
 * sample corpus ingested with the real encoder; tests that change the corpus or the store get a
 * harness of their own, so no test sees another's changes whatever the order.
 */
describe.each(storeKinds())("grounded answers on %s", (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind, { embedder: encoder() });
  });
  afterAll(async () => h?.close());

  /** A harness only this test uses, closed when it ends. */
  async function ownHarness(): Promise<Harness> {
    const own = await startHarness(kind, { embedder: encoder() });
    onTestFinished(() => own.close());
    return own;
  }

  async function askOn(on: Harness, question: string, sourceIds?: string[]): Promise<Answer> {
    const res = await on.post("/v1/answers", { question, sourceIds });
    expect(res.status).toBe(200);
    return (await json(res)) as Answer;
  }
  const ask = (question: string, sourceIds?: string[]) => askOn(h, question, sourceIds);

  it("starts from the whole sample corpus, ingested without a failure", async () => {
    // The first run is the template's; a re-ingest in another test may have added one since.
    const [first] = await h.deps.db.select().from(ingestRuns).orderBy(asc(ingestRuns.startedAt));
    expect(first!.finishedAt).not.toBeNull();
    const summary = first!.summary as IngestSummary;
    expect(summary.files.failed).toBe(0);
    expect(summary.files.added).toBeGreaterThanOrEqual(10);
  });

  it.each([
    ["How much does the Basic plan cost?", "$8 per user per month"],
    ["How long does a password reset link stay valid?", "30 minutes"],
    ["What monthly uptime percentage does Acme commit to?", "99.9%"],
    ["Is my data encrypted at rest?", "AES-256"],
    ["What is the maximum size of a single file I can upload?", "50 GB"],
    ["How long are deleted files kept in the trash on the Basic plan?", "30 days"],
  ])("answers %j with a verified quote", async (question, expected) => {
    const answer = await ask(question);
    expect(answer.status).toBe("answered");
    expect(answer.reason).toBeNull();
    expect(answer.citations.some((c) => c.quote.includes(expected))).toBe(true);
    // One question, so no parts; its support is what cleared the threshold.
    expect(answer.parts).toEqual([]);
    expect(answer.support).toBeGreaterThanOrEqual(answer.policy.threshold);
    // Every sentence of the answer points at a citation, and each quote is the stored text.
    for (const sentence of answer.sentences) expect(sentence.citationIds.length).toBeGreaterThan(0);
    for (const citation of answer.citations) {
      const trace = await json(await h.get(`/v1/citations/${citation.id}`));
      expect(trace.verification).toEqual({ verified: true, failures: [] });
      expect(trace.quote).toBe(citation.quote);
      expect(trace.version.status).toBe("current");
      expect(trace.version.sha256).toBe(citation.sha256);
      expect(trace.source.id).toBe(citation.sourceId);
      expect(trace.version.ingestedBy).toBe("test-suite");
      expect(trace.source.license).toBe("CC-BY-4.0");
    }
    const stored = await json(await h.get(`/v1/answers/${answer.id}`));
    expect(stored).toEqual(answer);
  });

  it.each([
    "What is the capital of France?",
    "Who won the 2018 FIFA World Cup?",
    "How much does the Premium plan cost?",
    "How much storage does the Team plan include?",
    "What is Acme's support phone number?",
  ])("refuses %j with a machine-readable reason", async (question) => {
    const answer = await ask(question);
    expect(answer.status).toBe("refused");
    expect(answer.citations).toEqual([]);
    expect(answer.answer).toBeNull();
    expect(["NO_EVIDENCE", "LOW_SUPPORT"]).toContain(answer.reason?.code);
    expect(answer.reason?.message.length).toBeGreaterThan(10);
    expect(answer.support).toBeNull();
    expect(answer.confidence).toBeNull();
    expect(answer.parts).toEqual([]);
  });

  it("filters by source: answers from the named source, never borrowing from another", async () => {
    // The forum tip answers this; so does the handbook's FAQ; the legal policies do not.
    const question = "Where should I look if the password reset email doesn't show up?";
    const community = await ask(question, ["community-tips"]);
    expect(community.status).toBe("answered");
    expect(community.citations.length).toBeGreaterThan(0);
    for (const c of community.citations) {
      expect(c.sourceId).toBe("community-tips");
      expect(c.trust).toBe("community");
    }
    expect(community.citations.some((c) => c.quote.includes("spam folder"))).toBe(true);
    const stored = await json(await h.get(`/v1/answers/${community.id}`));
    expect(stored).toEqual(community);

    const policies = await ask(question, ["acme-policies"]);
    expect(policies.status).toBe("refused");
    expect(policies.answer).toBeNull();
    expect(policies.citations).toEqual([]);
    expect(JSON.stringify(policies)).not.toMatch(/spam/i);
  });

  it("lists sources with their trust tier", async () => {
    const body = await json(await h.get("/v1/sources"));
    const ids = body.sources.map((s: { id: string }) => s.id);
    expect(ids).toEqual(["acme-handbook", "acme-policies", "community-tips"]);
    expect(body.sources.find((s: { id: string }) => s.id === "community-tips").trust).toBe(
      "community",
    );
  });

  it("re-ingesting an unchanged corpus writes and embeds nothing", async () => {
    const summary = await h.ingest();
    expect(summary.files.unchanged).toBe(summary.files.seen);
    expect(summary.chunks).toEqual({
      written: 0,
      embedded: 0,
      reused: 0,
      suspectedInjection: 0,
      reembedded: 0,
    });
    expect(summary.changed).toBe(false);
  });

  it("keeps an old citation resolvable as superseded after the document changes", async () => {
    const own = await ownHarness();
    const before = await askOn(own, "How much does the Basic plan cost?");
    const old = before.citations.find((c) => c.quote.includes("$8 per user per month"))!;
    const file = join(own.dir, "sources", "acme", "handbook", "billing.md");
    await writeFile(
      file,
      (await readFile(file, "utf8")).replaceAll("$8 per user per month", "$9 per user per month"),
    );

    const summary = await own.ingest();
    expect(summary.files.updated).toBe(1);
    expect(summary.chunks.reused).toBeGreaterThan(0); // unchanged chunks are not embedded again
    expect(summary.chunks.embedded).toBeLessThan(summary.chunks.written);

    const trace = await json(await own.get(`/v1/citations/${old.id}`));
    expect(trace.version.status).toBe("superseded");
    expect(trace.version.supersededAt).not.toBeNull();
    expect(trace.verification.verified).toBe(true);
    expect(trace.quote).toContain("$8 per user per month");

    const after = await askOn(own, "How much does the Basic plan cost?");
    expect(after.status).toBe("answered");
    expect(after.citations.some((c) => c.quote.includes("$9 per user per month"))).toBe(true);
    expect(after.citations.some((c) => c.quote.includes("$8 per user per month"))).toBe(false);
  });

  it("detects a tampered chunk: its citation fails verification and is never returned again", async () => {
    const own = await ownHarness();
    const answer = await askOn(own, "What is the maximum size of a single file I can upload?");
    const cited = answer.citations.find((c) => c.quote.includes("50 GB"))!;
    await own.deps.db.execute(
      sql`update chunks set text = replace(text, '50 GB', '500 GB') where id = ${cited.chunkId}`,
    );
    const trace = await json(await own.get(`/v1/citations/${cited.id}`));
    expect(trace.verification.verified).toBe(false);
    expect(trace.verification.failures).toContain("CHUNK_HASH_MISMATCH");

    const again = await askOn(own, "What is the maximum size of a single file I can upload?");
    expect(again.citations.every((c) => c.chunkId !== cited.chunkId)).toBe(true);
    expect(JSON.stringify(again)).not.toContain("500 GB");
  });
});
