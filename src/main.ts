import { serve } from "@hono/node-server";
// The one src/ file that reaches into ingest/: it plugs the pipeline into the server's port.
import { createIngestion } from "../ingest/service.ts";
import { warmUpAnswering } from "./answer/warm-up.ts";
import { createApp } from "./app.ts";
import { checkServingExposure } from "./auth/access.ts";
import { ConfigError, DEFAULT_BODY_TIMEOUT_MS, loadConfig } from "./config.ts";
import { StoreLockedError } from "./db/store-lock.ts";
import { createDeps } from "./deps.ts";
import { nodeServerTimeouts } from "./http/middleware/timeouts.ts";

/**
 * Composition root: loadConfig -> createDeps -> createIngestion -> createApp -> serve, and a
 * clean shutdown (a run in progress stops between documents and is recorded aborted).
 */
async function main(): Promise<void> {
  const config = loadConfig();
  const deps = await createDeps(config);
  await checkServingExposure(deps, config).catch(async (error: unknown) => {
    await deps.close();
    throw error;
  });
  warmUpAnswering();
  const ingestion = createIngestion(deps);
  const app = createApp({ ...deps, ingestion });
  const serverOptions = nodeServerTimeouts({
    bodyMs: config.VERITY_BODY_TIMEOUT_MS ?? DEFAULT_BODY_TIMEOUT_MS,
  });
  const server = serve(
    { fetch: app.fetch, port: config.PORT, hostname: config.HOST, serverOptions },
    (info) => {
      const url = `http://${config.HOST}:${info.port}`;
      deps.describeOwner({ url });
      deps.logger.info({ url, database: deps.store }, "Verity is listening");
    },
  );
  // A checkpoint whenever the ledger has grown, so its signed head is never far behind.
  const signing = setInterval(() => {
    void deps.ledger
      .checkpointCovering(Number.MAX_SAFE_INTEGER)
      .catch((error: unknown) => deps.logger.warn({ err: error }, "ledger checkpoint failed"));
  }, config.VERITY_CHECKPOINT_INTERVAL_S * 1000);
  signing.unref();
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    deps.logger.info({ signal }, "shutting down");
    server.close();
    clearInterval(signing);
    await ingestion.close();
    // The last answers get a signed head before the process goes.
    await deps.ledger
      .checkpointCovering(Number.MAX_SAFE_INTEGER)
      .catch((error: unknown) => deps.logger.warn({ err: error }, "ledger checkpoint failed"));
    // Closing PGlite flushes its writes; skipping it would also keep the process alive.
    await deps.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
  process.on("uncaughtException", (error) => {
    deps.logger.fatal({ err: error }, "uncaught exception");
    // Still close the store on the way out: PGlite must flush, and must not hold the process.
    void deps.close().finally(() => process.exit(1));
  });
}

main().catch((error: unknown) => {
  const known = error instanceof ConfigError || error instanceof StoreLockedError;
  console.error(known ? (error as Error).message : error);
  process.exit(1);
});
