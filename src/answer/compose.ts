import { newId } from "../ids.ts";
import { retrieveCandidates, type Retrieval, type RetrievalDeps } from "../retrieval/retrieve.ts";
import { scoreSentences, type ScoredSentence, type SentenceEvidence } from "../scoring/evidence.ts";
import type { VerifierModel } from "../scoring/verifier.ts";
import { citeVerified } from "./cite.ts";
import { roundScore } from "./round.ts";
import type { Policy } from "./policy.ts";
import type { Answer, AnswerRequest, RefusalCode } from "./schema.ts";
import { selectSentences } from "./select.ts";

/** What answering reads: retrieval's needs, the refusal policy and the optional verifier. */
export type AnswerDeps = RetrievalDeps & { policy: Policy; verifier: VerifierModel | null };

/**
 * What an answer was built from: the retrieval, every scored sentence (with the verifier's input
 * on demand), and the sentences selected for verification. Evaluation and training read it; the
 * HTTP path ignores it.
 */
export type Evidence = {
  retrieval: Retrieval;
  sentences: ScoredSentence[];
  selected: ScoredSentence[];
  featureInput: SentenceEvidence["featureInput"];
};

export type Answered = { answer: Answer; evidence: Evidence };

const NO_SENTENCES: SentenceEvidence = {
  sentences: [],
  featureInput: () => {
    throw new Error("no sentences were scored");
  },
};

/**
 * Answer extractively: retrieve, score every sentence of the retrieved chunks, keep the best
 * ones that clear the policy threshold, verify each quote against the stored text and hashes,
 * and refuse with a reason when nothing survives. Nothing is written: recording the answer is
 * the caller's step (recordAnswer).
 */
export async function answerQuestion(deps: AnswerDeps, input: AnswerRequest): Promise<Answered> {
  const { policy } = deps;
  const id = newId("ans");
  const createdAt = new Date().toISOString();
  const policyUsed = {
    threshold: policy.threshold,
    targetPrecision: deps.verifier ? policy.targetPrecision : null,
    verifier: deps.verifier?.version ?? null,
    embeddingModel: deps.embedder.modelId,
  };
  // Field order is the documented contract's: what a bot routes on comes first.
  const base = <T extends object>(rest: T) => ({
    id,
    ...rest,
    question: input.question,
    policy: policyUsed,
    createdAt,
  });
  const refuse = (code: RefusalCode, message: string, bestScore: number | null = null): Answer =>
    base({
      status: "refused" as const,
      answer: null,
      reason: { code, message, bestScore },
      sentences: [],
      citations: [],
    });
  const retrieval = await retrieveCandidates(deps, {
    question: input.question,
    sourceIds: input.sourceIds,
    k: policy.candidateChunks,
  });
  const done = (answer: Answer, scored = NO_SENTENCES, selected: ScoredSentence[] = []) => ({
    answer,
    evidence: {
      retrieval,
      sentences: scored.sentences,
      selected,
      featureInput: scored.featureInput,
    },
  });

  if (retrieval.query.terms.length === 0)
    return done(refuse("NO_SEARCHABLE_TERMS", "The question has no searchable words."));
  if (
    retrieval.candidates.length === 0 ||
    retrieval.candidates.every((c) => c.lexicalRank === null)
  )
    return done(refuse("NO_EVIDENCE", "No source passage shares the question's terms."));

  const scored = await scoreSentences(
    deps.db,
    input.question,
    retrieval.query,
    retrieval.candidates,
    deps.verifier,
  );
  const best = scored.sentences[0];
  if (!best || best.score < policy.threshold) {
    const measure = deps.verifier ? "verifier probability" : "support";
    return done(
      refuse(
        "LOW_SUPPORT",
        `The best evidence (${measure} ${(best?.score ?? 0).toFixed(2)}) is below the policy threshold ${policy.threshold}.`,
        best ? roundScore(best.score) : null,
      ),
      scored,
    );
  }
  const selected = selectSentences(scored.sentences, policy);
  const citations = await citeVerified(deps.db, selected, policy.threshold);
  if (citations.length === 0) {
    const message = "Evidence was found but failed verification against the stored sources.";
    return done(refuse("UNVERIFIED_EVIDENCE", message, best.score), scored, selected);
  }
  const answer = base({
    status: "answered" as const,
    answer: citations.map((c) => c.quote).join(" "),
    reason: null,
    sentences: citations.map((c) => ({ text: c.quote, citationIds: [c.id] })),
    citations,
  });
  return done(answer, scored, selected);
}
