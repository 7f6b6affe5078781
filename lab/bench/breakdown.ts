import type { RetrievalDeps } from "../../src/retrieval/retrieve.ts";
import {
  analyseQuestionInMemory,
  searchLexicalInMemory,
} from "../../src/retrieval/lexical-memory.ts";
import { analyseQuestion, searchLexical } from "../../src/retrieval/lexical.ts";
import { percentile, round } from "../shared/stats.ts";
import { DEFAULT_TENANT } from "../../src/auth/keys.ts";

/** Median time of the retrieval steps, measured apart from answerQuestion on a few questions. */
export type StageBreakdown = {
  n: number;
  /** Where BM25 ran: the in-memory index, or SQL in the store (VERITY_LEXICAL=sql). */
  lexical: "memory" | "sql";
  embed_p50_ms: number;
  bm25_p50_ms: number;
  ann_p50_ms: number;
};

/** Same depth retrieveCandidates asks of each retriever. */
const LIST_DEPTH = 50;

/**
 * Where a question's time goes before sentence scoring: the query embedding, BM25 (question
 * analysis plus the ranked search, wherever the store's configuration runs it) and the HNSW
 * search. The rest of an answer's time is scoring sentences, verifying quotes and the record.
 */
export async function measureStages(
  deps: Pick<RetrievalDeps, "db" | "embedder" | "index">,
  questions: string[],
): Promise<StageBreakdown> {
  const { db, embedder, index } = deps;
  const inMemory = index.current().lexical;
  const embed: number[] = [];
  const bm25: number[] = [];
  const ann: number[] = [];
  const options = { k: LIST_DEPTH, tenant: DEFAULT_TENANT };
  for (const question of questions) {
    let t = performance.now();
    const vector = await embedder.embedQuery(question);
    embed.push(performance.now() - t);
    t = performance.now();
    if (inMemory)
      searchLexicalInMemory(inMemory, analyseQuestionInMemory(inMemory, question), options);
    else await searchLexical(db, await analyseQuestion(db, question), options);
    bm25.push(performance.now() - t);
    t = performance.now();
    index.current().index.search(vector, LIST_DEPTH);
    ann.push(performance.now() - t);
  }
  return {
    n: questions.length,
    lexical: inMemory ? "memory" : "sql",
    embed_p50_ms: round(percentile(embed, 50)),
    bm25_p50_ms: round(percentile(bm25, 50)),
    ann_p50_ms: round(percentile(ann, 50)),
  };
}
