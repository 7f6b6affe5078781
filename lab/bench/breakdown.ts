import { analyseQuestion, searchLexical } from "../../src/retrieval/lexical.ts";
import { percentile, round } from "../shared/stats.ts";
import type { BenchStore } from "./store.ts";
import { DEFAULT_TENANT } from "../../src/auth/keys.ts";

/** Median time of the retrieval steps, measured apart from answerQuestion on a few questions. */
export type StageBreakdown = {
  n: number;
  embed_p50_ms: number;
  bm25_p50_ms: number;
  ann_p50_ms: number;
};

/** Same depth retrieveCandidates asks of each retriever. */
const LIST_DEPTH = 50;

/**
 * Where a question's time goes before sentence scoring: the query embedding, BM25 in Postgres
 * (question analysis plus the ranked search) and the HNSW search. The rest of an answer's time is
 * scoring sentences, verifying quotes and saving the record.
 */
export async function measureStages(
  store: BenchStore,
  questions: string[],
): Promise<StageBreakdown> {
  const { db } = store.deps;
  const { embedder, index } = store.deps;
  const embed: number[] = [];
  const bm25: number[] = [];
  const ann: number[] = [];
  for (const question of questions) {
    let t = performance.now();
    const vector = await embedder.embedQuery(question);
    embed.push(performance.now() - t);
    t = performance.now();
    await searchLexical(db, await analyseQuestion(db, question), {
      k: LIST_DEPTH,
      tenant: DEFAULT_TENANT,
    });
    bm25.push(performance.now() - t);
    t = performance.now();
    index.current().index.search(vector, LIST_DEPTH);
    ann.push(performance.now() - t);
  }
  return {
    n: questions.length,
    embed_p50_ms: round(percentile(embed, 50)),
    bm25_p50_ms: round(percentile(bm25, 50)),
    ann_p50_ms: round(percentile(ann, 50)),
  };
}
