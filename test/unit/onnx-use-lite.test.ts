import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { promisify } from "node:util";
import { InferenceSession, Tensor } from "onnxruntime-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Embedder } from "../../src/retrieval/embedder.ts";
import { DataType, encodeModel, floatTensor } from "../../src/retrieval/onnx/onnx-proto.ts";
import { createOnnxWorker } from "../../src/retrieval/onnx/worker-host.ts";
import { createOnnxUseLiteEmbedder } from "../../src/retrieval/onnx-use-lite-embedder.ts";
import { createUseLiteEmbedder } from "../../src/retrieval/use-lite-embedder.ts";
import { dot } from "../../src/retrieval/vector-math.ts";

const MODEL_LOAD_TIMEOUT = 60_000;
const isZero = (v: Float32Array) => v.every((x) => x === 0);

// Mixed lengths, punctuation, digits, non-ASCII and unknown pieces, and one text past the
// model's 128-token limit (both must drop the same tail).
const SENTENCES = [
  "The cat sat on the mat.",
  "How long do refunds take?",
  "Hello",
  "Steps to change a forgotten password.",
  "The stock market closed higher on Friday.",
  "What year did the Normans conquer England?",
  "Invoice 42 lists 7 items shipped to warehouse 3, billing notes attached.",
  "Mitochondrial DNA is inherited from the mother.",
  "Café crème, naïve façade — déjà vu!",
  "東京は日本の首都です。",
  "e = mc^2 and ∑ x_i ≥ 0",
  "   leading and trailing spaces   ",
  "tab\tseparated\nand new lines",
  "ALL CAPS SHOUTING ABOUT THE WEATHER",
  "Beyoncé's debut album was released in 2003 by Columbia Records.",
  "Which gene variants raise the risk of type 2 diabetes in adults?",
  "🙂 emoji 🚀 and symbols ©®™",
  "a",
  "The committee approved the budget after a long debate about schools, roads and the new hospital.",
  Array.from({ length: 60 }, (_, i) => `word${i} clause number ${i},`).join(" "),
];

describe("USE-lite on onnxruntime", () => {
  let onnx: Embedder;
  let tfjs: Embedder;
  beforeAll(async () => {
    [onnx, tfjs] = await Promise.all([
      createOnnxUseLiteEmbedder(),
      createUseLiteEmbedder({ workers: 0 }),
    ]);
  }, MODEL_LOAD_TIMEOUT);
  afterAll(async () => {
    await onnx?.close();
    await tfjs?.close();
  });

  it("gives the TF.js model's vectors, so it shares its modelId", async () => {
    expect(onnx.modelId).toBe(tfjs.modelId);
    expect(onnx.dimension).toBe(512);
    const [expected, actual] = await Promise.all([
      tfjs.embedDocuments(SENTENCES),
      onnx.embedDocuments(SENTENCES),
    ]);
    const cosines = actual.map((v, i) => dot(v, expected[i]!));
    expect(Math.min(...cosines)).toBeGreaterThanOrEqual(0.999);
    for (const v of actual) expect(Math.sqrt(dot(v, v))).toBeCloseTo(1, 5);
    const query = await onnx.embedQuery(SENTENCES[1]!);
    expect(dot(query, expected[1]!)).toBeGreaterThanOrEqual(0.999);
  });

  it("keeps input order across length-sorted batches and maps blank texts to zero", async () => {
    const texts = ["", SENTENCES[19]!, "Hello", "  \n\t", SENTENCES[18]!, "Hello", ""];
    const vectors = await onnx.embedDocuments(texts);
    expect(vectors).toHaveLength(texts.length);
    expect([0, 3, 6].every((i) => isZero(vectors[i]!))).toBe(true);
    const alone = await Promise.all(texts.map((t) => onnx.embedQuery(t)));
    for (const i of [1, 2, 4, 5]) expect(dot(vectors[i]!, alone[i]!)).toBeGreaterThan(0.99999);
    expect(dot(vectors[1]!, vectors[2]!)).toBeLessThan(0.9);
    expect(isZero(await onnx.embedQuery(" "))).toBe(true);
    expect(await onnx.embedDocuments([])).toEqual([]);
  });

  it("refuses calls after close", async () => {
    const embedder = await createOnnxUseLiteEmbedder({ threads: 1 });
    await embedder.close();
    await expect(embedder.embedQuery("hello")).rejects.toThrow(/closed/);
  });
});

