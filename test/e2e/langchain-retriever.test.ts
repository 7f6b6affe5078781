import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
// As a LangChain app imports it: through the package's "exports", not a path into the repo.
import {
  VERITY_REFUSAL_EVENT,
  VerityApiError,
  VerityRetriever,
  type VerityRefusal,
} from "verity/langchain";
import { loadSourceText } from "../../ingest/source-text.ts";
import { generateApiKey } from "../../src/auth/keys.ts";
import { createApiKey } from "../../src/auth/manage.ts";
import { sha256 } from "../../src/hash.ts";
import { copyTemplateStore } from "../support/databases.ts";
import { createFakeEmbedder } from "../support/fake-embedder.ts";
import { json, SAMPLE_SOURCES, startHarness, type Harness } from "../support/harness.ts";
import { startServer, type RunningServer } from "../support/server.ts";

/**
 * A LangChain app asking Verity through VerityRetriever, against the real server process on the
 * ingested sample corpus, with API keys required (a bootstrap key exists).
 */
describe("VerityRetriever against a running server", () => {
  let dir: string;
  let server: RunningServer;
  const apiKey = generateApiKey().token;
  const retriever = (fields: Partial<ConstructorParameters<typeof VerityRetriever>[0]> = {}) =>
    new VerityRetriever({ baseUrl: server.url, apiKey, ...fields });
  const get = async (path: string) => {
    const res = await fetch(`${server.url}${path}`, {
      headers: { authorization: `Bearer ${apiKey}` },
    });
    expect(res.status, path).toBe(200);
    return json(res);
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "verity-langchain-"));
    await copyTemplateStore("pglite", "sample", join(dir, "data", "pglite"));
    server = await startServer({
      VERITY_DATA_DIR: join(dir, "data"),
      DATABASE_URL: "",
      VERITY_BOOTSTRAP_KEY: apiKey,
    });
  });
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it("returns one Document per citation: the exact span of the cited version, with its provenance", async () => {
    const docs = await retriever().invoke("How much does the Basic plan cost?");
    expect(docs.length).toBeGreaterThanOrEqual(1);
    expect(docs.map((d) => d.pageContent).join(" ")).toContain("$8 per user per month");

    // The metadata is the recorded answer's, field for field.
    const answer = await get(`/v1/answers/${docs[0]!.metadata.answerId}`);
    expect(docs.map((d) => d.metadata.citationId)).toEqual(
      answer.citations.map((c: { id: string }) => c.id),
    );
    for (const doc of docs) {
      const m = doc.metadata;
      const { id, quote, ...provenance } = answer.citations.find(
        (c: { id: string }) => c.id === m.citationId,
      );
      expect(doc.id).toBe(id);
      expect(doc.pageContent).toBe(quote);
      expect(m).toEqual({
        citationId: id,
        answerId: answer.id,
        ...provenance,
        ledgerIndex: answer.ledger.index,
        answerStatus: "answered",
        confidence: answer.confidence,
        sentence: answer.sentences.find((s: { citationIds: string[] }) =>
          s.citationIds.includes(id),
        ).text,
      });
      expect(m).toMatchObject({
        sourceId: "acme-handbook",
        trust: "authoritative",
        verified: true,
      });

      // The citation as traced now: same span of the same version, verified again.
      const trace = await get(`/v1/citations/${m.citationId}`);
      expect(trace).toMatchObject({ quote: doc.pageContent, start: m.start, end: m.end });
      expect(trace.version).toMatchObject({ id: m.versionId, sha256: m.sha256 });
      expect(trace.chunk).toMatchObject({ id: m.chunkId, sha256: m.chunkSha256 });
      expect(trace.verification).toEqual({ verified: true, failures: [] });

      // The version's text, derived from its file as ingestion derives it: it hashes to the
      // citation's sha256, and [start, end) of it is the Document's pageContent.
      const file = join(SAMPLE_SOURCES, m.path);
      const text = await loadSourceText({ path: file, bytes: await readFile(file), redact: [] });
      expect(sha256(text)).toBe(m.sha256);
      expect(text.slice(m.start, m.end)).toBe(doc.pageContent);
    }
  });

  it("returns no Documents for a refusal, and reports why to onRefusal and to callbacks", async () => {
    const refusals: VerityRefusal[] = [];
    const events: { name: string; data: VerityRefusal }[] = [];
    const docs = await retriever({ onRefusal: (r) => void refusals.push(r) }).invoke(
      "How much does the Premium plan cost?",
      { callbacks: [{ handleCustomEvent: (name, data) => void events.push({ name, data }) }] },
    );
    expect(docs).toEqual([]);
    expect(refusals).toHaveLength(1);
    expect(refusals[0]).toMatchObject({
      status: "refused",
      question: "How much does the Premium plan cost?",
      reason: { code: "LOW_SUPPORT", message: expect.any(String), bestScore: expect.any(Number) },
      refusedParts: [],
    });
    expect(events).toEqual([{ name: VERITY_REFUSAL_EVENT, data: refusals[0] }]);
    // The refusal is recorded like any answer.
    expect((await get(`/v1/answers/${refusals[0]!.answerId}`)).status).toBe("refused");

    // In streamEvents, as LangChain reports custom events.
    const stream = retriever().streamEvents("What is the capital of France?", { version: "v2" });
    const custom = [];
    for await (const event of stream) if (event.event === "on_custom_event") custom.push(event);
    expect(custom).toMatchObject([
      { name: VERITY_REFUSAL_EVENT, data: { status: "refused", reason: { code: "NO_EVIDENCE" } } },
    ]);
  });

  it("returns the answered part's Documents of a partial answer and reports the refused part", async () => {
    let refusal: VerityRefusal | undefined;
    const docs = await retriever({ onRefusal: (r) => void (refusal = r) }).invoke(
      "How much does the Basic plan cost and what is the capital of France?",
    );
    expect(docs.length).toBeGreaterThanOrEqual(1);
    expect(docs.every((d) => d.metadata.answerStatus === "partial")).toBe(true);
    expect(refusal).toMatchObject({ status: "partial", reason: { code: "NO_EVIDENCE" } });
    expect(refusal!.refusedParts).toMatchObject([
      { status: "refused", question: expect.stringContaining("capital of France") },
    ]);
  });

  it("asks only the sources in sourceIds", async () => {
    const question = "How long are deleted files kept in the trash on the Basic plan?";
    const all = await retriever().invoke(question);
    expect(new Set(all.map((d) => d.metadata.sourceId))).toEqual(new Set(["acme-handbook"]));
    const policies = await retriever({ sourceIds: ["acme-policies"] }).invoke(question);
    expect(policies.length).toBeGreaterThanOrEqual(1);
    expect(policies.map((d) => d.metadata.sourceId)).toEqual(policies.map(() => "acme-policies"));
    expect(policies[0]!.metadata.path).toBe("acme/policies/data-retention.txt");

    // The policies do not state the price: filtered, the price question is refused.
    let code: string | undefined;
    const none = await retriever({
      sourceIds: ["acme-policies"],
      onRefusal: (r) => void (code = r.reason.code),
    }).invoke("How much does the Basic plan cost?");
    expect(none).toEqual([]);
    expect(code).toBe("LOW_SUPPORT");

    const unknown = await retriever({ sourceIds: ["no-such-source"] })
      .invoke(question)
      .catch((e: unknown) => e);
    expect(unknown).toBeInstanceOf(VerityApiError);
    expect(unknown).toMatchObject({ status: 400, code: "VALIDATION_FAILED" });
    expect((unknown as VerityApiError).invalidFields.map((f) => f.path)).toContain("sourceIds");
  });

  it("throws a VerityApiError with status, code, requestId and detail for a bad or missing key", async () => {
    for (const key of [generateApiKey().token, undefined]) {
      const error = await retriever({ apiKey: key })
        .invoke("How much does the Basic plan cost?")
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(VerityApiError);
      expect(error).toBeInstanceOf(Error);
      expect(error).toMatchObject({
        name: "VerityApiError",
        status: 401,
        code: "UNAUTHENTICATED",
        requestId: expect.stringMatching(/^req_/),
        detail: expect.any(String),
        retryAfterSeconds: null,
      });
      expect((error as Error).message).toContain("401 UNAUTHENTICATED");
    }
  });

  it("gives up after `timeout` ms", async () => {
    const error = await retriever({ timeout: 1 })
      .invoke("How much does the Basic plan cost?")
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ name: "TimeoutError" });
  });

  it("keeps the API key out of what LangChain hands to callbacks and tracers", async () => {
    const started: unknown[] = [];
    await retriever().invoke("How much does the Basic plan cost?", {
      callbacks: [{ handleRetrieverStart: (serialized) => void started.push(serialized) }],
    });
    expect(started).toHaveLength(1);
    expect(JSON.stringify(started)).not.toContain(apiKey);
    expect(JSON.stringify(retriever().toJSON())).not.toContain(apiKey);
  });
});

