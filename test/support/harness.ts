import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { createDeps, type Deps } from "../../src/deps.ts";
import type { Embedder } from "../../src/retrieval/embedder.ts";
import { loadManifest } from "../../ingest/manifest.ts";
import { ingestManifest } from "../../ingest/pipeline.ts";
import { createIngestion } from "../../ingest/service.ts";
import type { Ingestion } from "../../src/ingestion/runs.ts";
import { createTestDatabase, type TestDatabase } from "./databases.ts";

export const SAMPLE_SOURCES = new URL("../../sources/", import.meta.url).pathname;

export type Harness = {
  dir: string;
  manifestPath: string;
  database: TestDatabase;
  deps: Deps;
  /** Ingestion inside the app, as `npm start` wires it (POST /v1/ingest-runs). */
  ingestion: Ingestion;
  app: ReturnType<typeof createApp>;
  ingest(): ReturnType<typeof ingestManifest>;
  post(path: string, body: unknown): Promise<Response>;
  get(path: string): Promise<Response>;
  close(): Promise<void>;
};

/**
 * A real Verity on a real store: the sample corpus copied to a temp folder (so tests can edit
 * it), ingested, and the app built by the same createDeps as `npm start`. No server, no mocks.
 */
export async function startHarness(
  kind: "pglite" | "postgres",
  options: { embedder?: Embedder; policy?: string } = {},
): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), "verity-test-"));
  await cp(SAMPLE_SOURCES, join(dir, "sources"), { recursive: true });
  const manifestPath = join(dir, "sources", "sources.json");
  const database = await createTestDatabase(kind);
  const config = loadConfig({
    VERITY_DATA_DIR: join(dir, "data"),
    VERITY_MANIFEST: manifestPath,
    VERITY_POLICY: options.policy,
    LOG_LEVEL: "silent",
  });
  const deps = await createDeps(config, { database: database.handle, embedder: options.embedder });
  const ingestion = createIngestion(deps);
  const app = createApp({ ...deps, ingestion });
  const ingest = async () => {
    const summary = await ingestManifest({
      db: database.handle.db,
      embedder: deps.embedder,
      manifest: await loadManifest(manifestPath),
      ingestedBy: "test-suite",
    });
    await deps.index.refresh();
    return summary;
  };
  return {
    dir,
    manifestPath,
    database,
    deps,
    ingestion,
    app,
    ingest,
    post: (path, body) =>
      Promise.resolve(
        app.request(path, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: typeof body === "string" ? body : JSON.stringify(body),
        }),
      ),
    get: (path) => Promise.resolve(app.request(path)),
    async close() {
      await ingestion.close();
      await deps.close();
      await database.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A response body as the loosely typed JSON a client sees. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const json = (res: Response): Promise<any> => res.json();
