import { timeStage } from "../metrics/metrics.ts";
import { retrieveCandidates, type Retrieval, type RetrievalDeps } from "../retrieval/retrieve.ts";
import type { CrossEncoder } from "../scoring/cross-encoder.ts";
import { scoreSentences, type ScoredSentence, type SentenceEvidence } from "../scoring/evidence.ts";
import { analysePassage } from "../scoring/passage-analysis.ts";
import { isKeywordNoise } from "../scoring/question-form.ts";
import { rescoreWithCrossEncoder } from "../scoring/rescore.ts";
import type { VerifierModel } from "../scoring/verifier.ts";
import { citeVerified } from "./cite.ts";
import { confidenceFor, thresholdFor, type Policy } from "./policy.ts";
import { roundScore } from "./round.ts";
import type { Citation, RefusalCode, RefusalReason } from "./schema.ts";
import { selectSentences, withCopies } from "./select.ts";

/** Sentences a cross-encoder reads: the heuristic's best few (a forward pass per sentence). */
const CROSS_ENCODER_DEPTH = 10;

/** What answering reads: retrieval's needs, the refusal policy and the optional verifier. */
export type AnswerDeps = RetrievalDeps & {
  policy: Policy;
  verifier: VerifierModel | null;
  /** The optional neural verifier, and the probability it must reach to answer. */
  crossEncoder: CrossEncoder | null;
  crossEncoderThreshold: number;
};

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

/** One sentence of an answer and the verified citations of every source that states it. */
export type CitedSentence = { text: string; score: number; citations: Citation[] };

/** What answering one question (or one part of a multi-part question) produced. */
export type PartOutcome = {
  question: string;
  status: "answered" | "refused";
  reason: RefusalReason | null;
  sentences: CitedSentence[];
  /** Score of the weakest cited sentence; null when refused. */
  support: number | null;
  confidence: number | null;
  /** The threshold this input was held to. */
  threshold: number;
  evidence: Evidence;
};

const NO_SENTENCES: SentenceEvidence = {
  sentences: [],
  featureInput: () => {
    throw new Error("no sentences were scored");
  },
};

/** What a question may be answered from: a tenant's sources, or the given ones of them. */
export type SearchScope = { tenant: string; sourceIds: string[] | undefined };

/** Where a sentence sits in the corpus: a part may not cite what another part cited. */
export const locationOf = (versionId: string, start: number) => `${versionId}:${start}`;

/**
 * Answer one question extractively: retrieve, score every sentence and table row of the
 * retrieved chunks, keep the best that clear the threshold (with identical sentences of other
 * documents as extra citations), verify each quote against the stored text and hashes, and
 * refuse with a reason when nothing survives. `taken` holds the locations other parts of the
 * same question cited: a part is never answered with another part's evidence.
 */
