import { Hono } from "hono";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiKey } from "../../src/auth/manage.ts";
import { AppError } from "../../src/errors.ts";
import { rateLimit } from "../../src/http/middleware/rate-limit.ts";
import type { AppEnv } from "../../src/http/types.ts";
import { storeKinds } from "../support/databases.ts";
import { createFakeEmbedder } from "../support/fake-embedder.ts";
import { startHarness, type Harness } from "../support/harness.ts";
import { expectProblem } from "../support/problem.ts";

describe.each(storeKinds())("per-key rate limit over HTTP on %s", (kind) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind, {
      template: "empty",
      embedder: createFakeEmbedder(64),
      env: { VERITY_RATE_LIMIT_PER_MINUTE: "3" },
    });
  });
  afterAll(async () => h?.close());

  const get = (path: string, token?: string) =>
    Promise.resolve(
      h.app.request(path, { headers: token ? { authorization: `Bearer ${token}` } : {} }),
    );

  it("answers 429 with Retry-After once a key spends its budget, and only that key", async () => {
    const first = (await createApiKey(h.deps, { tenant: "default", scopes: ["answer"], by: "t" }))
      .token;
    const second = (await createApiKey(h.deps, { tenant: "default", scopes: ["answer"], by: "t" }))
      .token;
    for (let i = 0; i < 3; i++) expect((await get("/v1/sources", first)).status).toBe(200);
    const limited = await get("/v1/sources", first);
    const body = await expectProblem(limited, 429, "RATE_LIMITED");
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(body.detail).toContain("3 requests a minute");
    // Another key has its own budget; the public probes have none.
    expect((await get("/v1/sources", second)).status).toBe(200);
    for (let i = 0; i < 5; i++) expect((await get("/healthz")).status).toBe(200);
  });
});

describe("rateLimit", () => {
  it("refills at the stated rate", async () => {
    let now = 0;
    const app = new Hono<AppEnv>();
    app.onError((e, c) => c.json({ code: (e as AppError).code }, (e as AppError).status as 429));
    app.use(async (c, next) => {
      c.set("caller", { keyId: c.req.header("x-key") ?? null, tenant: "default", scopes: [] });
      await next();
    });
    app.use(rateLimit({ perMinute: 60, now: () => now }));
    app.get("/", (c) => c.text("ok"));
    const hit = async (key = "k") => (await app.request("/", { headers: { "x-key": key } })).status;
    for (let i = 0; i < 60; i++) expect(await hit()).toBe(200);
    expect(await hit()).toBe(429);
    now += 1_000; // one request a second comes back
    expect(await hit()).toBe(200);
    expect(await hit()).toBe(429);
    // The anonymous loopback caller is not limited.
    for (let i = 0; i < 100; i++) {
      const res = await app.request("/");
      expect(res.status).toBe(200);
    }
  });
});
