import { existsSync } from "node:fs";
import { mkdir, readFile, readdir, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Embedder } from "../../src/retrieval/embedder.ts";
import type { BuiltStore } from "./build-store.ts";
import { runJsonChild } from "./child.ts";
import type { RealCorpora } from "./real-passages.ts";
import { planStore } from "./store-plan.ts";
import { embedWithCache, type EmbeddingStats } from "./vector-cache.ts";

export const CACHE_ROOT = fileURLToPath(
  new URL("../../node_modules/.cache/verity-bench", import.meta.url),
);
/** Real chunks' vectors, by model and text hash: embedded once ever. */
export const VECTOR_CACHE = join(CACHE_ROOT, "vectors");
const MARKER = "bench-store.json";
const BUILD_SCRIPT = "lab/bench/build-store.ts";

export type ScaleStoreInfo = BuiltStore & {
  model: string;
  /** Embedding the real chunks this store needed (all cached after the first build). */
  embedding: EmbeddingStats;
  store_mib: number;
  /** True when the store came from the cache: the build figures are those of its first build. */
  cached: boolean;
  dir: string;
};

/**
 * The store of `size` chunks for this embedder, from the cache or built now: real chunks'
 * vectors embedded (or read from the vector cache) here, the rows and the HNSW graph written by
 * a child process (build-store.ts). A store without its marker file was interrupted and is built
 * again.
 */
export async function ensureScaleStore(
  size: number,
  context: { corpora: RealCorpora; embedder: Embedder; log: (message: string) => void },
): Promise<ScaleStoreInfo> {
  const { corpora, embedder, log } = context;
  const plan = planStore(corpora, size, embedder);
  const dir = join(CACHE_ROOT, `scale-${size}-${plan.key}`);
  const marker = join(dir, MARKER);
  if (existsSync(marker)) {
    const saved = JSON.parse(await readFile(marker, "utf8")) as ScaleStoreInfo;
    return { ...saved, cached: true, dir, store_mib: await mib(dir) };
  }
  const { stats } = await embedWithCache(embedder, plan.textsToEmbed, { dir: VECTOR_CACHE, log });
  await rm(dir, { recursive: true, force: true });
  await mkdir(dir, { recursive: true });
  log(
    `building the ${size}-chunk store: ${plan.realChunks} real chunks, ${plan.composedChunks} composed`,
  );
  const built = await runJsonChild<BuiltStore>(
    BUILD_SCRIPT,
    [
      ...["--size", String(size), "--key", plan.key, "--dir", dir, "--vectors", VECTOR_CACHE],
      ...["--model", embedder.modelId, "--dimension", String(embedder.dimension)],
    ],
    { log: (line) => log(`  build ${size}: ${line}`) },
  );
  const info: ScaleStoreInfo = {
    ...built,
    model: embedder.modelId,
    embedding: stats,
    store_mib: await mib(dir),
    cached: false,
    dir,
  };
  await writeFile(marker, JSON.stringify(info, null, 2));
  return info;
}

/** Bytes under `dir`, in MiB. */
export async function mib(dir: string): Promise<number> {
  let bytes = 0;
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    if (entry.isFile()) bytes += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return Math.round(bytes / 2 ** 20);
}
