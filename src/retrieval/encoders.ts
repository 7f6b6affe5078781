import type { Config } from "../config.ts";
import type { Embedder } from "./embedder.ts";
import { createOnnxUseLiteEmbedder } from "./onnx-use-lite-embedder.ts";
import { createStaticEmbedder, openStaticEncoder } from "./static-embedder.ts";
import { createUseLiteEmbedder } from "./use-lite-embedder.ts";
import { useLiteModelId } from "./use-lite-model-id.ts";

export type EncoderName = NonNullable<Config["VERITY_ENCODER"]>;

/** Which of an encoder's calls run on worker threads rather than the event loop. */
export type EncoderThreads = {
  /**
   * Document batches: a server may ingest while it answers, and an ingest run stores one group
   * while the next is embedded, both only if embedding leaves the event loop.
   */
  documentsOffMainThread: boolean;
  /** A question's model call (onnxruntime only): the event loop is what concurrent answers share. */
  queriesOffMainThread: boolean;
};

/** The sentence encoder VERITY_ENCODER names (USE-lite on onnxruntime when unset). */
export async function createEncoder(
  name: EncoderName | undefined,
  threads: EncoderThreads,
): Promise<Embedder> {
  switch (name ?? "use-lite") {
    case "static":
      return createStaticEmbedder({ documentsOffMainThread: threads.documentsOffMainThread });
    case "use-lite-tfjs":
      return createUseLiteEmbedder({ documentsOffMainThread: threads.documentsOffMainThread });
    case "use-lite":
      return createOnnxUseLiteEmbedder(threads);
  }
}

/** The model id the encoder VERITY_ENCODER names gives its vectors, without loading a model. */
export function encoderModelId(name: EncoderName | undefined): string {
  return name === "static" ? openStaticEncoder().modelId : useLiteModelId();
}
