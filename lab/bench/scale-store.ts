import { existsSync } from "node:fs";
import { mkdir, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Database } from "../../src/db/client.ts";
import { sha256 } from "../../src/hash.ts";
import type { Embedder } from "../../src/retrieval/embedder.ts";
import type { StoredChunk } from "./chunks.ts";
import { generateStore } from "./generate-store.ts";
import { createRng } from "../shared/rng.ts";
import { openBenchStore, type BenchStore } from "./store.ts";
import { GENERATOR_VERSION } from "./synth.ts";

export const CACHE_ROOT = fileURLToPath(
  new URL("../../node_modules/.cache/verity-bench", import.meta.url),
);
const SEED = 20_240_601;
const MARKER = "bench-store.json";

export type ScaleStoreInfo = {
  chunks: number;
  real_chunks: number;
  synthetic_chunks: number;
  /** True when the store came from the cache: generate_ms and index_build_ms are from that run. */
  cached: boolean;
  /** Fresh PGlite store, migrations, bulk COPY of the rows and the BM25 statistics refresh. */
  generate_ms: number;
  /** createDeps on the new store: reading every stored vector and building the HNSW graph. */
  index_build_ms: number;
  /** createDeps on this run (equal to index_build_ms unless cached). */
  open_ms: number;
  store_mib: number;
  dir: string;
};

/**
 * A store of exactly `size` chunks: whole real documents first, synthetic chunks for the rest.
 * Cached by everything that shapes it (real chunk hashes, model, size, seed, generator version);
 * a store without its marker file was interrupted and is rebuilt.
 */
export async function openScaleStore(
  size: number,
  real: { db: Database; chunks: StoredChunk[] },
  embedder: Embedder,
): Promise<{ store: BenchStore; info: ScaleStoreInfo }> {
  const key = sha256(
    [GENERATOR_VERSION, SEED, embedder.modelId, size, ...real.chunks.map((c) => c.sha256)].join(
      "\n",
    ),
  ).slice(0, 12);
  const dir = join(CACHE_ROOT, `scale-${size}-${key}`);
  const marker = join(dir, MARKER);
  if (existsSync(marker)) {
    const saved = JSON.parse(await readFile(marker, "utf8")) as ScaleStoreInfo;
    const t = performance.now();
    const store = await openBenchStore(dir, embedder);
    const openMs = Math.round(performance.now() - t);
    return {
      store,
      info: { ...saved, cached: true, open_ms: openMs, store_mib: await mib(dir).catch(() => 0) },
    };
  }

  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  const t0 = performance.now();
  const made = await generateStore(dir, size, real, {
    rng: createRng(SEED),
    modelId: embedder.modelId,
  });
  const t1 = performance.now();
  // createDeps finds no saved index and builds it from the stored vectors, as a server would.
  const store = await openBenchStore(dir, embedder);
  try {
    const t2 = performance.now();
    const info: ScaleStoreInfo = {
      chunks: size,
      real_chunks: made.realChunks,
      synthetic_chunks: made.syntheticChunks,
      cached: false,
      generate_ms: Math.round(t1 - t0),
      index_build_ms: Math.round(t2 - t1),
      open_ms: Math.round(t2 - t1),
      store_mib: 0,
      dir,
    };
    await writeFile(marker, JSON.stringify(info, null, 2));
    return { store, info: { ...info, store_mib: await mib(dir).catch(() => 0) } };
  } catch (error) {
    await store.close();
    throw error;
  }
}

async function mib(dir: string): Promise<number> {
  let bytes = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) bytes += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return Math.round(bytes / 2 ** 20);
}
