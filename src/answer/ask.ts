import { findUnknownSources } from "../db/sources.ts";
import { recordAnswer } from "./record.ts";
import { AppError } from "../errors.ts";
import { answerQuestion, type AnswerDeps, type AnswerInput } from "./compose.ts";
import type { Answer } from "./schema.ts";

/**
 * A question as a client asks it, for `input.tenant`: the source filter must name that tenant's
 * sources (another tenant's is unknown), the answer (or refusal) is composed, and it is recorded
 * with its tenant and key before it is returned, so every reply has its record.
 */
export async function askQuestion(
  deps: AnswerDeps,
  input: AnswerInput,
  keyId: string | null = null,
): Promise<Answer> {
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
  const { answer } = await answerQuestion(deps, input);
  await recordAnswer(deps.db, answer, {
    sourceIds: input.sourceIds ?? null,
    tenant: input.tenant,
    keyId,
  });
  return answer;
}
