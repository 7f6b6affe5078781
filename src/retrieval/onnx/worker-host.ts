import { Worker } from "node:worker_threads";
import type { InferenceSession } from "onnxruntime-node";

/** A model input as it crosses to the worker: the data's buffer is transferred, not copied. */
export type WorkerTensor =
  | { type: "int64"; data: BigInt64Array; dims: number[] }
  | { type: "float32"; data: Float32Array; dims: number[] };

/** One onnxruntime session on one worker thread (the protocol is in onnx-use-lite.worker.mjs). */
export interface OnnxWorker {
  /** The named float32 output of one model call. */
  run(feeds: Record<string, WorkerTensor>, output: string): Promise<Float32Array>;
  /** Terminates the worker; pending and later calls reject with "embedder is closed". */
  close(): Promise<void>;
}

export type OnnxWorkerOptions = {
  workerUrl: URL;
  /** The model's bytes, called at every worker start; its buffer is transferred to the worker. */
  loadModel: () => Uint8Array | Promise<Uint8Array>;
  sessionOptions: InferenceSession.SessionOptions;
};

type Job = { resolve: (data: Float32Array) => void; reject: (error: Error) => void };
type Running = { worker: Worker; jobs: Map<number, Job>; stopped: boolean };
type Reply =
  { id: number; ok: true; data: Float32Array } | { id: number; ok: false; message: string };

/**
 * The worker starts on the first call, so a process that only embeds queries never pays for it.
 * It is unref'd while idle, so a forgotten close() cannot keep the process alive, and ref'd while
 * a call is pending, so the process waits for the answer. A crash rejects the calls it held, and
 * the next call starts a new worker.
 */
export function createOnnxWorker({
  workerUrl,
  loadModel,
  sessionOptions,
}: OnnxWorkerOptions): OnnxWorker {
  let current: Promise<Running> | null = null; // starting or started
  let live: Running | null = null; // started
  let nextId = 0;
  let closed = false;
  const closedError = () => new Error("embedder is closed");

  async function start(): Promise<Running> {
    const model = await loadModel();
    if (closed) throw closedError();
    const worker = new Worker(workerUrl, {
      workerData: { model, sessionOptions },
      transferList: [model.buffer as ArrayBuffer],
    });
    const running: Running = { worker, jobs: new Map(), stopped: false };
    live = running;
    worker.unref();
    worker.on("message", (reply: Reply) => {
      const job = running.jobs.get(reply.id);
      if (!job) return;
      running.jobs.delete(reply.id);
      if (running.jobs.size === 0) worker.unref();
      if (reply.ok) job.resolve(reply.data);
      else job.reject(new Error(`embedding worker failed: ${reply.message}`));
    });
    worker.on(
      "error",
      (error: Error) => void stop(running, `embedding worker crashed: ${error.message}`),
    );
    worker.on("exit", (code) => void stop(running, `embedding worker exited (code ${code})`));
    return running;
  }

  async function stop(running: Running, reason: string): Promise<void> {
    if (running.stopped) return;
    running.stopped = true;
    // Forget the worker before rejecting, so a caller that retries at once starts a new one.
    if (live === running) {
      live = null;
      current = null;
    }
    const jobs = [...running.jobs.values()];
    running.jobs.clear();
    for (const job of jobs) job.reject(new Error(reason));
    await running.worker.terminate();
  }

  function connect(): Promise<Running> {
    if (!current) {
      const starting = start();
      current = starting;
      // A failed start (the model could not be loaded) is retried by the next call.
      starting.catch(() => {
        if (current === starting) current = null;
      });
    }
    return current;
  }

  function send(
    running: Running,
    feeds: Record<string, WorkerTensor>,
    output: string,
  ): Promise<Float32Array> {
    const id = nextId++;
    const transfer = Object.values(feeds).map((tensor) => tensor.data.buffer as ArrayBuffer);
    return new Promise<Float32Array>((resolve, reject) => {
      running.jobs.set(id, { resolve, reject });
      running.worker.ref();
      running.worker.postMessage({ id, feeds, output }, transfer);
    });
  }

  return {
    run(feeds, output) {
      if (closed) return Promise.reject(closedError());
      // Sent at once when the worker is up. Awaiting even a settled promise first would hold the
      // call until the caller's synchronous work ends: a question is analysed and searched here
      // while its vector is computed there, and the vector was then ~3 ms later than it could be.
      if (live && !live.stopped) return send(live, feeds, output);
      return connect().then((running) => {
        if (closed) throw closedError();
        if (running.stopped) throw new Error("embedding worker stopped before the call was sent");
        return send(running, feeds, output);
      });
    },

    async close() {
      if (closed) return;
      closed = true;
      const running = await current?.catch(() => null);
      if (running) await stop(running, closedError().message);
    },
  };
}
