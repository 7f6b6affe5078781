import { sha256 } from "../../src/hash.ts";
import type { EvalQuestion } from "./types.ts";

/** Numeric ids (SciFact) in numeric order, others (SQuAD's hex ids) in code-unit order. */
export function compareIds(a: string, b: string): number {
  if (/^\d+$/.test(a) && /^\d+$/.test(b)) return Number(a) - Number(b);
  return a < b ? -1 : a > b ? 1 : 0;
}

const sampleRank = (id: string) => sha256(`verity-eval-sample:${id}`);

/**
 * The questions to ask, in id order. `limit`: the first N by id. `sample`: N drawn by hashed id
 * within the answerable and the unanswerable questions, in proportion to their shares, so a
 * small sample has the full set's mix (SQuAD's sorted ids put the unanswerable ones last).
 */
export function selectQuestions(
  questions: EvalQuestion[],
  { limit, sample }: { limit?: number; sample?: number },
): EvalQuestion[] {
  const sorted = [...questions].sort((a, b) => compareIds(a.id, b.id));
  if (limit !== undefined) return sorted.slice(0, limit);
  if (sample === undefined || sample >= sorted.length) return sorted;
  const answerable = sorted.filter((q) => q.answerable);
  const unanswerable = sorted.filter((q) => !q.answerable);
  const wantAnswerable = Math.round((sample * answerable.length) / sorted.length);
  const pick = (pool: EvalQuestion[], n: number) =>
    pool
      .map((q) => ({ q, rank: sampleRank(q.id) }))
      .sort((a, b) => (a.rank < b.rank ? -1 : 1))
      .slice(0, n)
      .map(({ q }) => q);
  return [...pick(answerable, wantAnswerable), ...pick(unanswerable, sample - wantAnswerable)].sort(
    (a, b) => compareIds(a.id, b.id),
  );
}
