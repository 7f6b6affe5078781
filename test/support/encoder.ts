import { afterAll, beforeAll } from "vitest";
import type { Embedder } from "../../src/retrieval/embedder.ts";
import { createEncoder } from "../../src/retrieval/encoders.ts";

/**
 * The real sentence encoder (the default one, as a server loads it), loaded once before a test file's tests and closed after them, so
 * every harness of the file shares it: loading it is the slow part of starting a harness. Call
 * at the top level of the file; the returned function gives the encoder inside hooks and tests.
 */
export function useRealEncoder(): () => Embedder {
  let encoder: Embedder | undefined;
  beforeAll(async () => {
    encoder = await createEncoder(undefined, {
      documentsOffMainThread: false,
      queriesOffMainThread: false,
    });
  });
  afterAll(async () => {
    await encoder?.close();
  });
  return () => {
    if (!encoder)
      throw new Error("the real encoder is loaded in beforeAll: use it from a hook or test");
    return encoder;
  };
}
