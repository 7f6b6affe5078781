import type { AddressInfo } from "node:net";
import { serve } from "@hono/node-server";
import pino from "pino";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { ingestThroughServer, ServerRunError } from "../../ingest/remote.ts";
import { createApp } from "../../src/app.ts";
import { checkServingExposure, createAccessControl } from "../../src/auth/access.ts";
import { generateApiKey, type Scope } from "../../src/auth/keys.ts";
import { createApiKey, ensureBootstrapKey, revokeApiKey } from "../../src/auth/manage.ts";
import { ConfigError } from "../../src/config.ts";
import { listApiKeys } from "../../src/db/api-keys.ts";
import type { Database } from "../../src/db/client.ts";
import { storeKinds } from "../support/databases.ts";
import { createFakeEmbedder } from "../support/fake-embedder.ts";
import { json, startHarness, type Harness } from "../support/harness.ts";

/** Each protected route, as a client calls it, with the scope it needs. */
/** `template`: the OpenAPI path, when the path's parameter is not `{id}`. */
const ROUTES: {
  method: "GET" | "POST";
  path: string;
  body?: unknown;
  scope: Scope;
  template?: string;
}[] = [
  {
    method: "POST",
    path: "/v1/answers",
    body: { question: "What is the refund policy?" },
    scope: "answer",
  },
  { method: "GET", path: "/v1/answers/ans_missing", scope: "answer" },
  { method: "GET", path: "/v1/citations/cit_missing", scope: "answer" },
  { method: "GET", path: "/v1/sources", scope: "answer" },
  { method: "POST", path: "/v1/ingest-runs", body: {}, scope: "ingest" },
  { method: "GET", path: "/v1/ingest-runs/run_missing", scope: "ingest" },
  {
    method: "GET",
    path: "/v1/audit/proof/ans_missing",
    scope: "audit",
    template: "/v1/audit/proof/{answerId}",
  },
  { method: "GET", path: "/v1/audit/checkpoints", scope: "audit" },
  { method: "GET", path: "/v1/policy", scope: "audit" },
  { method: "GET", path: "/v1/reviews", scope: "audit" },
  { method: "GET", path: "/v1/documents/doc_missing/versions", scope: "audit" },
  { method: "POST", path: "/v1/answers/ans_missing/recheck", scope: "audit" },
  {
    method: "POST",
    path: "/v1/answers/ans_missing/reviews",
    body: { verdict: "correct" },
    scope: "audit",
  },
];
const PUBLIC = ["/healthz", "/readyz", "/openapi.json"];

/** `db`, counting the queries (selects) made through it: how often the store was asked. */
function countingSelects(db: Database): { db: Database; lookups: () => number } {
  let count = 0;
  const counted = new Proxy(db, {
    get: (target, name, receiver) => {
      if (name === "select") count++;
      return Reflect.get(target, name, receiver) as unknown;
    },
  });
  return { db: counted, lookups: () => count };
}

/** A request as a client sends it, with `key` as its bearer token when given. */
function call(h: Harness, route: { method: string; path: string; body?: unknown }, key?: string) {
  const headers: Record<string, string> = {};
  if (key !== undefined) headers.authorization = key.includes(" ") ? key : `Bearer ${key}`;
  if (route.body !== undefined) headers["content-type"] = "application/json";
  const body = route.body === undefined ? undefined : JSON.stringify(route.body);
  return Promise.resolve(h.app.request(route.path, { method: route.method, headers, body }));
}

/** A 401 or 403 as RFC 9457 and RFC 6750 have it; the problem document is returned. */
async function expectRefused(res: Response, status: 401 | 403) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/problem+json");
  expect(res.headers.get("www-authenticate")).toMatch(/^Bearer realm="verity"/);
  const body = await json(res);
  expect(body).toMatchObject({
    status,
    code: status === 401 ? "UNAUTHENTICATED" : "FORBIDDEN",
    title: expect.any(String),
    detail: expect.any(String),
    requestId: expect.any(String),
  });
  return body;
}

/** Passed authentication and scope: whatever the route then says, it is not a 401 or 403. */
async function expectLetIn(res: Response) {
  expect([200, 202, 400, 404], `${res.status} ${await res.clone().text()}`).toContain(res.status);
}

