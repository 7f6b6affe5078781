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
import { copyTemplateStore, type StoreKind } from "./databases.ts";
import { SAMPLE_INGESTED_BY, SAMPLE_SOURCES, type StoreTemplate } from "./templates.ts";

export { SAMPLE_SOURCES } from "./templates.ts";

export type Harness = {
  dir: string;
  manifestPath: string;
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
 * A real Verity on a store of its own that already holds the ingested sample corpus (copied from
 * the run's template), with the corpus's files copied to a temp folder so a test can edit and
 * re-ingest them, and the app built by the same createDeps as `npm start`. No server, no mocks.
 * Pass the file's shared real encoder as `embedder`; without one, createDeps loads its own.
 */
export async function startHarness(
  kind: StoreKind,
  /** `template` "empty" for tests that ingest themselves (a run's own counts, another encoder). */
  options: {
    embedder?: Embedder;
    policy?: string;
    template?: StoreTemplate;
    /** More settings, as environment variables (`HOST`, `VERITY_BOOTSTRAP_KEY`, ...). */
    env?: Record<string, string>;
  } = {},
): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), "verity-test-"));
  const dataDir = join(dir, "data");
  let store: Awaited<ReturnType<typeof copyTemplateStore>> | undefined;
  let deps: Deps;
  try {
    await cp(SAMPLE_SOURCES, join(dir, "sources"), { recursive: true });
    // Where createDeps opens PGlite for VERITY_DATA_DIR (openConfiguredDatabase).
    store = await copyTemplateStore(kind, options.template ?? "sample", join(dataDir, "pglite"));
    const config = loadConfig({
      DATABASE_URL: store.url,
      VERITY_DATA_DIR: dataDir,
      VERITY_MANIFEST: join(dir, "sources", "sources.json"),
      VERITY_POLICY: options.policy,
      LOG_LEVEL: "silent",
      ...options.env,
    });
    deps = await createDeps(config, { embedder: options.embedder });
  } catch (error) {
    await store?.drop();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  const ingestion = createIngestion(deps);
  const app = createApp({ ...deps, ingestion });
  const manifestPath = deps.config.VERITY_MANIFEST;
  const ingest = async () => {
    const summary = await ingestManifest({
      db: deps.db,
      embedder: deps.embedder,
      manifest: await loadManifest(manifestPath),
      ingestedBy: SAMPLE_INGESTED_BY,
    });
    await deps.index.refresh();
    return summary;
  };
  return {
    dir,
    manifestPath,
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
      await store!.drop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** A response body as the loosely typed JSON a client sees. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const json = (res: Response): Promise<any> => res.json();
