import { askQuestion } from "../../src/answer/ask.ts";
import type { AnswerDeps } from "../../src/answer/compose.ts";
import { timeSequentially, type LatencySummary } from "../shared/stats.ts";
import { DEFAULT_TENANT } from "../../src/auth/keys.ts";

export type QueryReport = LatencySummary & {
  answered: number;
  refused: number;
  /**
   * The warm-up answers, timed too: what the first questions after opening cost (the code not yet
   * optimised by V8, the caches empty). Not part of the figures above.
   */
  warm_up: LatencySummary;
};

/**
 * How many questions are answered before timing starts. A server answers thousands of questions
 * after it starts; the first few hundred run in code V8 has not yet optimised (they took about
 * half again as long at 100k chunks), so figures taken then describe a start-up, not serving.
 */
export const WARM_UP_QUESTIONS = 300;

/**
 * One question at a time through askQuestion, what POST /v1/answers runs (record included), after
 * the `warmUp` questions. Those should be other questions than the measured ones, so no measured
 * answer is faster for having been asked before.
 */
export async function measureAnswers(
  deps: AnswerDeps,
  questions: string[],
  warmUp: string[],
): Promise<QueryReport> {
  const ask = (question: string) => askQuestion(deps, { question, tenant: DEFAULT_TENANT });
  const warm_up = await timeSequentially(warmUp, ask);
  let answered = 0;
  const summary = await timeSequentially(questions, async (question) => {
    const { answer } = await ask(question);
    if (answer.status === "answered") answered += 1;
  });
  return { ...summary, answered, refused: summary.n - answered, warm_up };
}
