/**
 * Words that, after "how", ask for a kind of answer (a duration, an amount) instead of naming
 * what the question is about. One list, read by the answer-type check (what the answer must
 * state) and by question analysis (which words are not terms the evidence has to cover).
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
/**
 * Of those, the ones an answer usually repeats ("How tall is it?" "It is 31 metres tall."): they
 * stay question terms, since a sentence stating them is likelier to hold the answer.
 */
export const HOW_WORDS_STATED_IN_ANSWERS: readonly string[] = ["tall", "high"];
/** The rest: a sentence answering "how long" rarely says "long". */
export const HOW_WORDS_NOT_IN_ANSWERS = [...HOW_DURATION_WORDS, ...HOW_QUANTITY_WORDS].filter(
  (word) => !HOW_WORDS_STATED_IN_ANSWERS.includes(word),
);
