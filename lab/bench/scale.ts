import type { Database } from "../../src/db/client.ts";
import type { Embedder } from "../../src/retrieval/embedder.ts";
import type { StoredChunk } from "./chunks.ts";
import { peakRssMib } from "./machine.ts";
import { measureStages } from "./breakdown.ts";
import { measureAnswers } from "./query.ts";
import type { ScalePoint } from "./report.ts";
import { openScaleStore } from "./scale-store.ts";
import { SYNTHETIC_DESCRIPTION } from "./synth.ts";

/** Questions whose retrieval steps are timed apart (each is asked once more for that). */
export const STAGE_QUESTIONS = 20;

/** In-process answer latency on stores of each size, built (or reused) from the real corpus. */
export async function measureScale(
  sizes: number[],
  real: { db: Database; chunks: StoredChunk[] },
  embedder: Embedder,
  questions: string[],
  log: (message: string) => void,
): Promise<ScalePoint[]> {
  const points: ScalePoint[] = [];
  for (const size of sizes) {
    log(`scale ${size} chunks: opening or generating the store`);
    const { store, info } = await openScaleStore(size, real, embedder);
    try {
      log(`scale ${size} chunks: asking ${questions.length} questions`);
      const query = await measureAnswers(store.deps, questions);
      const stages = await measureStages(store, questions.slice(0, STAGE_QUESTIONS));
      const { dir: _dir, ...rest } = info;
      points.push({
        ...rest,
        synthetic: info.synthetic_chunks > 0 ? SYNTHETIC_DESCRIPTION : null,
        query,
        stages,
        peak_rss_mib: peakRssMib(),
      });
    } finally {
      await store.close();
    }
  }
  return points;
}
