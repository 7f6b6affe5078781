import { cp, rm } from "node:fs/promises";
import { join } from "node:path";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../src/auth/manage.ts";
import type { Answer } from "../../src/answer/schema.ts";
import { auditCheckpoints, auditRecords, chunks } from "../../src/db/schema/index.ts";
import { storeKinds } from "../support/databases.ts";
import { createFakeEmbedder } from "../support/fake-embedder.ts";
import { json, startHarness, type Harness } from "../support/harness.ts";

const CORPUS = new URL("../fixtures/untrusted", import.meta.url).pathname;

/** `name{labels} value` lines of a Prometheus text body, as a map. */
function samples(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (!line || line.startsWith("#")) continue;
    const at = line.lastIndexOf(" ");
    out.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return out;
}

/** A harness of its own on the untrusted corpus (a help centre and a forum), ingested. */
async function startOnCorpus(kind: Parameters<typeof startHarness>[0]): Promise<Harness> {
  const h = await startHarness(kind, { embedder: createFakeEmbedder(64), template: "empty" });
  try {
    const sources = join(h.dir, "sources");
    await rm(sources, { recursive: true, force: true });
    await cp(CORPUS, sources, { recursive: true });
    await h.ingest();
    return h;
  } catch (error) {
    await h.close();
    throw error;
  }
}

describe.each(storeKinds())("GET /metrics on %s", (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startOnCorpus(kind);
  });
  afterAll(async () => h?.close());

  it("counts answers by outcome and the chunks flagged as suspected injection, from the store", async () => {
    const ask = (question: string) =>
      h.app.request("/v1/answers", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ question }),
      });
    await ask("plan plan plan plan plan");
    await ask("What is the capital of France?");
    const res = await h.app.request("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const metrics = samples(await res.text());
    expect(
      metrics.get('verity_answers_recorded{status="refused",reason="NO_QUESTION_CONTENT"}'),
    ).toBe(1);
    const [flagged] = await h.deps.db
      .select({ n: sql<number>`count(*)::int` })
      .from(chunks)
      .where(eq(chunks.suspectedInjection, true));
    const expected = Number(flagged?.n);
    expect(expected).toBeGreaterThan(0); // the fixture holds an injection attempt
    expect(metrics.get("verity_chunks_suspected_injection")).toBe(expected);
  });

  it("needs an admin key once keys exist", async () => {
    const answerKey = (
      await createApiKey(h.deps, { tenant: "default", scopes: ["answer"], by: "t" })
    ).token;
    const adminKey = (await createApiKey(h.deps, { tenant: "default", scopes: ["admin"], by: "t" }))
      .token;
    expect((await h.app.request("/metrics")).status).toBe(401);
    const auth = (token: string) => ({ headers: { authorization: `Bearer ${token}` } });
    expect((await h.app.request("/metrics", auth(answerKey))).status).toBe(403);
    expect((await h.app.request("/metrics", auth(adminKey))).status).toBe(200);
  });
});

