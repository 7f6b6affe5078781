/**
 * Words that turn a question into a near miss of a sentence sharing all its other words. SQuAD
 * 2.0's unanswerable questions are built this way: "When did the court find that the use did
 * *not* infringe…" against "…found that the use infringed…"; "What is the *second*-busiest…"
 * against "the busiest…". Postgres drops "not" as a stop word and a word count cannot see either.
 */

const NEGATION = /\b(not|no|never|neither|nor|none|cannot|without)\b|n't\b/i;

const QUALIFIERS = [
  ...["first", "second", "third", "fourth", "fifth", "last", "final", "only", "main", "primary"],
  ...["most", "least", "largest", "smallest", "biggest", "highest", "lowest", "best", "worst"],
  ...["earliest", "latest", "oldest", "newest", "greatest", "longest", "shortest", "fewest"],
  ...["major", "minor"],
];
const QUALIFIER = new RegExp(`\\b(${QUALIFIERS.join("|")})\\b`, "gi");

/** One of question and sentence is negated and the other is not. */
export function negationDiffers(question: string, sentence: string): boolean {
  return NEGATION.test(question) !== NEGATION.test(sentence);
}

/** The question narrows what it asks ("the first", "the largest") in a word the sentence lacks. */
export function dropsQualifier(question: string, sentence: string): boolean {
  const asked = question.match(QUALIFIER);
  if (!asked) return false;
  const said = new Set((sentence.match(QUALIFIER) ?? []).map((w) => w.toLowerCase()));
  return asked.some((w) => !said.has(w.toLowerCase()));
}
