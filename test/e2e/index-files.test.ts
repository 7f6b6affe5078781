import { expectPasswordAnswer, startServer } from "../support/server.ts";
import { cp, mkdtemp, readdir, readFile, rm, truncate } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SAMPLE_SOURCES } from "../support/harness.ts";
import { runTsx } from "../support/run-tsx.ts";

type IndexLog = { msg: string; chunks: number; rebuilt: boolean; rebuiltBecause?: string };

/**
 * The saved vector index is a cache of the store: a server that finds it truncated, garbled or
 * gone says so, rebuilds it from the store and answers as before; the next start reuses it.
 */
describe("damaged vector index files at server start", () => {
  let dir: string;
  let env: Record<string, string>;
  const indexFiles = () => readdir(join(dir, "data", "index"));

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "verity-index-files-"));
    await cp(SAMPLE_SOURCES, join(dir, "sources"), { recursive: true });
    env = {
      VERITY_DATA_DIR: join(dir, "data"),
      VERITY_MANIFEST: join(dir, "sources", "sources.json"),
      DATABASE_URL: "",
      PORT: "0",
    };
    const ingest = await runTsx(["ingest/cli.ts"], env, 240_000);
    expect(ingest.code, ingest.stderr).toBe(0);
  }, 300_000);
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("rebuilds a truncated graph, logs why, answers, and the next start reuses it", async () => {
    const graph = (await indexFiles()).find((f) => f.endsWith(".hnsw"))!;
    await truncate(join(dir, "data", "index", graph), 100);

    const first = await serve(env, async (url, log) => {
      expect(log).toMatchObject({
        rebuilt: true,
        rebuiltBecause: expect.stringMatching(/truncated/),
      });
      await expectAnswered(url, log.chunks);
    });
    expect(first.chunks).toBeGreaterThan(50);

    await serve(env, async (url, log) => {
      expect(log).toEqual({ msg: "vector index ready", chunks: first.chunks, rebuilt: false });
      await expectAnswered(url, first.chunks);
    });
  }, 120_000);

  it("rebuilds when the whole index is gone, and saves it whole again", async () => {
    // Unreadable manifests and garbled files are covered in test/integration/vector-index-store.
    await rm(join(dir, "data", "index"), { recursive: true });
    const last = await serve(env, async (url, log) => {
      expect(log).toMatchObject({
        rebuilt: true,
        rebuiltBecause: expect.stringMatching(/manifest/),
      });
      await expectAnswered(url, log.chunks);
    });
    // Rebuilt and saved whole: a manifest and exactly the graph and codes it names.
    const manifest = JSON.parse(
      await readFile(join(dir, "data", "index", "manifest.json"), "utf8"),
    );
    expect(manifest.count).toBe(last.chunks);
    expect((await indexFiles()).sort()).toEqual(
      ["manifest.json", manifest.graphFile, manifest.codesFile].sort(),
    );
  }, 120_000);
});

/** Start `npm run serve` on the store, hand its URL and index log line to `use`, stop it. */
async function serve(
  env: Record<string, string>,
  use: (url: string, log: IndexLog) => Promise<void>,
): Promise<IndexLog> {
  const server = await startServer(env);
  try {
    const { url } = server;
    const line = server
      .output()
      .split("\n")
      .find((l) => l.includes('"msg":"vector index ready"'))!;
    const { msg, chunks, rebuilt, rebuiltBecause } = JSON.parse(line) as IndexLog;
    const log: IndexLog = { msg, chunks, rebuilt, ...(rebuiltBecause ? { rebuiltBecause } : {}) };
    await use(url, log);
    return log;
  } finally {
    expect(await server.stop(), server.output()).toBe(0);
  }
}

async function expectAnswered(url: string, chunks: number) {
  const health = (await (await fetch(`${url}/healthz`)).json()) as { indexedChunks: number };
  expect(health.indexedChunks).toBe(chunks);
  await expectPasswordAnswer(url);
}
