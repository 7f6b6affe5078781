import { unknownSources } from "../retrieval/index-store.ts";
import { timeStage } from "../metrics/metrics.ts";
import { reviewReasonFor } from "../review/queue.ts";
import { recordAnswer } from "./record.ts";
import { AppError } from "../errors.ts";
import { answerQuestion, type AnswerDeps, type AnswerInput, type Answered } from "./compose.ts";
import type { RecordedAnswer } from "./schema.ts";
import { refuseStaleEvidence, StaleEvidenceError } from "./stale-evidence.ts";

/** Who is asking, as the ledger records it. */
export type Asker = { keyId: string | null; requestId: string | null };

/**
 * A question as a client asks it, for `input.tenant`: the source filter must name that tenant's
 * sources (another tenant's is unknown), the answer (or refusal) is composed, and it is recorded
 * in the ledger with its tenant, key and request before it is returned, so every reply has its
 * record. `body` is the reply itself, byte for byte what the ledger holds.
 *
 * An answer citing text the store no longer holds as current (the index lagged another
 * process's ingest) is not recorded: the index catches up and the question is answered again,
 * once; stale a second time, it is refused (UNVERIFIED_EVIDENCE) rather than tried forever.
 */
export async function askQuestion(
  deps: AnswerDeps,
  input: AnswerInput,
  asker: Asker = { keyId: null, requestId: null },
): Promise<{ answer: RecordedAnswer; body: string }> {
  if (input.sourceIds) {
    const unknown = unknownSources(deps.index.current(), input.sourceIds, input.tenant);
    // A filter naming an unknown source is a caller's mistake, not an empty search.
    if (unknown.length > 0) {
      const message = `unknown source(s): ${unknown.join(", ")}`;
      throw new AppError("VALIDATION_FAILED", `sourceIds: ${message}`, {
        invalidFields: [{ path: "sourceIds", message }],
      });
    }
  }
  const record = (answered: Answered) =>
    timeStage(deps.metrics, "record", () =>
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
  const first = await answerQuestion(deps, input);
  const recorded = await unlessStale(record(first));
  if (!(recorded instanceof StaleEvidenceError)) return recorded;
  // Follow the store, and read the versions it cited again even if no change shows in the
  // corpus state (a row altered in place), before answering again.
  await deps.index.refresh({ reload: recorded.versionIds });
  const second = await answerQuestion(deps, input);
  const again = await unlessStale(record(second));
  return again instanceof StaleEvidenceError ? record(refuseStaleEvidence(second)) : again;
}

/** The recorded answer, or the StaleEvidenceError that kept it from being recorded. */
function unlessStale<T>(recording: Promise<T>): Promise<T | StaleEvidenceError> {
  return recording.catch((error: unknown) => {
    if (error instanceof StaleEvidenceError) return error;
    throw error;
  });
}
