import { askQuestion } from "../../src/answer/ask.ts";
import type { AnswerDeps } from "../../src/answer/compose.ts";
import { timeSequentially, type LatencySummary } from "../shared/stats.ts";
import { DEFAULT_TENANT } from "../../src/auth/keys.ts";

export type QueryReport = LatencySummary & { answered: number; refused: number };

/** Questions asked before timing starts: JIT, PGlite's caches and the model's first call. */
const WARMUP = 5;

/** One question at a time through askQuestion, what POST /v1/answers runs (record included). */
export async function measureAnswers(deps: AnswerDeps, questions: string[]): Promise<QueryReport> {
  for (const question of questions.slice(0, WARMUP))
    await askQuestion(deps, { question, tenant: DEFAULT_TENANT });
  let answered = 0;
  const summary = await timeSequentially(questions, async (question) => {
    const { answer } = await askQuestion(deps, { question, tenant: DEFAULT_TENANT });
    if (answer.status === "answered") answered += 1;
  });
  return { ...summary, answered, refused: summary.n - answered };
}