describe.each(storeKinds())(
  "monitoring an answering service through GET /metrics on %s",
  (kind) => {
    let h: Harness;
    beforeAll(async () => {
      h = await startOnCorpus(kind);
    });
    afterAll(async () => h?.close());

    const scrape = async () => {
      const res = await h.app.request("/metrics");
      expect(res.status).toBe(200);
      const text = await res.text();
      return { text, metrics: samples(text) };
    };
    const ask = async (question: string): Promise<Answer> => {
      const res = await h.post("/v1/answers", { question });
      expect(res.status).toBe(200);
      return (await json(res)) as Answer;
    };
    const sum = (metrics: Map<string, number>, prefix: string) =>
      [...metrics].filter(([k]) => k.startsWith(prefix)).reduce((s, [, v]) => s + v, 0);
    const countRows = async (table: typeof auditRecords | typeof auditCheckpoints) =>
      Number((await h.deps.db.select({ n: sql<number>`count(*)::int` }).from(table))[0]?.n);

    it("reports outcomes, latencies, verification failures, citations, reviews and the ledger", async () => {
      // Before any answer: no refusal rate and no checkpoint age, rather than NaN or a made-up 0.
      const before = await scrape();
      expect(before.text).toContain("# TYPE verity_answers_refusal_ratio gauge");
      expect(before.text).toContain("# TYPE verity_ledger_checkpoint_age_seconds gauge");
      expect(before.metrics.has("verity_answers_refusal_ratio")).toBe(false);
      expect(before.metrics.has("verity_ledger_checkpoint_age_seconds")).toBe(false);
      expect(before.text).not.toMatch(/NaN/);
      for (const verdict of ["correct", "incorrect", "unsupported"])
        expect(before.metrics.get(`verity_reviews_recorded{verdict="${verdict}"}`)).toBe(0);
      expect(before.metrics.get('verity_citations_recorded{source="orbit-help"}')).toBe(0);

      const answered = await ask("How quickly does the billing team reply?");
      expect(answered.status).toBe("answered");
      await ask("What is the capital of France?");
      await ask("plan plan plan plan plan");
      // Someone rewrites the cited chunk behind Verity's back: its quote now fails verification.
      const cited = answered.citations[0]!;
      await h.deps.db.execute(
        sql`update chunks set text = replace(text, 'two business days', 'ten business days') where id = ${cited.chunkId}`,
      );
      const tampered = await ask("How quickly does the billing team reply?");
      expect(tampered.citations.every((c) => c.chunkId !== cited.chunkId)).toBe(true);
      expect((await h.get(`/v1/citations/${cited.id}`)).status).toBe(200);
      for (const verdict of ["correct", "incorrect", "correct"]) {
        const res = await h.post(`/v1/answers/${answered.id}/reviews`, { verdict });
        expect(res.status).toBe(201);
      }
      // A checkpoint signed a minute and a half ago (the ledger signs them; this one is set up).
      const size = await countRows(auditRecords);
      await h.deps.db.insert(auditCheckpoints).values({
        treeSize: size,
        rootHash: "0".repeat(64),
        keyId: "test",
        note: "test checkpoint",
        createdAt: new Date(Date.now() - 90_000),
      });

      const { text, metrics } = await scrape();
      expect(text).not.toMatch(/NaN/);
      // Answers by outcome, and the share refused.
      const total = sum(metrics, "verity_answers_recorded{");
      const refused = sum(metrics, 'verity_answers_recorded{status="refused"');
      expect(total).toBe(4);
      expect(metrics.get('verity_answers_recorded{status="answered",reason="none"}')).toBe(1);
      expect(metrics.get('verity_answers_recorded{status="refused",reason="NO_EVIDENCE"}')).toBe(1);
      expect(metrics.get("verity_answers_refusal_ratio")).toBeCloseTo(refused / total, 10);
      expect(refused).toBe(3);
      // Each stage of answering was timed, once per question that reached it; the question about
      // the tampered chunk twice: its first answer quoted the text loaded before the rewrite, the
      // record found the store no longer matches it, and it was answered again from the store.
      for (const stage of ["analyse", "embed", "lexical", "dense", "retrieve"])
        expect(metrics.get(`verity_answer_stage_seconds_count{stage="${stage}"}`)).toBe(5);
      for (const stage of ["score", "verify"])
        expect(metrics.get(`verity_answer_stage_seconds_count{stage="${stage}"}`)).toBe(3);
      const retrieveSeconds = metrics.get('verity_answer_stage_seconds_sum{stage="retrieve"}')!;
      expect(retrieveSeconds).toBeGreaterThan(0);
      expect(retrieveSeconds).toBeLessThan(60);
      // Every request so far, by route pattern (never a raw path).
      const asked =
        'verity_http_request_duration_seconds_count{method="POST",route="/v1/answers",status="200"}';
      expect(metrics.get(asked)).toBe(4);
      expect(
        metrics.get(
          'verity_http_request_duration_seconds_count{method="GET",route="/v1/citations/:id",status="200"}',
        ),
      ).toBe(1);
      expect(text).not.toContain(cited.id);
      // The tampered chunk failed the check before citing, and again when the citation was traced.
      for (const check of ["answer", "trace"]) {
        expect(
          metrics.get(
            `verity_citation_verification_failures_total{check="${check}",code="CHUNK_HASH_MISMATCH"}`,
          ),
        ).toBeGreaterThanOrEqual(1);
      }
      // Citations by the source they quote, as the answers cited them.
      const bySource = new Map<string, number>();
      for (const a of [answered, tampered])
        for (const c of a.citations) bySource.set(c.sourceId, (bySource.get(c.sourceId) ?? 0) + 1);
      expect(bySource.get("orbit-help")).toBeGreaterThan(0);
      for (const source of ["orbit-help", "orbit-forum"])
        expect(metrics.get(`verity_citations_recorded{source="${source}"}`)).toBe(
          bySource.get(source) ?? 0,
        );
      // Review verdicts, and the ledger: its size and how old its latest checkpoint is.
      expect(metrics.get('verity_reviews_recorded{verdict="correct"}')).toBe(2);
      expect(metrics.get('verity_reviews_recorded{verdict="incorrect"}')).toBe(1);
      expect(metrics.get('verity_reviews_recorded{verdict="unsupported"}')).toBe(0);
      expect(metrics.get("verity_ledger_records")).toBe(await countRows(auditRecords));
      expect(metrics.get("verity_ledger_records")).toBeGreaterThanOrEqual(4 + 3);
      const age = metrics.get("verity_ledger_checkpoint_age_seconds")!;
      expect(age).toBeGreaterThanOrEqual(89);
      expect(age).toBeLessThan(90 + 60);
    });
  },
);
