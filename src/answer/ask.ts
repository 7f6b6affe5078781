import { findUnknownSources } from "../db/sources.ts";
import { timeStage } from "../metrics/metrics.ts";
import { reviewReasonFor } from "../review/queue.ts";
import { recordAnswer } from "./record.ts";
import { AppError } from "../errors.ts";
import { answerQuestion, type AnswerDeps, type AnswerInput } from "./compose.ts";
import type { RecordedAnswer } from "./schema.ts";

/** Who is asking, as the ledger records it. */
export type Asker = { keyId: string | null; requestId: string | null };

/**
 * A question as a client asks it, for `input.tenant`: the source filter must name that tenant's
 * sources (another tenant's is unknown), the answer (or refusal) is composed, and it is recorded
 * in the ledger with its tenant, key and request before it is returned, so every reply has its
 * record. `body` is the reply itself, byte for byte what the ledger holds.
 */
export async function askQuestion(
  deps: AnswerDeps,
  input: AnswerInput,
  asker: Asker = { keyId: null, requestId: null },
): Promise<{ answer: RecordedAnswer; body: string }> {
  if (input.sourceIds) {
    const unknown = await findUnknownSources(deps.db, input.sourceIds, input.tenant);
    // A filter naming an unknown source is a caller's mistake, not an empty search.
    if (unknown.length > 0) {
      const message = `unknown source(s): ${unknown.join(", ")}`;
      throw new AppError("VALIDATION_FAILED", `sourceIds: ${message}`, {
        invalidFields: [{ path: "sourceIds", message }],
      });
    }
  }
  const answered = await answerQuestion(deps, input);
  return timeStage(deps.metrics, "record", () =>
    recordAnswer(
      deps.db,
      answered,
      {
        tenant: input.tenant,
        sourceIds: input.sourceIds ?? null,
        ...asker,
        // Borderline calls, either way, wait for a person (GET /v1/reviews).
        reviewReason: reviewReasonFor(answered.answer, deps.policy),
      },
      deps.index.current().index.state,
    ),
  );
}
