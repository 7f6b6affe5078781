import { readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashPolicy } from "../../src/answer/policy.ts";
import type { Answer } from "../../src/answer/schema.ts";
import { createApiKey } from "../../src/auth/manage.ts";
import { sha256 } from "../../src/hash.ts";
import { canonicalJson } from "../../src/ledger/canonical-json.ts";
import { storeKinds } from "../support/databases.ts";
import { useRealEncoder } from "../support/encoder.ts";
import { createFakeEmbedder } from "../support/fake-embedder.ts";
import { json, startHarness, type Harness } from "../support/harness.ts";
import { expectProblem } from "../support/problem.ts";

const encoder = useRealEncoder();

const SHIPPED = JSON.parse(
  readFileSync(new URL("../../policy/default.json", import.meta.url), "utf8"),
) as { version: unknown; threshold: number };
/** The shipped knobs, but only authoritative and reviewed sources may be cited. */
const NO_COMMUNITY = new URL("../fixtures/policy/no-community.json", import.meta.url).pathname;

/** Only the community forum says it (sources/community/forum-tips.md). */
const COMMUNITY_QUESTION = "What size is the SSD on mike_r's laptop?";
const HANDBOOK_QUESTION = "How much does the Basic plan cost?";

async function ask(h: Harness, question: string, sourceIds?: string[]): Promise<Answer> {
  const res = await h.post("/v1/answers", { question, sourceIds });
  const body = await json(res);
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body as Answer;
}

async function policyOf(h: Harness, headers: Record<string, string> = {}) {
  const res = await h.app.request("/v1/policy", { headers });
  const body = await json(res);
  expect(res.status, JSON.stringify(body)).toBe(200);
  return body as { hash: string; policy: Record<string, unknown> };
}

describe.each(storeKinds())("GET /v1/policy and the citable trust tiers on %s", (kind) => {
  let shipped: Harness;
  let noCommunity: Harness;
  beforeAll(async () => {
    shipped = await startHarness(kind, { embedder: encoder() });
    noCommunity = await startHarness(kind, { embedder: encoder(), policy: NO_COMMUNITY });
  });
  afterAll(async () => {
    await shipped?.close();
    await noCommunity?.close();
  });

  it("shows the policy in force and the hash every answer records, the same each time", async () => {
    const first = await policyOf(shipped);
    expect(await policyOf(shipped)).toEqual(first);
    expect(first.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(first.hash).toBe(hashPolicy(shipped.deps.policy));
    // A reviewer can check it from the document alone: the hash of its canonical JSON.
    expect(sha256(canonicalJson(first.policy))).toBe(first.hash);
    expect(first.policy).toMatchObject({
      version: SHIPPED.version,
      threshold: SHIPPED.threshold,
      citableTrust: ["authoritative", "reviewed", "community"],
      reviewMargin: 0.05,
    });
    expect(SHIPPED.version).toEqual(expect.anything());
    const answer = await ask(shipped, HANDBOOK_QUESTION);
    expect(answer.policy.hash).toBe(first.hash);

    const doc = await json(await shipped.get("/openapi.json"));
    expect(doc.paths["/v1/policy"].get.security).toEqual([{ bearerAuth: ["audit"] }]);
    expect(doc.components.schemas.PolicyDocument.properties.policy).toBeDefined();
  });

  it("has another hash when VERITY_THRESHOLD overrides the threshold", async () => {
    const overridden = await startHarness(kind, {
      template: "empty",
      embedder: createFakeEmbedder(64),
      env: { VERITY_THRESHOLD: "0.8" },
    });
    try {
      const shown = await policyOf(overridden);
      // An explicit threshold holds claims to it too: the claim threshold is off.
      expect(shown.policy).toMatchObject({ threshold: 0.8, claimThreshold: null });
      expect(shown.hash).toBe(hashPolicy(overridden.deps.policy));
      expect(shown.hash).not.toBe((await policyOf(shipped)).hash);
    } finally {
      await overridden.close();
    }
  });

  it("never cites a tier the policy leaves out: what only the forum says is refused", async () => {
    const fromForum = await ask(shipped, COMMUNITY_QUESTION);
    expect(fromForum.status, JSON.stringify(fromForum.reason)).toBe("answered");
    expect(fromForum.citations.map((c) => [c.sourceId, c.trust])).toContainEqual([
      "community-tips",
      "community",
    ]);

    expect((await policyOf(noCommunity)).policy).toMatchObject({
      version: "test-no-community",
      citableTrust: ["authoritative", "reviewed"],
    });
    const refused = await ask(noCommunity, COMMUNITY_QUESTION);
    expect(refused.status).toBe("refused");
    expect(refused.citations).toEqual([]);
    expect(["NO_EVIDENCE", "LOW_SUPPORT"]).toContain(refused.reason?.code);
    // Named explicitly, the forum is still a known source, and still not citable.
    const named = await ask(noCommunity, COMMUNITY_QUESTION, ["community-tips"]);
    expect(named.status).toBe("refused");
    expect(named.citations).toEqual([]);

    const handbook = await ask(noCommunity, HANDBOOK_QUESTION);
    expect(handbook.status).toBe("answered");
    expect(new Set(handbook.citations.map((c) => c.trust))).toEqual(new Set(["authoritative"]));
  });

  it("needs the audit scope once keys exist", async () => {
    const h = await startHarness(kind, { template: "empty", embedder: createFakeEmbedder(64) });
    try {
      const key = async (scopes: ("answer" | "audit")[]) =>
        (await createApiKey(h.deps, { tenant: "default", scopes, by: "test" })).token;
      const answerKey = await key(["answer"]);
      const auditKey = await key(["audit"]);
      await expectProblem(await h.get("/v1/policy"), 401, "UNAUTHENTICATED");
      const forbidden = await h.app.request("/v1/policy", {
        headers: { authorization: `Bearer ${answerKey}` },
      });
      expect((await expectProblem(forbidden, 403, "FORBIDDEN")).detail).toContain('"audit"');
      const shown = await policyOf(h, { authorization: `Bearer ${auditKey}` });
      expect(shown.hash).toBe(hashPolicy(h.deps.policy));
    } finally {
      await h.close();
    }
  });
});
