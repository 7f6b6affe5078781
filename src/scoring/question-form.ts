/**
 * What form the input takes. A question ("Who founded ...?") is answered by a sentence stating
 * something it does not; a claim ("Aspirin lowers ...") is checked against a sentence stating the
 * same. The verifier weighs evidence differently for each, and for each kind of question.
 */
export const QUESTION_WORDS = ["what", "which", "who", "when", "where", "why", "how"] as const;
export type QuestionWord = (typeof QUESTION_WORDS)[number];

const WH_WORDS = "what|which|who|whom|whose|when|where|why|how";
const WH = new RegExp(`\\b(${WH_WORDS})\\b`, "i");
const WH_START = new RegExp(`^\\s*(${WH_WORDS})\\b`, "i");
const AUXILIARY_START =
  /^\s*(is|are|was|were|do|does|did|can|could|will|would|should|has|have|had|may|might|must)\b/i;

/** The question word that governs the question (the first one), or null for none. */
export function questionWord(text: string): QuestionWord | null {
  const match = WH.exec(text)?.[1]?.toLowerCase();
  if (!match) return null;
  if (match === "whom" || match === "whose") return "who";
  return match as QuestionWord;
}

/** A question asks (a question mark, a question word, or an inverted auxiliary); a claim states. */
export function isQuestion(text: string): boolean {
  return /\?\s*$/.test(text) || AUXILIARY_START.test(text) || WH_START.test(text);
}
