/**
 * Words that, after "how", ask for a kind of answer (a duration, an amount) instead of naming
 * what the question is about. One list, read both by the answer-type check (what the answer must
 * state) and by question analysis (these words are not terms the evidence has to cover).
 */
export const HOW_DURATION_WORDS = ["long", "soon", "quickly"] as const;
export const HOW_QUANTITY_WORDS = [
  "much",
  "many",
  "often",
  "old",
  "far",
  "big",
  "large",
  "tall",
  "high",
  "fast",
  "frequently",
] as const;
export const HOW_ANSWER_TYPE_WORDS = [...HOW_DURATION_WORDS, ...HOW_QUANTITY_WORDS] as const;
