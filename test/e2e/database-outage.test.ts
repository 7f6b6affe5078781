import { afterAll, beforeAll, expect, it } from "vitest";
import { createIngestion } from "../../ingest/service.ts";
import { createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { createDeps, type Deps } from "../../src/deps.ts";
import { createPostgresDatabase } from "../support/databases.ts";
import { startTcpProxy } from "../support/tcp-proxy.ts";
import { json } from "../support/harness.ts";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

let database: Awaited<ReturnType<typeof createPostgresDatabase>>;
let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
let deps: Deps;
let dir: string;

beforeAll(async () => {
  database = await createPostgresDatabase();
  const real = new URL(database.url);
  proxy = await startTcpProxy({ host: real.hostname, port: Number(real.port || 5432) });
  const viaProxy = new URL(database.url);
  viaProxy.port = String(proxy.port);
  dir = await mkdtemp(join(tmpdir(), "verity-outage-"));
  deps = await createDeps(
    loadConfig({ DATABASE_URL: viaProxy.toString(), VERITY_DATA_DIR: dir, LOG_LEVEL: "silent" }),
  );
});
afterAll(async () => {
  await deps?.close();
  await proxy?.close();
  await database?.drop();
  await rm(dir, { recursive: true, force: true });
});

it("answers 503 with Retry-After while the database is down, and recovers by itself", async () => {
  const app = createApp({ ...deps, ingestion: createIngestion(deps) });
  const ask = () =>
    app.request("/v1/answers", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ question: "How long do password reset links stay valid?" }),
    });

  expect((await ask()).status).toBe(200);

  await proxy.cut();
  const down = await ask();
  expect(down.status).toBe(503);
  expect(down.headers.get("content-type")).toContain("application/problem+json");
  expect(Number(down.headers.get("retry-after"))).toBeGreaterThan(0);
  expect((await json(down)).code).toBe("DATABASE_UNAVAILABLE");
  expect((await app.request("/readyz")).status).toBe(503);

  await proxy.restore();
  // postgres.js reconnects lazily on the next query: no restart, no manual step.
  const back = await ask();
  expect(back.status).toBe(200);
  expect((await app.request("/readyz")).status).toBe(200);
});
