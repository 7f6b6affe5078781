/**
 * Splitting a multi-part question into questions that can each be answered on their own evidence:
 * "What does Basic cost and how long does the trash keep files?" asks two things, and so does
 * "Trash retention on Team and Premium?". Each part is answered, or refused, by itself.
 */

const WH_WORD = "what|which|who|whom|whose|when|where|why|how";
/**
 * "…, and how long …": a second question joined to the first. Only a question word opens one:
 * after "and is…" or "and has…" the first question's subject carries on ("Who wrote X and is…").
 */
const JOINED_QUESTION = new RegExp(`\\s*(?:[,;]\\s*)?\\b(?:and|&)\\s+(?=(?:${WH_WORD})\\b)`, "i");
const STARTS_ASKING = new RegExp(
  `^\\s*(?:${WH_WORD}|is|are|was|were|do|does|did|can|could|will|would|should)\\b`,
  "i",
);
/** Words a part needs to ask something by itself: "Where and when did…" is one question. */
const MIN_PART_WORDS = 3;
/** "… on Team and Premium?": two names sharing the rest of the question. */
const COORDINATED_NAMES =
  /(?<!\b(?:between|both|and|of)\s|\p{Lu}[\p{L}\p{N}-]*\s)\b(\p{Lu}[\p{L}\p{N}-]*)\s+(and|or)\s+(\p{Lu}[\p{L}\p{N}-]*)\b(?!\s+\p{Lu})/u;
/** A part needs a few letters to be a question at all. */
const MIN_PART_LETTERS = 3;
/** More parts than this is a list, not a question; it is answered as one. */
const MAX_PARTS = 4;

/**
 * The questions a text asks, in order: split at question marks and at a second question joined
 * by "and" ("…cost and how long…"). One element when it asks one thing.
 */
export function splitQuestion(question: string): string[] {
  return checkedParts(question, splitSentencesOfQuestion(question).flatMap(splitJoinedQuestions));
}

/**
 * "Trash retention on Team and Premium?" as one question per name. Names are often asked about
 * together ("the merger of Sky and BSB", "what did Mayow and Boyle find"), so this split is only
 * tried when the question as a whole could not be answered.
 */
export function splitNamedAlternatives(question: string): string[] {
  return checkedParts(question, splitCoordinatedNames(question));
}

function checkedParts(question: string, pieces: string[]): string[] {
  const parts = pieces.map(asQuestion);
  const whole = parts.every(
    (p) => (p.match(/\p{L}/gu)?.length ?? 0) >= MIN_PART_LETTERS && wordCount(p) >= MIN_PART_WORDS,
  );
  return whole && parts.length >= 2 && parts.length <= MAX_PARTS ? parts : [question];
}

const wordCount = (text: string) =>
  text.split(/\s+/u).filter((w) => /[\p{L}\p{N}]/u.test(w)).length;

/** "What does Basic cost? How long is the trash kept?" */
function splitSentencesOfQuestion(question: string): string[] {
  return question.split(/(?<=\?)\s+(?=\S)/u);
}

function splitJoinedQuestions(text: string): string[] {
  const match = JOINED_QUESTION.exec(text);
  if (!match || !STARTS_ASKING.test(text)) return [text];
  const first = text.slice(0, match.index);
  const rest = text.slice(match.index + match[0].length);
  return [first, ...splitJoinedQuestions(rest)];
}

function splitCoordinatedNames(text: string): string[] {
  const match = COORDINATED_NAMES.exec(text);
  if (!match || match.index === 0) return [text];
  const [whole, a, , b] = match;
  const before = text.slice(0, match.index);
  const after = text.slice(match.index + whole.length);
  // Both names must be named again in their own part: "Team" and "Premium", each with the rest.
  return [`${before}${a}${after}`, `${before}${b}${after}`];
}

function asQuestion(part: string): string {
  const trimmed = part.trim().replace(/[\s,;]+$/u, "");
  return /[?.!]$/.test(trimmed) ? trimmed : `${trimmed}?`;
}
