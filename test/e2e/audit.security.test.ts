import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Answer } from "../../src/answer/schema.ts";
import { createApiKey } from "../../src/auth/manage.ts";
import { auditRecords } from "../../src/db/schema/index.ts";
import { storeKinds } from "../support/databases.ts";
import { useRealEncoder } from "../support/encoder.ts";
import { json, startHarness, type Harness } from "../support/harness.ts";
import { expectProblem } from "../support/problem.ts";

const encoder = useRealEncoder();

/**
 * Who may list versions and recheck answers: keys with the `audit` scope (or `admin`) of the
 * answer's tenant. Another tenant's document or answer is a 404 exactly like a missing one, and
 * a refused recheck records nothing.
 */
describe.each(storeKinds())("versions and rechecks: scopes and tenants on %s", (kind) => {
  let h: Harness;
  let answer: Answer;
  const token = { auditor: "", answerer: "", stranger: "" };

  beforeAll(async () => {
    h = await startHarness(kind, { embedder: encoder() });
    const res = await h.post("/v1/answers", { question: "How much does the Basic plan cost?" });
    answer = await json(res);
    expect(answer.citations.length).toBeGreaterThan(0);
    const make = async (tenant: string, scopes: ("audit" | "answer")[]) =>
      (await createApiKey(h.deps, { tenant, scopes, by: "test" })).token;
    token.auditor = await make("default", ["audit"]);
    token.answerer = await make("default", ["answer"]);
    token.stranger = await make("other", ["audit"]);
  });
  afterAll(async () => h?.close());

  const send = (who: keyof typeof token, method: "GET" | "POST", path: string) =>
    Promise.resolve(
      h.app.request(path, { method, headers: { authorization: `Bearer ${token[who]}` } }),
    );
  const paths = () => ({
    versions: `/v1/documents/${answer.citations[0]!.documentId}/versions`,
    recheck: `/v1/answers/${answer.id}/recheck`,
  });
  const ledgerSize = async () => (await h.deps.db.select().from(auditRecords)).length;

  it("serves the tenant's auditor", async () => {
    expect((await send("auditor", "GET", paths().versions)).status).toBe(200);
    const res = await send("auditor", "POST", paths().recheck);
    expect(res.status).toBe(200);
    expect((await json(res)).status).toBe("still_supported");
  });

  it("refuses a key without the audit scope (403) and a request without a key (401)", async () => {
    await expectProblem(await send("answerer", "GET", paths().versions), 403, "FORBIDDEN");
    await expectProblem(await send("answerer", "POST", paths().recheck), 403, "FORBIDDEN");
    await expectProblem(await h.get(paths().versions), 401, "UNAUTHENTICATED");
  });

  it("answers another tenant's document and answer as missing ones, recording nothing", async () => {
    const size = await ledgerSize();
    const cases = [
      [
        "GET",
        paths().versions,
        "/v1/documents/doc_missing/versions",
        answer.citations[0]!.documentId,
      ],
      ["POST", paths().recheck, "/v1/answers/ans_missing/recheck", answer.id],
    ] as const;
    for (const [method, theirs, missing, id] of cases) {
      const a = await send("stranger", method, theirs);
      const b = await send("stranger", method, missing);
      expect(a.status).toBe(404);
      expect(b.status).toBe(404);
      const shown = (body: Record<string, unknown>, shownId: string) =>
        JSON.parse(JSON.stringify({ ...body, requestId: "-" }).replaceAll(shownId, "ID"));
      const missingId = missing.split("/")[3]!;
      expect(shown(await json(a), id)).toEqual(shown(await json(b), missingId));
    }
    expect(await ledgerSize()).toBe(size);
  });
});
