import type { EvalQuestion } from "../corpora/types.ts";
import { createRng, shuffled } from "../../src/rng.ts";

/**
 * Questions whose gold documents every scale store holds, whatever its size: the scale points
 * ask the first --scale-questions of them, so a small store is not measured on refusals alone.
 * Fixed, so a cached store does not depend on the options of the run that built it.
 */
export const PINNED_QUESTIONS = 200;
const SEED = 5;

export type BenchQuestion = {
  question: string;
  dataset: "squad2" | "scifact";
  answerable: boolean;
  goldDocuments: string[];
};

/**
 * SQuAD questions and SciFact claims in one fixed order: each shuffled (seeded), then taken in
 * turn while both last, so any prefix is about half of each.
 */
export function orderQuestions(questions: {
  squad2: EvalQuestion[];
  scifact: EvalQuestion[];
}): BenchQuestion[] {
  const rng = createRng(SEED);
  const as = (dataset: BenchQuestion["dataset"]) => (q: EvalQuestion) => ({
    question: q.question,
    dataset,
    answerable: q.answerable,
    goldDocuments: q.goldDocuments,
  });
  const byId = (a: EvalQuestion, b: EvalQuestion) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  const squad = shuffled([...questions.squad2].sort(byId), rng).map(as("squad2"));
  const scifact = shuffled([...questions.scifact].sort(byId), rng).map(as("scifact"));
  const out: BenchQuestion[] = [];
  for (let i = 0; i < Math.max(squad.length, scifact.length); i++) {
    if (i < squad.length) out.push(squad[i]!);
    if (i < scifact.length) out.push(scifact[i]!);
  }
  return out;
}

/** The documents every scale store holds: those the pinned questions are about. */
export function pinnedDocuments(ordered: BenchQuestion[]): Set<string> {
  return new Set(ordered.slice(0, PINNED_QUESTIONS).flatMap((q) => q.goldDocuments));
}
