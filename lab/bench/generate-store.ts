import { join } from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import { MIGRATIONS_DIR, type Database } from "../../src/db/client.ts";
import { refreshCorpusStatistics } from "../../src/db/corpus-state.ts";
import * as schema from "../../src/db/schema/index.ts";
import { sources } from "../../src/db/schema/index.ts";
import { writeBundles, type DocumentBundle } from "./bundle.ts";
import type { StoredChunk } from "./chunks.ts";
import { readRealBundles } from "./copy-real.ts";
import type { Rng } from "../shared/rng.ts";
import { SYNTHETIC_SOURCES, synthesiseBundles } from "./synth.ts";

/** Documents per COPY: ~5k chunks, ~25 MB of encoded rows. */
const DOCUMENTS_PER_COPY = 2500;

/**
 * Fill a new PGlite store under `dataDir` (the layout createDeps opens) with `size` chunks: whole
 * real documents of `real.db` first, then synthetic ones. A bench-owned PGlite rather than
 * src/db/client's, because bulk loading needs the raw client for binary COPY.
 */
export async function generateStore(
  dataDir: string,
  size: number,
  real: { db: Database; chunks: StoredChunk[] },
  options: { rng: Rng; modelId: string },
): Promise<{ realChunks: number; syntheticChunks: number }> {
  const pg = await PGlite.create(join(dataDir, "pglite"));
  try {
    const db = drizzle(pg, { schema });
    await migrate(db, { migrationsFolder: MIGRATIONS_DIR });
    const copied = await readRealBundles(real.db, size);
    const synthetic = size - copied.chunks;
    const sourceRows = new Map(
      [...copied.sources, ...(synthetic > 0 ? SYNTHETIC_SOURCES : [])].map((s) => [s.id, s]),
    );
    if (sourceRows.size > 0) await db.insert(sources).values([...sourceRows.values()]);
    await writeBundles(pg, copied.bundles);
    let batch: DocumentBundle[] = [];
    for (const bundle of synthesiseBundles(real.chunks, synthetic, options)) {
      batch.push(bundle);
      if (batch.length === DOCUMENTS_PER_COPY) {
        await writeBundles(pg, batch);
        batch = [];
      }
    }
    await writeBundles(pg, batch);
    await refreshCorpusStatistics(db as unknown as Database);
    return { realChunks: copied.chunks, syntheticChunks: synthetic };
  } finally {
    await pg.close();
  }
}
