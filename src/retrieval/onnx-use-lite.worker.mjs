// Worker thread for onnx-use-lite-embedder.ts: runs model calls so the main thread's event loop
// stays free (onnxruntime-node runs a session synchronously on the calling thread). Plain ESM
// JavaScript on purpose: Node runs it directly, with no TypeScript loader under tsx, vitest or a
// compiled build. It knows nothing of the model: the host sends the bytes, feeds and output name.
// Protocol (driven by onnx/worker-host.ts):
//   workerData: { model: Uint8Array (transferred), sessionOptions }
//   in:  { id, feeds: { [input]: { type, data, dims } }, output }   data transferred
//   out: { id, ok: true, data }                                     output's data, transferred
//        { id, ok: false, message }
import { parentPort, workerData } from "node:worker_threads";
import { InferenceSession, Tensor } from "onnxruntime-node";

if (!parentPort) throw new Error("onnx-use-lite.worker.mjs must run as a worker thread");
const port = parentPort;

const sessionReady = InferenceSession.create(workerData.model, workerData.sessionOptions);
sessionReady.then(
  // The session holds its own copy of the graph; dropping ours frees ~28 MB of this thread's heap.
  () => (workerData.model = null),
  // An unhandled rejection would kill the thread; the failure is reported per job instead.
  () => {},
);

// One call at a time, in arrival order: the session already uses its intra-op threads.
let previous = Promise.resolve();
port.on("message", (job) => {
  previous = previous.then(() => runJob(job));
});

async function runJob({ id, feeds, output }) {
  try {
    const session = await sessionReady;
    const inputs = {};
    for (const [name, { type, data, dims }] of Object.entries(feeds)) {
      inputs[name] = new Tensor(type, data, dims);
    }
    const result = await session.run(inputs);
    const tensor = result[output];
    if (!tensor) throw new Error(`model has no output named ${output}`);
    // Transfer needs a buffer of its own; copy in case the output is a view into a larger one.
    const whole =
      tensor.data.byteOffset === 0 && tensor.data.byteLength === tensor.data.buffer.byteLength;
    const data = whole ? tensor.data : tensor.data.slice();
    port.postMessage({ id, ok: true, data }, [data.buffer]);
  } catch (error) {
    port.postMessage({
      id,
      ok: false,
      message: error instanceof Error ? error.message : String(error),
    });
  }
}
