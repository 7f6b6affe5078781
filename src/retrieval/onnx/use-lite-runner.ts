import { InferenceSession, Tensor } from "onnxruntime-node";
import { readTfjsWeights, useLiteModelDir } from "./tfjs-weights.ts";
import { buildUseLiteModel } from "./use-lite-graph.ts";
import { createOnnxWorker } from "./worker-host.ts";

/** One model call of the USE-lite graph (use-lite-graph.ts): padded ids and mask in, raw rows out. */
export interface UseLiteRunner {
  run(ids: BigInt64Array, mask: Float32Array, dims: [number, number]): Promise<Float32Array>;
  close(): Promise<void>;
}

const WORKER_URL = new URL("../onnx-use-lite.worker.mjs", import.meta.url);

/** Runs on the calling thread: onnxruntime-node holds the event loop for the whole call. */
export async function openInProcessRunner(
  bytes: Uint8Array,
  threads: number,
): Promise<UseLiteRunner> {
  const session = await InferenceSession.create(bytes, sessionOptions(threads));
  return {
    async run(ids, mask, dims) {
      const output = await session.run({
        ids: new Tensor("int64", ids, dims),
        mask: new Tensor("float32", mask, dims),
      });
      return output.embeddings!.data as Float32Array;
    },
    close: () => session.release(),
  };
}

/**
 * Runs on one worker thread with its own session (same options, so the same numbers). `bytes` is
 * transferred to the worker when it starts, which detaches it here; a worker started again after
 * a crash gets the model rebuilt from the weights (~0.1 s) rather than a 28 MB copy kept for it.
 */
export function openWorkerRunner(bytes: Uint8Array, threads: number): UseLiteRunner {
  let first: Uint8Array | null = bytes;
  const worker = createOnnxWorker({
    workerUrl: WORKER_URL,
    sessionOptions: sessionOptions(threads),
    async loadModel() {
      const model = first ?? buildUseLiteModel(await readTfjsWeights(useLiteModelDir())).bytes;
      first = null;
      return model;
    },
  });
  return {
    run: (ids, mask, dims) =>
      worker.run(
        {
          ids: { type: "int64", data: ids, dims },
          mask: { type: "float32", data: mask, dims },
        },
        "embeddings",
      ),
    close: () => worker.close(),
  };
}

function sessionOptions(intraOpNumThreads: number): InferenceSession.SessionOptions {
  return {
    intraOpNumThreads,
    interOpNumThreads: 1,
    executionMode: "sequential",
    graphOptimizationLevel: "all",
    // Idle pool threads sleep instead of spinning: on two busy cores (the database, the server)
    // spinning made two-thread batches of passages slower than one thread (~35 vs ~80/s).
    extra: { session: { intra_op: { allow_spinning: "0" } } },
  };
}