/**
 * A 429, through the `fetch` option: the retriever calls the in-process app of a server allowing
 * one request a minute per key.
 */
describe("VerityRetriever over a rate-limited server", () => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness("pglite", {
      template: "empty",
      embedder: createFakeEmbedder(64),
      env: { VERITY_RATE_LIMIT_PER_MINUTE: "1" },
    });
  });
  afterAll(async () => h?.close());

  it("throws a 429 VerityApiError carrying Retry-After", async () => {
    const key = await createApiKey(h.deps, { tenant: "default", scopes: ["answer"], by: "test" });
    let refusal: VerityRefusal | undefined;
    const retriever = new VerityRetriever({
      baseUrl: "http://verity.test",
      apiKey: key.token,
      fetch: async (input, init) => h.app.request(String(input), init),
      onRefusal: (r) => void (refusal = r),
    });
    expect(await retriever.invoke("How much does the Basic plan cost?")).toEqual([]);
    expect(refusal?.reason.code).toBe("NO_EVIDENCE"); // the store is empty

    const error = await retriever.invoke("How much does the Basic plan cost?").catch((e) => e);
    expect(error).toBeInstanceOf(VerityApiError);
    expect(error).toMatchObject({
      status: 429,
      code: "RATE_LIMITED",
      requestId: expect.any(String),
    });
    expect(error.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(error.retryAfterSeconds).toBeLessThanOrEqual(60);
  });
});
