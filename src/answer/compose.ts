import { newId } from "../ids.ts";
import { foreignLanguage } from "../text/language.ts";
import { splitNamedAlternatives, splitQuestion } from "../text/question-parts.ts";
import {
  answerPart,
  locationOf,
  type AnswerDeps,
  type Evidence,
  type PartOutcome,
  type SearchScope,
} from "./answer-part.ts";
import { hashPolicy, thresholdFor } from "./policy.ts";
import type {
  Answer,
  AnswerPart,
  AnswerRequest,
  AnswerSentence,
  Citation,
  RefusalReason,
} from "./schema.ts";

export type { AnswerDeps, Evidence } from "./answer-part.ts";

export type Answered = { answer: Answer; evidence: Evidence };

/**
 * A request as answering handles it: what the client sent, plus the tenant it is answered for
 * (the caller's, never the body's; "default" for evaluation, benchmarks and training).
 */
export type AnswerInput = AnswerRequest & { tenant: string };

/**
 * Answer a question: refuse one in a language the tenant's corpus is not in; split one that asks
 * several things into parts and answer each on its own evidence (status `partial` when only some
 * are answered); otherwise answer it whole. A question naming alternatives ("on Team and
 * Premium") is split only when it cannot be answered whole. Nothing is written: recording the
 * answer is the caller's step (recordAnswer).
 */
export async function answerQuestion(deps: AnswerDeps, input: AnswerInput): Promise<Answered> {
  const { question } = input;
  const scope: SearchScope = { tenant: input.tenant, sourceIds: input.sourceIds };
  const languages = deps.index.current().languagesOf.get(input.tenant) ?? new Set<string>();
  const foreign = languages.size > 0 ? foreignLanguage(question, languages) : null;
  if (foreign) {
    const known = [...languages].sort().join(", ");
    const reason = {
      code: "UNSUPPORTED_LANGUAGE" as const,
      message: `The question looks written in "${foreign}"; the sources are in ${known}. Ask in a language of the sources.`,
      bestScore: null,
    };
    return composeAnswer(deps, input, [], { reason, evidence: noEvidence() });
  }
  const asked = splitQuestion(question);
  if (asked.length === 1) {
    const whole = await answerPart(deps, question, scope);
    const alternatives =
      whole.reason?.code === "LOW_SUPPORT" ? splitNamedAlternatives(question) : [question];
    if (alternatives.length === 1) return composeAnswer(deps, input, [whole]);
    const parts = await answerParts(deps, alternatives, scope);
    // Split or not, nothing could be answered: the whole question's refusal says it best.
    if (parts.every((p) => p.status === "refused")) return composeAnswer(deps, input, [whole]);
    return composeAnswer(deps, input, parts);
  }
  return composeAnswer(deps, input, await answerParts(deps, asked, scope));
}

/** Parts in order; each may not cite a sentence an earlier part cited. */
async function answerParts(
  deps: AnswerDeps,
  questions: string[],
  scope: SearchScope,
): Promise<PartOutcome[]> {
  const taken = new Set<string>();
  const parts: PartOutcome[] = [];
  for (const question of questions) {
    const part = await answerPart(deps, question, scope, taken);
    // What a part cited, copies in other documents included, is not another part's evidence.
    for (const s of part.evidence.selected) taken.add(locationOf(s.candidate.versionId, s.start));
    parts.push(part);
  }
  return parts;
}

function noEvidence(): Evidence {
  return {
    retrieval: { query: { terms: [], chunkCount: 0, avgLength: 0 }, candidates: [] },
    sentences: [],
    selected: [],
    featureInput: () => {
      throw new Error("no sentences were scored");
    },
  };
}

/**
 * The answer body from its parts: one part is a plain question (`parts` stays empty); several
 * are listed with their own status, and the answer is `partial` when some were refused.
 */
function composeAnswer(
  deps: AnswerDeps,
  input: AnswerRequest,
  parts: PartOutcome[],
  refusedWhole?: { reason: RefusalReason; evidence: Evidence },
): Answered {
  const { policy } = deps;
  const answered = parts.filter((p) => p.status === "answered");
  const status =
    answered.length === 0 ? "refused" : answered.length === parts.length ? "answered" : "partial";
  const reason = refusedWhole?.reason ?? parts.find((p) => p.status === "refused")?.reason ?? null;
  const sentences: AnswerSentence[] = [];
  const citations: Citation[] = [];
  const partsOut: AnswerPart[] = parts.map((p) => {
    const sentenceIndexes: number[] = [];
    for (const s of p.sentences) {
      sentenceIndexes.push(sentences.length);
      sentences.push({ text: s.text, citationIds: s.citations.map((c) => c.id) });
      citations.push(...s.citations);
    }
    const { question, status, reason, confidence } = p;
    return { question, status, reason, confidence, sentenceIndexes };
  });
  const confidences = answered.map((p) => p.confidence);
  const answer: Answer = {
    // Field order is the documented contract's: what a bot routes on comes first.
    id: newId("ans"),
    status,
    answer: sentences.length > 0 ? sentences.map((s) => s.text).join(" ") : null,
    reason,
    // Several parts are all right only as often as the least sure of them.
    confidence:
      confidences.length > 0 && confidences.every((c) => c !== null)
        ? Math.min(...(confidences as number[]))
        : null,
    support: answered.length > 0 ? Math.min(...answered.map((p) => p.support ?? 0)) : null,
    sentences,
    citations,
    parts: parts.length > 1 ? partsOut : [],
    question: input.question,
    policy: {
      threshold: parts.length === 1 ? parts[0]!.threshold : thresholdFor(policy, input.question),
      targetPrecision: deps.verifier ? policy.targetPrecision : null,
      verifier: deps.crossEncoder?.id ?? deps.verifier?.version ?? null,
      embeddingModel: deps.embedder.modelId,
      hash: hashPolicy(policy),
    },
    createdAt: new Date().toISOString(),
  };
  const evidence = refusedWhole?.evidence ?? mergedEvidence(parts);
  return { answer, evidence };
}

/** One part's evidence as it is; several parts' as the first's, with every part's selection. */
function mergedEvidence(parts: PartOutcome[]): Evidence {
  const [first, ...rest] = parts;
  if (!first) return noEvidence();
  if (rest.length === 0) return first.evidence;
  return { ...first.evidence, selected: parts.flatMap((p) => p.evidence.selected) };
}