export async function answerPart(
  deps: AnswerDeps,
  question: string,
  scope: SearchScope,
  taken: ReadonlySet<string> = new Set(),
): Promise<PartOutcome> {
  const { policy } = deps;
  const retrieval = await timeStage(deps.metrics, "retrieve", () =>
    retrieveCandidates(deps, {
      question,
      tenant: scope.tenant,
      sourceIds: scope.sourceIds,
      k: policy.candidateChunks,
      excludeSuspectedInjection: policy.excludeSuspectedInjection,
      citableTrust: policy.citableTrust,
      // Scoring analyses these passages next (in process, kept by text): begun while the
      // question's vector is computed, it is off the answer's critical path.
      whileEmbedding: deps.index.current().lexical ? analysePassage : undefined,
    }),
  );
  const threshold = deps.crossEncoder ? deps.crossEncoderThreshold : thresholdFor(policy, question);
  const outcome = (
    scored: SentenceEvidence,
    selected: ScoredSentence[],
    rest: Pick<PartOutcome, "status" | "reason" | "sentences" | "support" | "confidence">,
  ): PartOutcome => ({
    question,
    ...rest,
    threshold,
    evidence: {
      retrieval,
      sentences: scored.sentences,
      selected,
      featureInput: scored.featureInput,
    },
  });
  const refuse = (
    code: RefusalCode,
    message: string,
    bestScore: number | null = null,
    scored = NO_SENTENCES,
    selected: ScoredSentence[] = [],
  ) =>
    outcome(scored, selected, {
      status: "refused",
      reason: { code, message, bestScore },
      sentences: [],
      support: null,
      confidence: null,
    });

  const { terms } = retrieval.query;
  if (terms.length === 0)
    return refuse("NO_SEARCHABLE_TERMS", "The question has no searchable words.");
  if (isKeywordNoise(question, terms)) {
    return refuse(
      "NO_QUESTION_CONTENT",
      "The input is a lone or repeated keyword, not a question; ask what you want to know about it.",
    );
  }
  if (
    retrieval.candidates.length === 0 ||
    retrieval.candidates.every((c) => c.lexicalRank === null)
  )
    return refuse("NO_EVIDENCE", "No source passage shares the question's terms.");

  const heuristic = await timeStage(deps.metrics, "score", () =>
    scoreSentences(
      deps.db,
      question,
      retrieval.query,
      retrieval.candidates,
      deps.verifier,
      // Analysed as the lexical index was: in process when it is in memory.
      deps.index.current().lexical !== null,
    ),
  );
  const scored: SentenceEvidence = deps.crossEncoder
    ? {
        ...heuristic,
        sentences: await timeStage(deps.metrics, "rescore", () =>
          rescoreWithCrossEncoder(
            deps.crossEncoder!,
            question,
            heuristic.sentences,
            CROSS_ENCODER_DEPTH,
          ),
        ),
      }
    : heuristic;
  const usable = scored.sentences.filter(
    (s) => !taken.has(locationOf(s.candidate.versionId, s.start)),
  );
  const best = usable[0];
  if (!best || best.score < threshold) {
    const measure = deps.crossEncoder
      ? "cross-encoder probability"
      : deps.verifier
        ? "verifier probability"
        : "support";
    return refuse(
      "LOW_SUPPORT",
      `The best evidence (${measure} ${(best?.score ?? 0).toFixed(2)}) is below the policy threshold ${threshold}.`,
      best ? roundScore(best.score) : null,
      scored,
    );
  }
  const chosen = withCopies(selectSentences(usable, { ...policy, threshold }), usable, threshold);
  const flat = chosen.flatMap((c) => [c.sentence, ...c.alsoIn]);
  // Against the version texts and hashes loaded from the store with the index searched.
  const { corpus } = deps.index.current();
  const verified = await timeStage(deps.metrics, "verify", async () =>
    citeVerified(corpus.version, flat, threshold, deps.metrics),
  );
  const citationOf = new Map(flat.map((s, i) => [s, verified[i] ?? null]));
  const sentences: CitedSentence[] = chosen.flatMap(({ sentence, alsoIn }) => {
    const citations = [sentence, ...alsoIn].flatMap((s) => citationOf.get(s) ?? []);
    return citations.length > 0 ? [{ text: sentence.text, score: sentence.score, citations }] : [];
  });
  // Everything sent to verification, copies included: what eval counts and other parts avoid.
  const selected = flat;
  if (sentences.length === 0) {
    const message = "Evidence was found but failed verification against the stored sources.";
    return refuse("UNVERIFIED_EVIDENCE", message, best.score, scored, selected);
  }
  const support = Math.min(...sentences.map((s) => s.score));
  // The maps were fitted on the heuristic's support: another scorer's numbers are not theirs.
  const calibrated = !deps.verifier && !deps.crossEncoder;
  return outcome(scored, selected, {
    status: "answered",
    reason: null,
    sentences,
    support: roundScore(support),
    confidence: calibrated ? confidenceFor(policy, question, support) : null,
  });
}
