import type { Config } from "../config.ts";
import type { Embedder } from "./embedder.ts";
import { createOnnxUseLiteEmbedder } from "./onnx-use-lite-embedder.ts";
import { createStaticEmbedder } from "./static-embedder.ts";
import { createUseLiteEmbedder } from "./use-lite-embedder.ts";

export type EncoderName = NonNullable<Config["VERITY_ENCODER"]>;

/**
 * The sentence encoder VERITY_ENCODER names (USE-lite on onnxruntime when unset). A serving
 * process may ingest while it answers, so its document batches run off the event loop, and with
 * onnxruntime its questions' model calls too: the event loop is what concurrent answers share.
 */
export async function createEncoder(
  name: EncoderName | undefined,
  serving: boolean,
): Promise<Embedder> {
  switch (name ?? "use-lite") {
    case "static":
      return createStaticEmbedder();
    case "use-lite-tfjs":
      return createUseLiteEmbedder({ documentsOffMainThread: serving });
    case "use-lite":
      return createOnnxUseLiteEmbedder({
        documentsOffMainThread: serving,
        queriesOffMainThread: serving,
      });
  }
}