describe.each(storeKinds())("API keys over HTTP on %s", (kind) => {
  const embedder = createFakeEmbedder(64);
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(kind, { template: "empty", embedder });
  });
  afterAll(async () => h?.close());

  const keyWith = async (scopes: Scope[], tenant = "acme") =>
    (await createApiKey(h.deps, { tenant, scopes, by: "test" })).token;

  it("serves anyone on loopback while no key exists, and still checks a key that is sent", async () => {
    for (const route of ROUTES) await expectLetIn(await call(h, route));
    const answer = await json(await call(h, ROUTES[0]!));
    expect((await call(h, { method: "GET", path: `/v1/answers/${answer.id}` })).status).toBe(200);
    const body = await expectRefused(await call(h, ROUTES[3]!, generateApiKey().token), 401);
    expect(body.detail).toContain("not valid");
  });

  it("once a key exists, requires one: missing, wrong, revoked or short of scope", async () => {
    const answerKey = await keyWith(["answer"]);
    const ingestKey = await keyWith(["ingest"]);
    const auditKey = await keyWith(["audit"]);
    const revokedKey = await createApiKey(h.deps, { tenant: "acme", scopes: ["admin"], by: "t" });
    await revokeApiKey(h.deps, revokedKey.key.id, "test");
    const wrongSecret = answerKey.slice(0, -4) + (answerKey.endsWith("AAAA") ? "BBBB" : "AAAA");

    for (const route of ROUTES) {
      const missing = await expectRefused(await call(h, route), 401);
      expect(missing.detail).toContain("Authorization: Bearer");
      expect((await call(h, route)).headers.get("www-authenticate")).toBe('Bearer realm="verity"');
      await expectRefused(await call(h, route, wrongSecret), 401);
      await expectRefused(await call(h, route, generateApiKey().token), 401);
      await expectRefused(await call(h, route, `Basic ${btoa("user:pass")}`), 401);
      await expectRefused(await call(h, route, "Bearer not-a-key"), 401);
      const revoked = await expectRefused(await call(h, route, revokedKey.token), 401);
      expect(revoked.detail).toContain("revoked");
      const wrongScope = route.scope === "answer" ? ingestKey : answerKey;
      const forbidden = await expectRefused(await call(h, route, wrongScope), 403);
      expect(forbidden.detail).toContain(`"${route.scope}"`);
      const keys: Record<string, string> = {
        answer: answerKey,
        ingest: ingestKey,
        audit: auditKey,
      };
      const withScope = keys[route.scope];
      if (route.scope !== "audit") await expectRefused(await call(h, route, auditKey), 403);
      await expectLetIn(await call(h, route, withScope!));
    }
    const asked = await call(h, ROUTES[0]!, answerKey);
    expect(asked.status).toBe(200);
    expect((await json(asked)).status).toEqual(expect.any(String));
    expect((await call(h, ROUTES[3]!, answerKey)).status).toBe(200);
    // A scope check comes before validation: no field names leak to a key that may not ask.
    const invalid = await call(h, { method: "POST", path: "/v1/ingest-runs", body: {} }, answerKey);
    expect(invalid.status).toBe(403);
    expect(invalid.headers.get("www-authenticate")).toContain('error="insufficient_scope"');
  });

  it("lets an admin key in everywhere, and keeps the probes and the OpenAPI document public", async () => {
    const adminKey = await keyWith(["admin"], "default");
    for (const route of ROUTES) await expectLetIn(await call(h, route, adminKey));
    const ingest = await call(h, { method: "POST", path: "/v1/ingest-runs", body: {} }, adminKey);
    expect(ingest.status).toBe(400); // let in, then validated
    for (const path of PUBLIC) {
      expect((await call(h, { method: "GET", path })).status, path).toBe(200);
      expect((await call(h, { method: "GET", path }, "Bearer wrong")).status, path).toBe(200);
    }
  });

  it("puts the caller on the request for the routes", async () => {
    const key = await createApiKey(h.deps, { tenant: "acme", scopes: ["answer"], by: "test" });
    // A route of the test's own, on an app of its own (a router takes no route once it matched).
    const app = createApp({ ...h.deps, ingestion: h.ingestion });
    app.get("/v1/test-caller", (c) => c.json(c.get("caller")));
    const asked = (authorization?: string) =>
      app.request("/v1/test-caller", { headers: authorization ? { authorization } : {} });
    const res = await asked(`Bearer ${key.token}`);
    expect(await json(res)).toEqual({ keyId: key.key.id, tenant: "acme", scopes: ["answer"] });
    await expectRefused(await asked(), 401);
  });

  it("opens loopback again once every key is revoked (after the cache's few seconds)", async () => {
    const fresh = createAccessControl({ db: h.deps.db, host: "127.0.0.1", keysExistCacheMs: 0 });
    expect(await fresh.authenticate(undefined)).toEqual({ refused: "missing" });
    for (const key of await listApiKeys(h.deps.db))
      if (!key.revokedAt) await revokeApiKey(h.deps, key.id, "test");
    expect(await fresh.authenticate(undefined)).toMatchObject({ keyId: null, scopes: ["admin"] });
    // Beyond loopback nobody is let in without a key, keys or not.
    const exposed = createAccessControl({ db: h.deps.db, host: "0.0.0.0" });
    expect(await exposed.authenticate(undefined)).toEqual({ refused: "missing" });
  });

  it("asks the store once per key while only this process changes keys, and at once after a change", async () => {
    const { db, lookups } = countingSelects(h.deps.db);
    const access = createAccessControl({ db, host: "127.0.0.1", otherWriters: false });
    const key = await createApiKey(h.deps, { tenant: "acme", scopes: ["answer"], by: "test" });
    const bearer = `Bearer ${key.token}`;
    for (let i = 0; i < 3; i++) {
      expect(await access.authenticate(bearer)).toMatchObject({ keyId: key.key.id });
      expect(await access.authenticate(undefined)).toEqual({ refused: "missing" });
    }
    expect(lookups()).toBe(1); // the key's row; "missing" followed from having seen a key
    const unknown = `Bearer ${generateApiKey().token}`;
    expect(await access.authenticate(unknown)).toEqual({ refused: "invalid" });
    expect(await access.authenticate(unknown)).toEqual({ refused: "invalid" });
    expect(lookups()).toBe(2);

    await revokeApiKey(h.deps, key.key.id, "test");
    expect(await access.authenticate(bearer)).toEqual({ refused: "revoked" });
    expect(lookups()).toBe(3);
    // Whoever made a key before this test, every key gone opens loopback again, at once.
    for (const row of await listApiKeys(h.deps.db))
      if (!row.revokedAt) await revokeApiKey(h.deps, row.id, "test");
    expect(await access.authenticate(undefined)).toMatchObject({ keyId: null });
    const again = await createApiKey(h.deps, { tenant: "acme", scopes: ["answer"], by: "test" });
    expect(await access.authenticate(undefined)).toEqual({ refused: "missing" });
    expect(await access.authenticate(`Bearer ${again.token}`)).toMatchObject({
      keyId: again.key.id,
    });
  });

  it("asks the store on every request where other processes may change keys", async () => {
    const { db, lookups } = countingSelects(h.deps.db);
    const access = createAccessControl({ db, host: "127.0.0.1" });
    const key = await createApiKey(h.deps, { tenant: "acme", scopes: ["answer"], by: "test" });
    for (let i = 0; i < 3; i++)
      expect(await access.authenticate(`Bearer ${key.token}`)).toMatchObject({ keyId: key.key.id });
    expect(lookups()).toBe(3);
  });

  it("declares bearer security on every /v1 operation, with its scope, and none on the probes", async () => {
    const doc = await json(await call(h, { method: "GET", path: "/openapi.json" }));
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({
      type: "http",
      scheme: "bearer",
    });
    for (const route of ROUTES) {
      const template = route.template ?? route.path.replace(/\/(ans|cit|run|doc)_missing/, "/{id}");
      const operation = doc.paths[template][route.method.toLowerCase()];
      expect(operation.security, template).toEqual([{ bearerAuth: [route.scope] }]);
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(["401", "403"]));
    }
    const v1 = Object.entries(doc.paths).filter(([path]) => path.startsWith("/v1/"));
    for (const [path, operations] of v1)
      for (const [method, operation] of Object.entries(operations as object))
        expect((operation as { security?: unknown }).security, `${method} ${path}`).toBeDefined();
    expect(doc.paths["/healthz"].get.security).toBeUndefined();
  });
});

