import { cp, mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { createThrowawayDatabase } from "../shared/throwaway-database.ts";
import { loadServer, type HttpRun, type WarmUp } from "./http.ts";
import { copyStoreToPostgres, type PostgresCopy } from "./pg-store.ts";
import type { ScaleStoreInfo } from "./scale-store.ts";
import { startServer } from "./server-process.ts";

export type LoadDatabase = "pglite" | "postgres";

/** The HTTP load runs on one store and one database. */
export type LoadSeries = {
  database: LoadDatabase;
  /** Preparing this database's copy of the store (PGlite: a file copy; PostgreSQL: COPY and statistics). */
  prepare_ms: number;
  postgres_copy: PostgresCopy | null;
  /** Server start until /healthz answered, and its resident set then. */
  server_ready_ms: number;
  server_rss_ready_mib: number | null;
  /** The run before the measured ones (http.ts WarmUp), reported apart from them. */
  warm_up: HttpRun | null;
  runs: HttpRun[];
};

export type LoadReport = {
  chunks: number;
  real_chunks: number;
  composed_chunks: number;
  series: LoadSeries[];
};

/**
 * HTTP load on a scale store, once per database: the real server (src/main.ts) in its own
 * process, over a copy of the store (PGlite: the data directory copied, so the cached store stays
 * as built; PostgreSQL: a throwaway database filled from it, dropped afterwards), loaded by
 * autocannon from this process at each concurrency.
 */
export async function measureLoad(
  store: ScaleStoreInfo,
  options: {
    databases: LoadDatabase[];
    connections: number[];
    durationS: number;
    questions: string[];
    warmUp: WarmUp;
    workDir: string;
    heapMib?: number;
    log: (message: string) => void;
  },
): Promise<LoadReport> {
  const series: LoadSeries[] = [];
  for (const database of options.databases) {
    const dataDir = join(options.workDir, `load-${database}`);
    await rm(dataDir, { recursive: true, force: true });
    await mkdir(dataDir, { recursive: true });
    const t = performance.now();
    let pgCopy: PostgresCopy | null = null;
    let dropDatabase: (() => Promise<void>) | null = null;
    try {
      let env: Record<string, string | undefined>;
      if (database === "pglite") {
        options.log(`load on PGlite: copying the ${store.chunks}-chunk store`);
        await cp(store.dir, dataDir, { recursive: true });
        env = { VERITY_DATA_DIR: dataDir, DATABASE_URL: undefined };
      } else {
        options.log(
          `load on PostgreSQL: copying the ${store.chunks}-chunk store into a new database`,
        );
        const throwaway = await createThrowawayDatabase("verity_bench");
        dropDatabase = throwaway.drop;
        pgCopy = await copyStoreToPostgres(store.dir, { url: throwaway.url, dataDir });
        env = { VERITY_DATA_DIR: dataDir, DATABASE_URL: throwaway.url };
      }
      const prepareMs = Math.round(performance.now() - t);
      options.log(`load on ${database}: starting the server`);
      const server = await startServer({
        env,
        logFile: join(options.workDir, `server-${database}.log`),
        heapMib: options.heapMib,
      });
      try {
        const ready = server.memory();
        options.log(
          `load on ${database}: ready in ${server.ready_ms} ms; a ${options.warmUp.durationS} s warm-up, then autocannon at ${options.connections.join(", ")} connections, ${options.durationS} s each`,
        );
        const { warm_up, runs } = await loadServer(server, options.questions, options);
        series.push({
          database,
          prepare_ms: prepareMs,
          postgres_copy: pgCopy,
          server_ready_ms: server.ready_ms,
          server_rss_ready_mib: ready?.rss_mib ?? null,
          warm_up,
          runs,
        });
      } finally {
        await server.stop();
      }
    } finally {
      await dropDatabase?.();
      await rm(dataDir, { recursive: true, force: true });
    }
  }
  return {
    chunks: store.chunks,
    real_chunks: store.real_chunks,
    composed_chunks: store.composed_chunks,
    series,
  };
}
