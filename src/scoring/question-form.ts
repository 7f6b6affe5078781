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

/** Times one word may repeat before the input reads as a word said over and over. */
const MAX_REPEATS = 2;

/**
 * An input with no question in it: a lone keyword ("Basic", "trash?") or one word over and over
 * ("plan plan plan"). Such input matches a passage's words without asking anything of it, so a
 * confident-looking answer would be noise. `terms` are the input's searchable words (surfaces).
 */
export function isKeywordNoise(text: string, terms: readonly { surface: string }[]): boolean {
  const asks = WH.test(text) || AUXILIARY_START.test(text);
  if (terms.length <= 1 && !asks) return true;
  const words = text.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N}'-]*/gu) ?? [];
  const counts = terms.map((t) => words.filter((w) => w === t.surface.toLowerCase()).length);
  const contentWords = counts.reduce((a, b) => a + b, 0);
  const most = Math.max(0, ...counts);
  return most > MAX_REPEATS && 2 * most >= contentWords;
}