describe.each(storeKinds())("start-up settings on %s", (kind) => {
  const embedder = createFakeEmbedder(64);

  it("requires keys beyond loopback even with none in the store, and warns on loopback", async () => {
    const h = await startHarness(kind, { template: "empty", embedder, env: { HOST: "0.0.0.0" } });
    try {
      // What npm start checks before it listens (the refusal itself: auth.cli.test.ts).
      const refusal = await checkServingExposure(h.deps, h.deps.config).catch((e: unknown) => e);
      expect(refusal).toBeInstanceOf(ConfigError);
      expect((refusal as Error).message).toContain("HOST is 0.0.0.0");
      const warnings: string[] = [];
      const logger = pino({ level: "warn" }, { write: (line: string) => void warnings.push(line) });
      await checkServingExposure({ db: h.deps.db, logger }, { HOST: "127.0.0.1" });
      expect(warnings.join("")).toMatch(/"level":40.*No API key exists.*npm run keys -- create/);
      await expectRefused(await call(h, ROUTES[3]!), 401);
      expect((await call(h, { method: "GET", path: "/healthz" })).status).toBe(200);
    } finally {
      await h.close();
    }
  });

  it("makes VERITY_BOOTSTRAP_KEY an admin key of tenant default, once, whatever the restarts", async () => {
    const { token, id } = generateApiKey();
    const h = await startHarness(kind, {
      template: "empty",
      embedder,
      env: { VERITY_BOOTSTRAP_KEY: token },
    });
    try {
      await expectRefused(await call(h, ROUTES[3]!), 401);
      for (const route of ROUTES) await expectLetIn(await call(h, route, token));
      const [row, ...others] = await listApiKeys(h.deps.db);
      expect(others).toEqual([]);
      expect(row).toMatchObject({ id, tenant: "default", scopes: ["admin"], revokedAt: null });
      expect(row!.secretSha256).not.toContain(token.slice(20));
      // A restart with the same setting accepts the row as it is.
      expect(await ensureBootstrapKey(h.deps, token)).toEqual(row);
      expect(await listApiKeys(h.deps.db)).toEqual([row]);
      // The same id with another secret is a configuration error, not a second key.
      const impostor = token.slice(0, -4) + (token.endsWith("AAAA") ? "BBBB" : "AAAA");
      const error = await ensureBootstrapKey(h.deps, impostor).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as Error).message).toContain("VERITY_BOOTSTRAP_KEY");
      // Revoked, it stays revoked: the setting keeps keys required but no longer lets it in.
      await revokeApiKey(h.deps, id, "test");
      expect((await ensureBootstrapKey(h.deps, token)).revokedAt).not.toBeNull();
      await expectRefused(await call(h, ROUTES[3]!, token), 401);
      await expectRefused(await call(h, ROUTES[3]!), 401);
    } finally {
      await h.close();
    }
  });

  it("lets npm run ingest -- --server send VERITY_API_KEY", async () => {
    const { token } = generateApiKey();
    const h = await startHarness(kind, {
      template: "empty",
      embedder,
      env: { VERITY_BOOTSTRAP_KEY: token },
    });
    onTestFinished(() => h.close());
    const server = serve({ fetch: h.app.fetch, port: 0, hostname: "127.0.0.1" });
    onTestFinished(() => new Promise<void>((resolve) => server.close(() => resolve())));
    await new Promise((resolve) => server.once("listening", resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const removal = (apiKey?: string) =>
      ingestThroughServer(
        url,
        { removeSource: "no-such-source", by: "test" },
        { stdout: () => {}, progress: process.stderr },
        { apiKey },
      ).then(
        (code) => new Error(`exited ${code} instead of failing`),
        (e: unknown) => e as Error,
      );
    const anonymous = await removal();
    expect(anonymous).toBeInstanceOf(ServerRunError);
    expect(anonymous.message).toContain("401");
    expect(anonymous.message).toContain("VERITY_API_KEY");
    // With the key the run is let in, and refused for what it asks: an unknown source.
    const keyed = await removal(token);
    expect(keyed).toBeInstanceOf(ServerRunError);
    expect(keyed.message).toContain("no-such-source");
    expect(keyed.message).not.toContain("401");
  });
});
