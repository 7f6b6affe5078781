import { loadConfig } from "../../src/config.ts";
import type { Embedder } from "../../src/retrieval/embedder.ts";
import { createEncoder, type EncoderName } from "../../src/retrieval/encoders.ts";

/**
 * The encoder VERITY_ENCODER names, built as createDeps builds it for an ingest run (document
 * batches on a worker thread), for the bench's own embedding (ingest, the baseline, the real
 * chunks of the scale stores). Its model id names every cached
 * vector, so another model gets its own vectors and stores.
 */
export function createConfiguredEmbedder(): Promise<Embedder> {
  return createEncoder(configuredEncoder(), {
    documentsOffMainThread: true,
    queriesOffMainThread: false,
  });
}

/** VERITY_ENCODER, or the encoder createDeps uses when it is unset. */
export function configuredEncoder(): EncoderName {
  return loadConfig({ VERITY_ENCODER: process.env.VERITY_ENCODER }).VERITY_ENCODER ?? "use-lite";
}
