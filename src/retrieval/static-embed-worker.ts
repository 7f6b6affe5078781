import { parentPort, workerData } from "node:worker_threads";
import { openStaticEncoder } from "./static-embedder.ts";

if (!parentPort) throw new Error("static-embed-worker.ts must run as a worker thread");
const port = parentPort;
const { tablePath } = workerData as { tablePath: string };
const { encoder } = openStaticEncoder(tablePath);

port.on("message", ({ id, texts }: { id: number; texts: string[] }) => {
  try {
    const data = new Float64Array(texts.length * encoder.dimension);
    texts.forEach((text, i) => data.set(encoder.encode(text), i * encoder.dimension));
    port.postMessage({ id, ok: true, dimension: encoder.dimension, data }, [data.buffer]);
  } catch (error) {
    port.postMessage({ id, ok: false, message: (error as Error).message ?? String(error) });
  }
});
