import { eld } from "eld/medium";

/**
 * Language identification by n-gram statistics (the `eld` detector with its medium database,
 * shipped in the package and read from disk). Short texts are hard: "Minimum password length?"
 * scores Malay a hair above English. So a text is only said to be in another language when that
 * language beats every language we compare it with by a clear margin.
 */

/** ISO 639-1 code of a language ("en", "es", "ja"). */
export type LanguageCode = string;

/**
 * Score lead the detected language needs over the best of the expected ones. Chosen on the public
 * SQuAD 2.0 questions and SciFact claims (6,300 English texts): with no margin 5 were called
 * another language, at 0.05 none; 0.1 leaves room, while Spanish, French, Italian and German
 * questions of a few words lead English by 0.15 or more.
 */
export const LANGUAGE_MARGIN = 0.1;

/** Letters below which a text is too short to name its language. */
const MIN_LETTERS = 8;

/** The language of a longer text (a document), or null when the detector cannot tell. */
export function detectLanguage(text: string): LanguageCode | null {
  const result = eld.detect(text.slice(0, 4000));
  return result.language || null;
}

/**
 * The language a question is clearly written in when it is none of `expected`, else null: null
 * means "in an expected language, or too short or mixed to say".
 */
export function foreignLanguage(
  text: string,
  expected: ReadonlySet<LanguageCode>,
): LanguageCode | null {
  // "2FA?" is called Catalan: a few letters carry no language.
  if ((text.match(/\p{L}/gu)?.length ?? 0) < MIN_LETTERS) return null;
  const result = eld.detect(text);
  const language = result.language;
  if (!language || expected.has(language)) return null;
  const scores = result.getScores();
  const bestExpected = Math.max(0, ...[...expected].map((l) => scores[l] ?? 0));
  return (scores[language] ?? 0) - bestExpected >= LANGUAGE_MARGIN ? language : null;
}
