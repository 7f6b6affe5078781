import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DATABASE_RETRY_AFTER_SECONDS } from "../../src/errors.ts";
import { ADMIN_URL } from "../support/postgres.ts";
import { createFakeEmbedder } from "../support/fake-embedder.ts";
import { json, startHarness, type Harness } from "../support/harness.ts";

/**
 * An operator renames or drops the database under a running server (a restore, a mistaken
 * script). Requests in flight and after get 503 problem+json with Retry-After, never a 500;
 * /readyz says 503; once the database is back under its name, the same app answers again.
 */
// PostgreSQL only (`*.postgres.test.ts`): see vitest.config.ts for the developer opt-out.
describe("database renamed or dropped under a running server (postgres)", () => {
  let harness: Harness;
  let admin: postgres.Sql;
  let name: string;
  const template = () => `${name}_tpl`;
  let answerId: string;

  beforeAll(async () => {
    // The model is not what this is about: the hashing double keeps the suite quick.
    harness = await startHarness("postgres", {
      embedder: createFakeEmbedder(64),
      template: "empty",
    });
    await harness.ingest();
    name = new URL(harness.deps.config.DATABASE_URL!).pathname.slice(1);
    admin = postgres(ADMIN_URL, { max: 1, onnotice: () => {} });
    const first = await json(await ask(harness));
    answerId = first.id;
    // The copy the drop scenario restores from, as an operator would keep a backup.
    await withoutConnections(admin, name, (sql) =>
      sql.unsafe(`create database ${template()} template ${name}`),
    );
  });
  afterAll(async () => {
    await harness?.close();
    await admin?.unsafe(`drop database if exists ${template()} with (force)`);
    await admin?.end();
  });

  it("renamed: 503 with Retry-After while it is away, 200 again once renamed back", async () => {
    const load = startLoad(harness, answerId);
    await load.settled(20);
    await withoutConnections(admin, name, (sql) =>
      sql.unsafe(`alter database ${name} rename to ${name}_away`),
    );
    const marker = load.mark();
    await load.settled(20);
    await expectUnavailable(harness);
    await admin.unsafe(`alter database ${name}_away rename to ${name}`);
    const back = load.mark();
    const results = await load.stop(20);

    expectOnlyOkOrUnavailable(results);
    expect(results.slice(marker, back).some((r) => r.status === 503)).toBe(true);
    await expectAnswering(harness, answerId);
  });

  it("dropped: 503 with Retry-After while it is gone, 200 again once recreated", async () => {
    const load = startLoad(harness, answerId);
    await load.settled(20);
    await admin.unsafe(`drop database ${name} with (force)`);
    const marker = load.mark();
    await load.settled(20);
    await expectUnavailable(harness);
    await admin.unsafe(`create database ${name} template ${template()}`);
    const back = load.mark();
    const results = await load.stop(20);

    expectOnlyOkOrUnavailable(results);
    expect(results.slice(marker, back).some((r) => r.status === 503)).toBe(true);
    await expectAnswering(harness, answerId);
  });
});

const QUESTIONS = [
  "How long do password reset links stay valid?",
  "What is the refund window for annual plans?",
  "How often are backups taken?",
];

function ask(harness: Harness, question = QUESTIONS[0]!) {
  return harness.post("/v1/answers", { question });
}

type Result = {
  path: string;
  status: number;
  ms: number;
  contentType: string;
  retryAfter: string | null;
  code?: string;
};

/**
 * Clients asking without pause (three at a time, over every read and write path), so some
 * requests are in flight when the database goes away. `mark()` is the index of the next result.
 */
function startLoad(harness: Harness, answerId: string) {
  const results: Result[] = [];
  let stopping = false;
  const requests: [string, () => Promise<Response>][] = [
    ...QUESTIONS.map((q): [string, () => Promise<Response>] => [
      "POST /v1/answers",
      () => ask(harness, q),
    ]),
    [`GET /v1/answers/:id`, () => harness.get(`/v1/answers/${answerId}`)],
    ["GET /v1/sources", () => harness.get("/v1/sources")],
  ];
  const client = async (offset: number) => {
    for (let i = offset; !stopping; i++) {
      const [path, send] = requests[i % requests.length]!;
      const started = performance.now();
      const res = await send();
      const body = await res.text();
      results.push({
        path,
        status: res.status,
        ms: performance.now() - started,
        contentType: res.headers.get("content-type") ?? "",
        retryAfter: res.headers.get("retry-after"),
        code: res.status >= 400 ? (JSON.parse(body) as { code?: string }).code : undefined,
      });
      // A macrotask between requests: a reply that needs no I/O must not starve the timers.
      await new Promise((r) => setImmediate(r));
    }
  };
  const clients = [0, 1, 2].map(client);
  /** Resolves once `n` more requests have completed. */
  const settled = async (n: number) => {
    const target = results.length + n;
    const deadline = Date.now() + 30_000;
    while (results.length < target) {
      if (Date.now() > deadline)
        throw new Error(`requests stopped completing: ${JSON.stringify(results.slice(-5))}`);
      await new Promise((r) => setTimeout(r, 10));
    }
  };
  return {
    mark: () => results.length,
    settled,
    async stop(more: number) {
      await settled(more);
      stopping = true;
      await Promise.all(clients);
      return results;
    },
  };
}

function expectOnlyOkOrUnavailable(results: Result[]) {
  const bad = results.filter((r) => r.status !== 200 && r.status !== 503);
  expect(bad).toEqual([]);
  for (const r of results.filter((r) => r.status === 503)) {
    expect(r.contentType).toContain("application/problem+json");
    expect(Number(r.retryAfter)).toBeGreaterThan(0);
    expect(r.code).toBe("DATABASE_UNAVAILABLE");
    // A 503 that arrives later than the retry it advises is no use to a client.
    expect(r.ms).toBeLessThan(DATABASE_RETRY_AFTER_SECONDS * 1000);
  }
}

async function expectUnavailable(harness: Harness) {
  for (const path of ["/readyz", "/healthz", "/v1/sources"]) {
    const started = performance.now();
    const res = await harness.get(path);
    expect(res.status, path).toBe(503);
    expect(performance.now() - started).toBeLessThan(DATABASE_RETRY_AFTER_SECONDS * 1000);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
  }
  const asked = await ask(harness);
  expect(asked.status).toBe(503);
  expect((await json(asked)).code).toBe("DATABASE_UNAVAILABLE");
}

/** No restart, no manual step: the next requests reconnect and answer. */
async function expectAnswering(harness: Harness, answerId: string) {
  expect((await harness.get("/readyz")).status).toBe(200);
  const answer = await ask(harness);
  expect(answer.status).toBe(200);
  expect((await json(answer)).status).toBe("answered");
  expect((await harness.get(`/v1/answers/${answerId}`)).status).toBe(200);
}

/**
 * Run DDL that needs the database to itself: end its sessions and retry while the app's pool
 * reconnects in between (PostgreSQL refuses with 55006 "being accessed by other users").
 */
async function withoutConnections(
  admin: postgres.Sql,
  name: string,
  ddl: (sql: postgres.Sql) => Promise<unknown>,
) {
  for (let attempt = 1; ; attempt++) {
    await admin`select pg_terminate_backend(pid) from pg_stat_activity
                where datname = ${name} and pid <> pg_backend_pid()`;
    try {
      return await ddl(admin);
    } catch (error) {
      if ((error as { code?: string }).code !== "55006" || attempt >= 50) throw error;
    }
  }
}
