import { existsSync } from "node:fs";
import { mkdir, readFile, rename, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { sha256 } from "../../src/hash.ts";
import type { Embedder } from "../../src/retrieval/embedder.ts";

/** Texts per cache file: a killed run loses at most one block. */
const BLOCK = 512;
export const TARGET_CACHE_DIR = join(tmpdir(), "verity-encoder-targets");

/**
 * USE-lite's vectors for `texts`, rows concatenated, cached on disk by block (the key is the
 * model id and the block's texts), so a rebuild or a killed run does not embed them again: at
 * ~19 texts/s per core, 35k texts take a quarter of an hour on two cores.
 */
export async function embedTargets(
  embedder: Embedder,
  texts: string[],
  log: (line: string) => void,
): Promise<Float32Array> {
  await mkdir(TARGET_CACHE_DIR, { recursive: true });
  const dim = embedder.dimension;
  const out = new Float32Array(texts.length * dim);
  const started = performance.now();
  let embedded = 0;
  for (let start = 0; start < texts.length; start += BLOCK) {
    const block = texts.slice(start, start + BLOCK);
    const file = join(TARGET_CACHE_DIR, `${sha256([embedder.modelId, ...block].join("\0"))}.f32`);
    let rows: Float32Array;
    if (existsSync(file)) {
      rows = new Float32Array((await readFile(file)).buffer.slice(0));
    } else {
      rows = new Float32Array(block.length * dim);
      (await embedder.embedDocuments(block)).forEach((v, i) => rows.set(v, i * dim));
      await writeFile(`${file}.tmp`, rows);
      await rename(`${file}.tmp`, file);
      embedded += block.length;
      const seconds = (performance.now() - started) / 1000;
      log(
        `targets: ${start + block.length}/${texts.length} (${(embedded / seconds).toFixed(1)} texts/s)`,
      );
    }
    if (rows.length !== block.length * dim) throw new Error(`bad cache file ${file}`);
    out.set(rows, start * dim);
  }
  return out;
}
