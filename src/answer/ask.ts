import { findUnknownSources } from "../db/sources.ts";
import { recordAnswer } from "./record.ts";
import { AppError } from "../errors.ts";
import { answerQuestion, type AnswerDeps } from "./compose.ts";
import type { Answer, AnswerRequest } from "./schema.ts";

/**
 * A question as a client asks it: the source filter must name known sources, the answer (or
 * refusal) is composed, and it is recorded before it is returned, so every reply has its record.
 */
export async function askQuestion(deps: AnswerDeps, input: AnswerRequest): Promise<Answer> {
  if (input.sourceIds) {
    const unknown = await findUnknownSources(deps.db, input.sourceIds);
    // A filter naming an unknown source is a caller's mistake, not an empty search.
    if (unknown.length > 0) {
      const message = `unknown source(s): ${unknown.join(", ")}`;
      throw new AppError("VALIDATION_FAILED", `sourceIds: ${message}`, {
        invalidFields: [{ path: "sourceIds", message }],
      });
    }
  }
  const { answer } = await answerQuestion(deps, input);
  await recordAnswer(deps.db, answer, input.sourceIds ?? null);
  return answer;
}
