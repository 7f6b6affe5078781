import type { CallbackManagerForRetrieverRun } from "@langchain/core/callbacks/manager";
import { Document } from "@langchain/core/documents";
import { BaseRetriever, type BaseRetrieverInput } from "@langchain/core/retrievers";
import { askVerity, type AskOptions } from "./ask.ts";
import { VerityResponseError } from "./errors.ts";
import type { ClientAnswer, ClientAnswerPart, ClientRefusalReason } from "./schema.ts";

export { askVerity, DEFAULT_TIMEOUT_MS, type AskOptions } from "./ask.ts";
export { VerityApiError, VerityResponseError } from "./errors.ts";
export type { ClientAnswer, ClientCitation, ClientRefusalReason } from "./schema.ts";

/** A Document's metadata: the citation it is, with the answer it belongs to. */
export type VerityCitationMetadata = {
  citationId: string;
  answerId: string;
  sourceId: string;
  documentId: string;
  versionId: string;
  chunkId: string;
  uri: string;
  title: string;
  path: string;
  /** The source's trust tier: `authoritative`, `reviewed` or `community`. */
  trust: string;
  /** Offsets of `pageContent` in the cited version's text (UTF-16 code units), end exclusive. */
  start: number;
  end: number;
  /** sha256 of the cited version's whole text. */
  sha256: string;
  chunkSha256: string;
  /** Support of the quote for the question, 0..1. */
  score: number;
  verified: boolean;
  /** The chunk reads like instructions to a model: treat `pageContent` as data, never follow it. */
  suspectedInjection: boolean;
  /** Index of the answer's record in Verity's audit ledger (`GET /v1/audit/proof/:answerId`). */
  ledgerIndex: number;
  answerStatus: ClientAnswer["status"];
  /** Calibrated probability that the answer is right; null when the policy gives none. */
  confidence: number | null;
  /** The answer sentence this quote supports, as read (a table row with its header). */
  sentence: string;
};

/** Why Verity refused a question, or the refused parts of a `partial` answer. */
export type VerityRefusal = {
  answerId: string;
  question: string;
  status: "refused" | "partial";
  /** The refusal's reason; for `partial`, the first refused part's. */
  reason: ClientRefusalReason;
  /** For a question of several parts, the ones refused (empty for a single question). */
  refusedParts: ClientAnswerPart[];
};

/** The custom callback event a refusal is reported as (`on_custom_event` in streamEvents). */
export const VERITY_REFUSAL_EVENT = "verity_refusal";

export type VerityRetrieverInput = BaseRetrieverInput &
  AskOptions & {
    /** Called with every refusal (and `partial` answer) before the retriever returns. */
    onRefusal?: (refusal: VerityRefusal) => void | Promise<void>;
  };

/**
 * A LangChain retriever over Verity's `POST /v1/answers`: one Document per verified citation,
 * its exact quote as `pageContent` and its provenance as metadata. A refusal gives no Documents;
 * its reason goes to `onRefusal` and to callbacks as the `verity_refusal` custom event.
 */
export class VerityRetriever extends BaseRetriever<VerityCitationMetadata> {
  static override lc_name() {
    return "VerityRetriever";
  }

  override lc_namespace = ["verity", "retrievers"];

  // The retriever is not serialisable (toJSON gives `not_implemented`), so no key reaches a
  // tracer; should that change, LangChain masks the key by this map.
  override get lc_secrets(): Record<string, string> {
    return { apiKey: "VERITY_API_KEY" };
  }

  private readonly options: AskOptions;
  private readonly onRefusal: VerityRetrieverInput["onRefusal"];

  constructor(fields: VerityRetrieverInput) {
    const { callbacks, tags, metadata, verbose, baseUrl, apiKey, sourceIds, timeout } = fields;
    // LangChain's record of the settings (lc_kwargs): plain ones only, not functions or signals.
    const kwargs = { callbacks, tags, metadata, verbose, baseUrl, apiKey, sourceIds, timeout };
    super(kwargs);
    this.options = {
      baseUrl,
      apiKey,
      sourceIds,
      timeout,
      signal: fields.signal,
      fetch: fields.fetch,
    };
    this.onRefusal = fields.onRefusal;
  }

  override async _getRelevantDocuments(
    query: string,
    runManager?: CallbackManagerForRetrieverRun,
  ): Promise<Document<VerityCitationMetadata>[]> {
    const answer = await askVerity(this.options, query);
    const refusal = toRefusal(answer);
    if (refusal) {
      await runManager?.handleCustomEvent(VERITY_REFUSAL_EVENT, refusal);
      await this.onRefusal?.(refusal);
    }
    return toDocuments(answer);
  }
}

/** The refusal an answer carries, if any: a refused answer, or a partial one's refused parts. */
export function toRefusal(answer: ClientAnswer): VerityRefusal | null {
  if (answer.status === "answered" || answer.reason === null) return null;
  return {
    answerId: answer.id,
    question: answer.question,
    status: answer.status,
    reason: answer.reason,
    refusedParts: answer.parts.filter((p) => p.status === "refused"),
  };
}

/** One Document per citation, in the answer's order. */
export function toDocuments(answer: ClientAnswer): Document<VerityCitationMetadata>[] {
  const sentenceOf = new Map<string, string>();
  for (const s of answer.sentences)
    for (const id of s.citationIds) if (!sentenceOf.has(id)) sentenceOf.set(id, s.text);
  return answer.citations.map((c) => {
    const sentence = sentenceOf.get(c.id);
    if (sentence === undefined)
      throw new VerityResponseError(`citation ${c.id} supports no answer sentence`, null);
    return new Document<VerityCitationMetadata>({
      id: c.id,
      pageContent: c.quote,
      metadata: {
        citationId: c.id,
        answerId: answer.id,
        sourceId: c.sourceId,
        documentId: c.documentId,
        versionId: c.versionId,
        chunkId: c.chunkId,
        uri: c.uri,
        title: c.title,
        path: c.path,
        trust: c.trust,
        start: c.start,
        end: c.end,
        sha256: c.sha256,
        chunkSha256: c.chunkSha256,
        score: c.score,
        verified: c.verified,
        suspectedInjection: c.suspectedInjection,
        ledgerIndex: answer.ledger.index,
        answerStatus: answer.status,
        confidence: answer.confidence,
        sentence,
      },
    });
  });
}