describe("USE-lite on onnxruntime, documents and queries off the main thread", () => {
  let inProcess: Embedder;
  let offThread: Embedder;
  beforeAll(async () => {
    [inProcess, offThread] = await Promise.all([
      createOnnxUseLiteEmbedder(),
      createOnnxUseLiteEmbedder({ documentsOffMainThread: true, queriesOffMainThread: true }),
    ]);
  }, MODEL_LOAD_TIMEOUT);
  afterAll(async () => {
    await inProcess?.close();
    await offThread?.close();
  });

  it("gives the in-process vectors bit for bit, in order, blanks interleaved", async () => {
    const texts = SENTENCES.flatMap((text, i) => (i % 4 === 1 ? [text, "", " \n "] : [text]));
    const [expected, actual] = await Promise.all([
      inProcess.embedDocuments(texts),
      offThread.embedDocuments(texts),
    ]);
    expect(actual).toHaveLength(texts.length);
    // Typed arrays compare element by element, and Float32Array holds the exact bits.
    expect(actual).toEqual(expected);
    expect(actual.filter(isZero)).toHaveLength(10);
    expect(await offThread.embedQuery(SENTENCES[5]!)).toEqual(
      await inProcess.embedQuery(SENTENCES[5]!),
    );
  });

  it("answers concurrent questions on the query worker, each with its own vector", async () => {
    // Questions arrive while a batch of passages runs: they have a worker of their own.
    const passages = offThread.embedDocuments(Array.from({ length: 64 }, (_, i) => passage(i)));
    const questions = SENTENCES.slice(0, 12);
    const [expected, actual] = await Promise.all([
      Promise.all(questions.map((q) => inProcess.embedQuery(q))),
      Promise.all(questions.map((q) => offThread.embedQuery(q))),
    ]);
    expect(actual).toEqual(expected);
    expect(isZero(await offThread.embedQuery(""))).toBe(true);
    expect(await passages).toHaveLength(64);
  });

  it("closes both workers: later questions are refused", async () => {
    const embedder = await createOnnxUseLiteEmbedder({ queriesOffMainThread: true });
    expect(await embedder.embedQuery("hello")).toHaveLength(512);
    await embedder.close();
    await expect(embedder.embedQuery("hello")).rejects.toThrow(/closed/);
  });

  it("keeps the event loop turning while a large call runs", async () => {
    // Large batches, so that each one run in-process holds the loop for ~0.5-1.5 s.
    const options = { batchSize: 64, batchTokens: 8192 };
    const onMain = await createOnnxUseLiteEmbedder(options);
    const offMain = await createOnnxUseLiteEmbedder({ ...options, documentsOffMainThread: true });
    const texts = Array.from({ length: 128 }, (_, i) => passage(i));
    const longestGap = async (embedder: Embedder) => {
      let last = performance.now();
      let longest = 0;
      const timer = setInterval(() => {
        const now = performance.now();
        longest = Math.max(longest, now - last);
        last = now;
      }, 5);
      await embedder.embedDocuments(texts);
      clearInterval(timer);
      return longest;
    };
    try {
      const inProcessGap = await longestGap(onMain);
      // Includes starting the worker.
      const offThreadGap = await longestGap(offMain);
      console.info(
        `longest timer gap: in-process ${inProcessGap.toFixed(0)} ms, ` +
          `off-thread ${offThreadGap.toFixed(0)} ms`,
      );
      // Off-thread gaps are ~10-50 ms; the bound is loose because other test files (and
      // the worker's own threads) keep both cores busy.
      expect(offThreadGap).toBeLessThan(250);
    } finally {
      await Promise.all([onMain.close(), offMain.close()]);
    }
  });

  it("rejects a pending call on close, and every call after it", async () => {
    const embedder = await createOnnxUseLiteEmbedder({ documentsOffMainThread: true });
    const pending = embedder.embedDocuments(Array.from({ length: 64 }, (_, i) => passage(i)));
    // Handled before close() rejects it, as a caller awaiting the call would.
    const rejected = expect(pending).rejects.toThrow(/embedder is closed/);
    await new Promise((resolve) => setTimeout(resolve, 20));
    await embedder.close();
    await rejected;
    await expect(embedder.embedDocuments(["hello"])).rejects.toThrow(/closed/);
    await expect(embedder.embedQuery("hello")).rejects.toThrow(/closed/);
  });

  it(
    "lets the process exit after close(), and even when close() is forgotten",
    async () => {
      // A real script file, as embedder.test.ts explains: an --eval'd parent passes --input-type
      // on to its workers.
      const dir = await mkdtemp(join(tmpdir(), "verity-onnx-exit-"));
      const embedderUrl = pathToFileURL(
        fileURLToPath(new URL("../../src/retrieval/onnx-use-lite-embedder.ts", import.meta.url)),
      ).href;
      const run = async (close: boolean) => {
        const file = join(dir, `exit-${close}.mts`);
        await writeFile(
          file,
          `import { createOnnxUseLiteEmbedder } from ${JSON.stringify(embedderUrl)};
          const embedder = await createOnnxUseLiteEmbedder({ documentsOffMainThread: true });
          const vectors = await embedder.embedDocuments(["first text", "", "second text"]);
          ${close ? "await embedder.close();" : ""}
          console.log("embedded", vectors.length);`,
        );
        return promisify(execFile)(process.execPath, ["--import", "tsx", file], {
          cwd: fileURLToPath(new URL("../..", import.meta.url)),
          timeout: 45_000,
        });
      };
      const [closed, forgotten] = await Promise.all([run(true), run(false)]);
      expect(closed.stdout).toContain("embedded 3");
      expect(forgotten.stdout).toContain("embedded 3");
      await rm(dir, { recursive: true, force: true });
    },
    MODEL_LOAD_TIMEOUT,
  );
});

