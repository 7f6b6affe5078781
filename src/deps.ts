import { existsSync } from "node:fs";
import { join } from "node:path";
import type { Logger } from "pino";
import type { AnswerDeps } from "./answer/compose.ts";
import { hashPolicy, loadPolicy } from "./answer/policy.ts";
import { createAccessControl, type AccessControl } from "./auth/access.ts";
import { ensureBootstrapKey } from "./auth/manage.ts";
import { ConfigError, DEFAULT_VERIFIER_THRESHOLD, ledgerKeyPath, type Config } from "./config.ts";
import { openDatabase, type DatabaseHandle } from "./db/client.ts";
import { abortSilentRuns } from "./db/ingest-runs.ts";
import { createLedger, openLedgerSigningKey, type Ledger } from "./ledger/ledger.ts";
import { recordPolicyInForce } from "./ledger/policy-record.ts";
import { createLogger } from "./logger.ts";
import { createMetrics } from "./metrics/metrics.ts";
import type { Embedder } from "./retrieval/embedder.ts";
import { createIndexHolder } from "./retrieval/index-holder.ts";
import { createEncoder } from "./retrieval/encoders.ts";
import { loadCrossEncoder, type CrossEncoder } from "./scoring/cross-encoder.ts";

/**
 * Everything the verbs take, built once. Each verb declares the part it reads (RetrievalDeps,
 * AnswerDeps, ...) and this object is all of them, so every entry point (server, ingest CLI, lab
 * tools, tests) passes it as it is.
 */
export type Deps = AnswerDeps & {
  config: Config;
  logger: Logger;
  /** Who a request is (API keys, or anonymous on loopback while none exists). */
  access: AccessControl;
  /** The answer ledger: its Merkle tree and signed checkpoints. */
  ledger: Ledger;
  /** Which store `db` is, for start-up messages. */
  store: DatabaseHandle["kind"];
  /** Tell a process that finds the embedded store taken where this one serves. */
  describeOwner: DatabaseHandle["describeOwner"];
  close(): Promise<void>;
};

export type DepsOverrides = {
  embedder?: Embedder;
  logger?: Logger;
  database?: DatabaseHandle;
  /** Who opens the embedded store, for a second process's error message (default "server"). */
  role?: string;
};

/** The store the configuration names: PostgreSQL at DATABASE_URL, else PGlite in the data dir. */
export function openConfiguredDatabase(config: Config, role = "server"): Promise<DatabaseHandle> {
  return openDatabase(
    config.DATABASE_URL
      ? { url: config.DATABASE_URL }
      : // A server's store works in a thread of its own, so answering never waits on its CPU.
        { dataDir: join(config.VERITY_DATA_DIR, "pglite"), role, ownThread: role === "server" },
  );
}

/** The cross-encoder VERITY_VERIFIER_MODEL names, or null; a bad directory stops start-up. */
export async function loadConfiguredCrossEncoder(config: Config): Promise<CrossEncoder | null> {
  if (!config.VERITY_VERIFIER_MODEL) return null;
  try {
    return await loadCrossEncoder(config.VERITY_VERIFIER_MODEL);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`Invalid configuration: VERITY_VERIFIER_MODEL: ${reason}`, {
      cause: error,
    });
  }
}

/**
 * The ledger's signing key (made on a server's first start when VERITY_LEDGER_KEY is unset), or
 * null for a process that only reads or ingests and has none.
 */
function loadConfiguredLedgerKey(config: Config, options: { create: boolean; logger: Logger }) {
  try {
    // Never make a key at a path the operator named: a missing one there is a mistake.
    if (config.VERITY_LEDGER_KEY && !existsSync(config.VERITY_LEDGER_KEY))
      throw new Error(`${config.VERITY_LEDGER_KEY} does not exist (npm run audit -- keygen)`);
    return openLedgerSigningKey(ledgerKeyPath(config), {
      create: options.create && !config.VERITY_LEDGER_KEY,
      logger: options.logger,
    });
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new ConfigError(`Invalid configuration: VERITY_LEDGER_KEY: ${reason}`, { cause: error });
  }
}

/** Build everything once. Whatever was opened is closed again if a later step fails. */
export async function createDeps(config: Config, overrides: DepsOverrides = {}): Promise<Deps> {
  const logger = overrides.logger ?? createLogger(config.LOG_LEVEL);
  const { policy, verifier } = loadPolicy(config.VERITY_POLICY, {
    threshold: config.VERITY_THRESHOLD,
    targetPrecision: config.VERITY_TARGET_PRECISION,
  });
  // Before the store opens: a bad model directory or key file then has nothing to close.
  const crossEncoder = await loadConfiguredCrossEncoder(config);
  const serving = (overrides.role ?? "server") === "server";
  const signer = loadConfiguredLedgerKey(config, { create: serving, logger });
  const database = overrides.database ?? (await openConfiguredDatabase(config, overrides.role));
  let embedder: Embedder | undefined;
  try {
    await database.migrate();
    // The owner of an embedded store is its only process: a run still marked running was killed.
    if (database.kind === "pglite") await abortSilentRuns(database.db, 0);
    // Which rules answers are held to, from now on: recorded when they change.
    if (serving) await recordPolicyInForce(database.db, policy, hashPolicy(policy));
    if (config.VERITY_BOOTSTRAP_KEY)
      await ensureBootstrapKey({ db: database.db, logger }, config.VERITY_BOOTSTRAP_KEY);
    // A server may ingest while it serves (POST /v1/ingest-runs): keep embedding off its loop.
    // An ingest run embeds off it too, to store one group while it embeds the next.
    embedder =
      overrides.embedder ??
      (await createEncoder(config.VERITY_ENCODER, {
        documentsOffMainThread: serving || overrides.role === "ingest",
        queriesOffMainThread: serving,
      }));
    const index = await createIndexHolder({
      db: database.db,
      dataDir: config.VERITY_DATA_DIR,
      embedder,
      logger,
      lexical: config.VERITY_LEXICAL === "memory",
      otherWriters: database.kind === "postgres",
    });
    const opened = embedder;
    return {
      config,
      logger,
      db: database.db,
      access: createAccessControl({
        db: database.db,
        host: config.HOST,
        bootstrapKey: config.VERITY_BOOTSTRAP_KEY,
        otherWriters: database.kind === "postgres",
      }),
      ledger: createLedger({ db: database.db, signer }),
      store: database.kind,
      describeOwner: (extra) => database.describeOwner(extra),
      embedder: opened,
      index,
      policy,
      verifier,
      crossEncoder,
      crossEncoderThreshold: config.VERITY_VERIFIER_THRESHOLD ?? DEFAULT_VERIFIER_THRESHOLD,
      // Process-local: what this process measured (GET /metrics adds the store's totals).
      metrics: createMetrics(),
      // Close only what was opened here: an override belongs to whoever passed it in.
      async close() {
        await index.settle();
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
