import { cp, rm } from "node:fs/promises";
import { join } from "node:path";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../src/auth/manage.ts";
import { chunks } from "../../src/db/schema/index.ts";
import { storeKinds } from "../support/databases.ts";
import { createFakeEmbedder } from "../support/fake-embedder.ts";
import { startHarness, type Harness } from "../support/harness.ts";

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

describe.each(storeKinds())("GET /metrics on %s", (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind, { embedder: createFakeEmbedder(64), template: "empty" });
    const sources = join(h.dir, "sources");
    await rm(sources, { recursive: true, force: true });
    await cp(CORPUS, sources, { recursive: true });
    await h.ingest();
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
