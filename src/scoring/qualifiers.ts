/**
 * Words that turn a question into a near miss of a sentence sharing all its other words. SQuAD
 * 2.0's unanswerable questions are built this way: "When did the court find that the use did
 * *not* infringe…" against "…found that the use infringed…"; "What is the *second*-busiest…"
 * against "the busiest…". Postgres drops "not" as a stop word and a word count cannot see either.
 */

const NEGATION = /\b(not|no|never|neither|nor|none|cannot|without)\b|n't\b/i;

/**
 * Qualifiers by what they ask for: a sentence answers "the biggest file" when it says "the maximum
 * size", but not "the second-busiest" when it says "the busiest". Ordinals and the rest must match.
 */
const QUALIFIER_CLASSES: string[][] = [
  ["most", "largest", "biggest", "highest", "greatest", "longest", "maximum", "top", "max"],
  ["least", "smallest", "lowest", "fewest", "shortest", "minimum", "min"],
  ["best"],
  ["worst"],
  ["first", "earliest"],
  ["last", "final", "latest"],
  ["oldest"],
  ["newest"],
  ["second"],
  ["third"],
  ["fourth"],
  ["fifth"],
  ["only"],
  ["main", "primary", "major"],
  ["minor"],
];
/** The class of each qualifier that narrows a question (not "max" or "top", which only answer). */
const CLASS_OF = new Map(QUALIFIER_CLASSES.flatMap((c, i) => c.map((w) => [w, i] as const)));
const ASKED = [...CLASS_OF.keys()].filter(
  (w) => !["maximum", "minimum", "max", "min", "top"].includes(w),
);
const QUALIFIER = new RegExp(`\\b(${ASKED.join("|")})\\b`, "gi");
const ANY_QUALIFIER = new RegExp(`\\b(${[...CLASS_OF.keys()].join("|")})\\b`, "gi");

/** One of question and sentence is negated and the other is not. */
export function negationDiffers(question: string, sentence: string): boolean {
  return NEGATION.test(question) !== NEGATION.test(sentence);
}

/** The question narrows what it asks ("the first", "the largest") in a word the sentence lacks. */
export function dropsQualifier(question: string, sentence: string): boolean {
  const asked = question.match(QUALIFIER);
  if (!asked) return false;
  const said = new Set(
    (sentence.match(ANY_QUALIFIER) ?? []).map((w) => CLASS_OF.get(w.toLowerCase())),
  );
  return asked.some((w) => !said.has(CLASS_OF.get(w.toLowerCase())));
}
