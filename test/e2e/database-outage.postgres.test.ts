import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { createIngestion } from "../../ingest/service.ts";
import { createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { createDeps, type Deps } from "../../src/deps.ts";
import { copyTemplateStore } from "../support/databases.ts";
import { json } from "../support/harness.ts";
import { startTcpProxy } from "../support/tcp-proxy.ts";

/**
 * PostgreSQL only (PGlite runs in-process and cannot be cut off): a `*.postgres.test.ts` file,
 * left out of the run only when a developer opts out with VERITY_TEST_POSTGRES=off (never in CI).
 */
describe("a PostgreSQL outage", () => {
  let store: Awaited<ReturnType<typeof copyTemplateStore>>;
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  let deps: Deps;
  let dir: string;

  beforeAll(async () => {
    store = await copyTemplateStore("postgres", "sample");
    const real = new URL(store.url!);
    proxy = await startTcpProxy({ host: real.hostname, port: Number(real.port || 5432) });
    const viaProxy = new URL(store.url!);
    viaProxy.port = String(proxy.port);
    dir = await mkdtemp(join(tmpdir(), "verity-outage-"));
    deps = await createDeps(
      loadConfig({ DATABASE_URL: viaProxy.toString(), VERITY_DATA_DIR: dir, LOG_LEVEL: "silent" }),
    );
  });
  afterAll(async () => {
    await deps?.close();
    await proxy?.close();
    await store?.drop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("answers 503 with Retry-After while the database is down, and recovers by itself", async () => {
    const ingestion = createIngestion(deps);
    onTestFinished(() => ingestion.close());
    const app = createApp({ ...deps, ingestion });
    const ask = async () => {
      const res = await app.request("/v1/answers", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ question: "How long do password reset links stay valid?" }),
      });
      return { res, body: await json(res) };
    };

    const up = await ask();
    expect(up.res.status).toBe(200);
    expect(up.body.status).toBe("answered");

    await proxy.cut();
    const down = await ask();
    expect(down.res.status).toBe(503);
    expect(down.res.headers.get("content-type")).toContain("application/problem+json");
    expect(Number(down.res.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(down.body.code).toBe("DATABASE_UNAVAILABLE");
    expect((await app.request("/readyz")).status).toBe(503);

    await proxy.restore();
    // postgres.js reconnects lazily on the next query: no restart, no manual step.
    const back = await ask();
    expect(back.res.status).toBe(200);
    expect(back.body.status).toBe("answered");
    expect((await app.request("/readyz")).status).toBe(200);
  });
});
