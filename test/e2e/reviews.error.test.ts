import { count, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Scope } from "../../src/auth/keys.ts";
import { createApiKey } from "../../src/auth/manage.ts";
import { auditRecords, reviews } from "../../src/db/schema/index.ts";
import { MAX_NOTE_LENGTH } from "../../src/review/schema.ts";
import { storeKinds } from "../support/databases.ts";
import { createFakeEmbedder } from "../support/fake-embedder.ts";
import { json, startHarness, type Harness } from "../support/harness.ts";
import { expectProblem } from "../support/problem.ts";

describe.each(storeKinds())("reviews refused over HTTP on %s", (kind) => {
  let h: Harness;
  const key = {} as Record<"auditor" | "otherTenant" | "answerOnly", string>;
  let answerId: string;

  const send = (
    method: "GET" | "POST",
    path: string,
    token: string | undefined,
    body?: unknown,
  ) => {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    const text = body === undefined || typeof body === "string" ? body : JSON.stringify(body);
    return Promise.resolve(h.app.request(path, { method, headers, body: text }));
  };
  const review = (body: unknown, token = key.auditor, id = answerId) =>
    send("POST", `/v1/answers/${id}/reviews`, token, body);

  async function written() {
    const [r] = await h.deps.db.select({ n: count() }).from(reviews);
    const [l] = await h.deps.db
      .select({ n: count() })
      .from(auditRecords)
      .where(eq(auditRecords.kind, "review"));
    return { reviews: Number(r!.n), ledger: Number(l!.n) };
  }

  beforeAll(async () => {
    // An empty store: every question is refused, and each refusal is an answer one may review.
    h = await startHarness(kind, { template: "empty", embedder: createFakeEmbedder(64) });
    const make = async (tenant: string, scopes: Scope[]) =>
      (await createApiKey(h.deps, { tenant, scopes, by: "test" })).token;
    key.auditor = await make("default", ["answer", "audit"]);
    key.otherTenant = await make("other", ["audit"]);
    key.answerOnly = await make("default", ["answer"]);
    const res = await send("POST", "/v1/answers", key.auditor, { question: "What is a plan?" });
    answerId = (await json(res)).id;
  });
  afterAll(async () => h?.close());

  it("refuses a bad verdict, unknown fields and oversized or unsafe notes as problem documents", async () => {
    const cases: [unknown, string][] = [
      [{ verdict: "wrong" }, "verdict"],
      [{}, "verdict"],
      [{ verdict: "correct", reviewer: "me" }, "(body)"],
      [{ verdict: "correct", note: "x".repeat(MAX_NOTE_LENGTH + 1) }, "note"],
      [{ verdict: "correct", note: "  " }, "note"],
      [{ verdict: "correct", note: "nul \u0000 inside" }, "note"],
      [{ verdict: "correct", note: 7 }, "note"],
      [{ verdict: "correct", note: null }, "note"],
      [[{ verdict: "correct" }], "(body)"],
    ];
    for (const [body, field] of cases) {
      const problem = await expectProblem(await review(body), 400, "VALIDATION_FAILED");
      expect(problem.invalidFields.map((f: { path: string }) => f.path)).toContain(field);
    }
    await expectProblem(await review("{not json"), 400, "MALFORMED_JSON");
    expect(await written()).toEqual({ reviews: 0, ledger: 0 });
  });

  it("answers 404 for another tenant's answer exactly as for a missing one", async () => {
    const theirs = await review({ verdict: "correct" }, key.otherTenant);
    const missing = await review({ verdict: "correct" }, key.otherTenant, "ans_missing");
    const strip = async (res: Response, id: string) => {
      const body = await expectProblem(res, 404, "NOT_FOUND");
      return JSON.parse(JSON.stringify({ ...body, requestId: "-" }).replaceAll(id, "ID"));
    };
    expect(await strip(theirs, answerId)).toEqual(await strip(missing, "ans_missing"));
    expect(await written()).toEqual({ reviews: 0, ledger: 0 });
  });

  it("needs the audit scope, checked before the body", async () => {
    for (const call of [
      () => review({ verdict: "correct" }, key.answerOnly),
      () => review({ verdict: "nonsense" }, key.answerOnly),
      () => send("GET", "/v1/reviews?status=all", key.answerOnly),
    ]) {
      const problem = await expectProblem(await call(), 403, "FORBIDDEN");
      expect(problem.detail).toContain('"audit"');
    }
    await expectProblem(await review({ verdict: "correct" }, ""), 401, "UNAUTHENTICATED");
    await expectProblem(await send("GET", "/v1/reviews", undefined), 401, "UNAUTHENTICATED");
    const doc = await json(await h.get("/openapi.json"));
    expect(doc.paths["/v1/answers/{id}/reviews"].post.security).toEqual([
      { bearerAuth: ["audit"] },
    ]);
    expect(doc.paths["/v1/reviews"].get.security).toEqual([{ bearerAuth: ["audit"] }]);
    expect(await written()).toEqual({ reviews: 0, ledger: 0 });
  });

  it("lists only the caller's tenant's reviews, and refuses a bad status, limit or cursor", async () => {
    const res = await review({ verdict: "unsupported", note: "Nothing to cite." });
    const made = await json(res);
    expect(res.status, JSON.stringify(made)).toBe(201);
    expect(made.keyId).toMatch(/^key_/);
    expect(await written()).toEqual({ reviews: 1, ledger: 1 });

    const own = await json(await send("GET", "/v1/reviews?status=reviewed", key.auditor));
    expect(own.items.map((i: { answerId: string }) => i.answerId)).toEqual([answerId]);
    const other = await json(await send("GET", "/v1/reviews?status=all", key.otherTenant));
    expect(other).toEqual({ items: [], nextCursor: null });

    for (const [query, field] of [
      ["status=closed", "status"],
      ["limit=0", "limit"],
      ["limit=201", "limit"],
      ["limit=ten", "limit"],
      ["cursor=bm90LWEtY3Vyc29y", "cursor"],
      [`cursor=${Buffer.from('["yesterday","ans_x"]').toString("base64url")}`, "cursor"],
      // A real JavaScript date PostgreSQL cannot hold: refused, not a 500.
      [
        `cursor=${Buffer.from('["+275760-09-13T00:00:00.000Z","a"]').toString("base64url")}`,
        "cursor",
      ],
    ]) {
      const problem = await expectProblem(
        await send("GET", `/v1/reviews?${query}`, key.auditor),
        400,
        "VALIDATION_FAILED",
      );
      expect(problem.invalidFields.map((f: { path: string }) => f.path)).toContain(field);
    }
  });
});
