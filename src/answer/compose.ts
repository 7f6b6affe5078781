import { inArray } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { documentVersions } from "../db/schema/index.ts";
import { verifyCitation } from "../citations/verify.ts";
import { newId } from "../ids.ts";
import type { Embedder } from "../retrieval/embedder.ts";
import type { SearchableIndex } from "../retrieval/index-store.ts";
import { retrieveCandidates, type Retrieval } from "../retrieval/retrieve.ts";
import { scoreSentences, type ScoredSentence } from "./evidence.ts";
import type { Policy } from "./policy.ts";
import type { VerifierModel } from "./verifier.ts";
import type { Answer, AnswerRequest, Citation, RefusalCode } from "./schema.ts";
import { saveAnswer } from "./store.ts";

export type AnswerDeps = {
  db: Database;
  embedder: Embedder;
  searchable: () => SearchableIndex;
  policy: Policy;
  /** The fitted answerability verifier; null scores evidence with the hand-weighted heuristic. */
  verifier?: VerifierModel | null;
};

/**
 * Answer extractively: retrieve, score every sentence of the retrieved chunks, keep the best
 * ones that clear the policy threshold, verify each quote against the stored text and hashes,
 * and refuse with a reason when nothing survives. The record is stored either way.
 */
/**
 * Lets evaluation and training see what the answer was built from (retrieval and every scored
 * sentence) without a second code path; the HTTP route passes none.
 */
export type EvidenceObserver = (evidence: {
  retrieval: Retrieval;
  scored: ScoredSentence[];
}) => void;

export async function answerQuestion(
  deps: AnswerDeps,
  input: AnswerRequest,
  observe?: EvidenceObserver,
): Promise<Answer> {
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
  let result: Answer;
  if (retrieval.query.terms.length === 0) {
    observe?.({ retrieval, scored: [] });
    result = refuse("NO_SEARCHABLE_TERMS", "The question has no searchable words.");
  } else if (
    retrieval.candidates.length === 0 ||
    retrieval.candidates.every((c) => c.lexicalRank === null)
  ) {
    observe?.({ retrieval, scored: [] });
    result = refuse("NO_EVIDENCE", "No source passage shares the question's terms.");
  } else {
    const scored = await scoreSentences(
      deps.db,
      input.question,
      retrieval.query,
      retrieval.candidates,
      deps.verifier ?? null,
    );
    observe?.({ retrieval, scored });
    const best = scored[0];
    if (!best || best.score < policy.threshold) {
      result = refuse(
        "LOW_SUPPORT",
        `The best evidence (${deps.verifier ? "verifier probability" : "support"} ${(best?.score ?? 0).toFixed(2)}) is below the policy threshold ${policy.threshold}.`,
        best ? round(best.score) : null,
      );
    } else {
      const citations = await verifySelected(
        deps.db,
        selectSentences(scored, policy),
        policy.threshold,
      );
      result =
        citations.length === 0
          ? refuse(
              "UNVERIFIED_EVIDENCE",
              "Evidence was found but failed verification against the stored sources.",
              best.score,
            )
          : base({
              status: "answered" as const,
              answer: citations.map((c) => c.quote).join(" "),
              reason: null,
              sentences: citations.map((c) => ({ text: c.quote, citationIds: [c.id] })),
              citations,
            });
    }
  }
  await saveAnswer(deps.db, result, input.sourceIds ?? null);
  return result;
}

/** The best sentence, plus close runners-up that say something else. */
export function selectSentences(scored: ScoredSentence[], policy: Policy): ScoredSentence[] {
  const best = scored[0];
  if (!best) return [];
  const chosen: ScoredSentence[] = [best];
  for (const s of scored.slice(1)) {
    if (chosen.length >= policy.maxSentences) break;
    if (s.score < policy.threshold || s.score < best.score - policy.companionMargin) break;
    if (!chosen.some((c) => restates(c.text, s.text))) chosen.push(s);
  }
  return chosen;
}

/** Two sentences say the same when one contains the other, ignoring case and end punctuation. */
function restates(a: string, b: string): boolean {
  const bare = (x: string) => x.toLowerCase().replace(/[\s.!;:]+$/, "");
  const [x, y] = [bare(a), bare(b)];
  return x.includes(y) || y.includes(x);
}

async function verifySelected(
  db: Database,
  selected: ScoredSentence[],
  threshold: number,
): Promise<Citation[]> {
  if (selected.length === 0) return [];
  const versionIds = [...new Set(selected.map((s) => s.candidate.versionId))];
  const versions = await db
    .select({
      id: documentVersions.id,
      text: documentVersions.text,
      sha256: documentVersions.textSha256,
    })
    .from(documentVersions)
    .where(inArray(documentVersions.id, versionIds));
  const byId = new Map(versions.map((v) => [v.id, v]));
  return selected.flatMap((s) => {
    const version = byId.get(s.candidate.versionId);
    if (!version) return [];
    const { candidate } = s;
    const check = verifyCitation(
      {
        quote: s.text,
        start: s.start,
        end: s.end,
        score: s.score,
        chunkSha256: candidate.sha256,
        versionSha256: version.sha256,
      },
      {
        versionText: version.text,
        versionSha256: version.sha256,
        chunk: {
          start: candidate.start,
          end: candidate.end,
          text: candidate.text,
          sha256: candidate.sha256,
        },
      },
      threshold,
    );
    if (!check.verified) return [];
    const citation: Citation = {
      id: newId("cit"),
      sourceId: candidate.sourceId,
      documentId: candidate.documentId,
      versionId: candidate.versionId,
      chunkId: candidate.chunkId,
      uri: candidate.uri,
      title: candidate.title,
      path: candidate.path,
      trust: candidate.trust,
      quote: s.text,
      start: s.start,
      end: s.end,
      sha256: version.sha256,
      chunkSha256: candidate.sha256,
      score: round(s.score),
      verified: true,
    };
    return [citation];
  });
}

function round(x: number): number {
  return Math.round(x * 10000) / 10000;
}
