import { answerQuestion, type AnswerDeps } from "../../src/answer/compose.ts";
import { predictAnswerable, type VerifierModel } from "../../src/scoring/verifier.ts";
import type { Evidence } from "../../src/answer/compose.ts";
import { percentile, round } from "../shared/stats.ts";
import { DEFAULT_TENANT } from "../../src/auth/keys.ts";

export type VerifierCost = {
  model: string;
  n: number;
  /** answerQuestion p50 with the heuristic alone, and with the verifier re-ranking. */
  heuristic_p50_ms: number;
  verifier_p50_ms: number;
  added_p50_ms: number;
  /** The verifier's own work per question (features and model over its re-ranked sentences). */
  scoring_p50_ms: number;
};

/**
 * What the answerability verifier costs an answer: every question is asked twice on the same
 * store, with and without the verifier, in alternating order so drift and caches favour neither;
 * and the verifier's own scoring of the same evidence is timed apart from the database work.
 */
export async function measureVerifier(
  deps: AnswerDeps,
  model: VerifierModel,
  questions: string[],
): Promise<VerifierCost> {
  const without = { ...deps, verifier: null };
  const withModel = { ...deps, verifier: model };
  const heuristic: number[] = [];
  const verified: number[] = [];
  const scoring: number[] = [];
  const time = async (d: AnswerDeps, question: string, into: number[]) => {
    const t = performance.now();
    const { evidence } = await answerQuestion(d, { question, tenant: DEFAULT_TENANT });
    into.push(performance.now() - t);
    return evidence;
  };
  for (const question of questions.slice(0, 5)) await time(withModel, question, []);
  for (const [i, question] of questions.entries()) {
    const first = i % 2 === 0;
    const evidence: Evidence = await time(
      first ? without : withModel,
      question,
      first ? heuristic : verified,
    );
    await time(first ? withModel : without, question, first ? verified : heuristic);
    const reranked = evidence.sentences.filter((s) => s.heuristicRank < model.rerankDepth);
    const t = performance.now();
    for (const s of reranked) predictAnswerable(model, evidence.featureInput(s));
    scoring.push(performance.now() - t);
  }
  const h = percentile(heuristic, 50);
  const v = percentile(verified, 50);
  return {
    model: model.version,
    n: questions.length,
    heuristic_p50_ms: round(h),
    verifier_p50_ms: round(v),
    added_p50_ms: round(v - h),
    scoring_p50_ms: round(percentile(scoring, 50), 3),
  };
}