describe("ONNX worker host", () => {
  // Stands in for onnx-use-lite.worker.mjs: crashes when its model is [0], else echoes input x.
  const fakeWorker = `import { parentPort, workerData } from "node:worker_threads";
    parentPort.on("message", ({ id, feeds }) => {
      if (workerData.model[0] === 0) throw new Error("boom");
      parentPort.postMessage({ id, ok: true, data: feeds.x.data });
    });`;
  const workerUrl = new URL(`data:text/javascript,${encodeURIComponent(fakeWorker)}`);
  const feeds = () => ({ x: { type: "float32" as const, data: Float32Array.of(1, 2), dims: [2] } });

  it("rejects the calls a crashed worker held, and starts a new one for the next", async () => {
    const models = [Uint8Array.of(0), Uint8Array.of(1)];
    let starts = 0;
    const worker = createOnnxWorker({
      workerUrl,
      loadModel: () => models[starts++]!,
      sessionOptions: {},
    });
    const results = await Promise.allSettled([worker.run(feeds(), "y"), worker.run(feeds(), "y")]);
    for (const result of results) {
      expect(result.status).toBe("rejected");
      expect(String((result as PromiseRejectedResult).reason)).toMatch(/worker crashed: boom/);
    }
    expect(Array.from(await worker.run(feeds(), "y"))).toEqual([1, 2]);
    expect(starts).toBe(2);
    await worker.close();
    await expect(worker.run(feeds(), "y")).rejects.toThrow(/closed/);
  });
});

describe("ONNX worker host, a call's send", () => {
  // Counts the calls it has received in shared memory, so the main thread can see one arrive
  // without ever yielding.
  const countingWorker = `import { parentPort, workerData } from "node:worker_threads";
    const received = new Int32Array(workerData.sessionOptions.received);
    parentPort.on("message", ({ id, feeds }) => {
      Atomics.add(received, 0, 1);
      parentPort.postMessage({ id, ok: true, data: feeds.x.data });
    });`;
  const workerUrl = new URL(`data:text/javascript,${encodeURIComponent(countingWorker)}`);

  it("reaches a running worker while the caller is still busy, not after", async () => {
    const received = new Int32Array(new SharedArrayBuffer(4));
    const worker = createOnnxWorker({
      workerUrl,
      loadModel: () => Uint8Array.of(1),
      // Cloned into workerData: a SharedArrayBuffer is shared, not copied.
      sessionOptions: { received: received.buffer } as never,
    });
    const feeds = { x: { type: "float32" as const, data: Float32Array.of(1), dims: [1] } };
    await worker.run(feeds, "y");
    const call = worker.run({ x: { type: "float32", data: Float32Array.of(2), dims: [1] } }, "y");
    // Synchronous work after the call, as a question's analysis and BM25 search follow it: the
    // worker must have the call meanwhile (an await before the send would hold it until now).
    const deadline = performance.now() + 5_000;
    while (Atomics.load(received, 0) < 2 && performance.now() < deadline);
    expect(Atomics.load(received, 0)).toBe(2);
    expect(Array.from(await call)).toEqual([2]);
    await worker.close();
  });
});

/** A passage of ~100-130 tokens, different for every `i`. */
function passage(i: number): string {
  const words = ["cohort", "protein", "river", "budget", "ledger", "enzyme", "harbour", "theorem"];
  return Array.from(
    { length: 60 + (i % 30) },
    (_, j) => `${words[(i + j) % 8]}${(i * 7 + j) % 13}`,
  ).join(" ");
}

describe("ONNX model writer", () => {
  it("writes a model onnxruntime loads and runs", async () => {
    const bytes = encodeModel({
      irVersion: 8,
      opset: 17,
      producerName: "test",
      graph: {
        name: "scale",
        nodes: [{ opType: "Mul", inputs: ["x", "w"], outputs: ["y"] }],
        initializers: [floatTensor("w", [3], Float32Array.of(1, -2, 0.5))],
        inputs: [{ name: "x", elemType: DataType.FLOAT, shape: ["n", 3] }],
        outputs: [{ name: "y", elemType: DataType.FLOAT, shape: ["n", 3] }],
      },
    });
    const session = await InferenceSession.create(bytes);
    const { y } = await session.run({ x: new Tensor("float32", Float32Array.of(2, 3, 4), [1, 3]) });
    expect(Array.from(y!.data as Float32Array)).toEqual([2, -6, 2]);
    await session.release();
  });
});
