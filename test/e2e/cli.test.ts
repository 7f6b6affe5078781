import { expectPasswordAnswer, startServer } from "../support/server.ts";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, inject, it, onTestFinished } from "vitest";
import { copyTemplateStore } from "../support/databases.ts";
import { runTsx } from "../support/run-tsx.ts";
import { SAMPLE_SOURCES } from "../support/templates.ts";

const run = (args: string[], env: Record<string, string>) => runTsx(args, env, 120_000);

/** A folder of this test's own: the sample sources, and the settings pointing the commands at it. */
async function workspace(): Promise<{ dir: string; env: Record<string, string> }> {
  const dir = await mkdtemp(join(tmpdir(), "verity-cli-"));
  onTestFinished(() => rm(dir, { recursive: true, force: true }));
  await cp(SAMPLE_SOURCES, join(dir, "sources"), { recursive: true });
  const env = {
    VERITY_DATA_DIR: join(dir, "data"),
    VERITY_MANIFEST: join(dir, "sources", "sources.json"),
    DATABASE_URL: "",
  };
  return { dir, env };
}

/** What a user does: `npm run ingest`, then `npm start`, on the embedded store, as processes. */
describe("command line", () => {
  it("ingests, then skips with --if-empty, and exits by itself each time", async () => {
    // The run's first `npm run ingest`, on a fresh data directory, is the one global-setup.ts
    // made to build the sample store: what it printed, and that it exited by itself.
    const first = inject("firstIngest");
    expect(first.stderr).not.toContain("Error");
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/10 files seen — 10 added/);
    const { dir, env } = await workspace();
    await copyTemplateStore("pglite", "sample", join(dir, "data", "pglite"));
    const again = await run(["ingest/cli.ts", "--if-empty"], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("skipping ingestion");
    const unchanged = await run(["ingest/cli.ts"], env);
    expect(unchanged.code).toBe(0);
    expect(unchanged.stdout).toMatch(/10 unchanged/);
    expect(unchanged.stdout).toMatch(/0 embedded/);
  }, 300_000);

  it("re-embeds the store when the encoder changed, then serves with the new one", async () => {
    const { dir, env } = await workspace();
    await copyTemplateStore("pglite", "sample", join(dir, "data", "pglite"));
    const switched = { ...env, VERITY_ENCODER: "static" };
    // Served as it is, the store has no vector of the new encoder: the server says so.
    const before = await startServer(switched);
    onTestFinished(() => void before.stop());
    expect(await before.stop(), before.output()).toBe(0);
    expect(before.output()).toContain("found by BM25 alone");

    const start = await run(["ingest/cli.ts", "--if-empty"], switched);
    expect(start.code, start.stderr).toBe(0);
    expect(start.stdout).toMatch(/embedded by use-lite@[\d.]+, not use-lite-static-v1@/);
    expect(start.stdout).toMatch(/10 unchanged/);
    expect(start.stdout).toMatch(/[1-9]\d* of unchanged files re-embedded/);
    const again = await run(["ingest/cli.ts", "--if-empty"], switched);
    expect(again.stdout).toContain("skipping ingestion");

    const server = await startServer(switched);
    onTestFinished(() => void server.stop());
    await expectPasswordAnswer(server.url);
    expect(await server.stop(), server.output()).toBe(0);
    expect(server.output()).not.toContain("found by BM25 alone");
  }, 300_000);

  it("serves answers, then shuts down cleanly on SIGTERM", async () => {
    const { dir, env } = await workspace();
    // An embedded store that already holds the ingested sample, where the server looks for it.
    await copyTemplateStore("pglite", "sample", join(dir, "data", "pglite"));
    const server = await startServer(env);
    onTestFinished(() => void server.stop());
    const { url } = server;
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    await expectPasswordAnswer(url);
    expect(await server.stop(), server.output()).toBe(0);
  }, 120_000);

  it("stops at start-up on a bad setting, naming the variable", async () => {
    const { env } = await workspace();
    const bad = await run(["src/main.ts"], { ...env, PORT: "not-a-port" });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("PORT");
  });
});
