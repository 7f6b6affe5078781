import { join } from "node:path";
import type { Logger } from "pino";
import type { Config } from "./config.ts";
import { openDatabase, type DatabaseHandle } from "./db/client.ts";
import { loadPolicy, type Policy } from "./answer/policy.ts";
import type { VerifierModel } from "./answer/verifier.ts";
import { createUseLiteEmbedder, type Embedder } from "./retrieval/embedder.ts";
import { createIndexHolder, type IndexHolder } from "./retrieval/index-holder.ts";
import { createLogger } from "./logger.ts";

export type Deps = {
  config: Config;
  logger: Logger;
  database: DatabaseHandle;
  embedder: Embedder;
  index: IndexHolder;
  policy: Policy;
  verifier: VerifierModel | null;
  close(): Promise<void>;
};

/** Build everything once. Whatever was opened is closed again if a later step fails. */
export async function createDeps(
  config: Config,
  overrides: { embedder?: Embedder; logger?: Logger; database?: DatabaseHandle } = {},
): Promise<Deps> {
  const logger = overrides.logger ?? createLogger(config.LOG_LEVEL);
  const { policy, verifier } = loadPolicy(config.VERITY_POLICY, {
    threshold: config.VERITY_THRESHOLD,
    targetPrecision: config.VERITY_TARGET_PRECISION,
  });
  const database =
    overrides.database ??
    (await openDatabase(
      config.DATABASE_URL
        ? { url: config.DATABASE_URL }
        : { dataDir: join(config.VERITY_DATA_DIR, "pglite") },
    ));
  let embedder: Embedder | undefined;
  try {
    await database.migrate();
    embedder = overrides.embedder ?? (await createUseLiteEmbedder());
    const index = await createIndexHolder({
      db: database.db,
      dataDir: config.VERITY_DATA_DIR,
      embedder,
      logger,
    });
    const opened = embedder;
    return {
      config,
      logger,
      database,
      embedder: opened,
      index,
      policy,
      verifier,
      // Close only what was opened here: an override belongs to whoever passed it in.
      async close() {
        if (!overrides.embedder) await opened.close();
        if (!overrides.database) await database.close();
      },
    };
  } catch (error) {
    if (!overrides.embedder) await embedder?.close();
    if (!overrides.database) await database.close();
    throw error;
  }
}
