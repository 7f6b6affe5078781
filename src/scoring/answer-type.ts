import { HOW_DURATION_WORDS, HOW_QUANTITY_WORDS } from "../text/answer-type-words.ts";
import { NUMBER_WORDS } from "../text/numbers.ts";

/**
 * The kind of answer a question asks for, and whether a sentence states one. "How much does the
 * Premium plan cost?" is not answered by "Premium pricing is available from sales on request",
 * however many words they share: a price question needs an amount of money.
 */
export type AnswerType = "money" | "percent" | "duration" | "date" | "quantity";

const QUESTION_PATTERNS: [AnswerType, RegExp][] = [
  [
    "money",
    /\b(how\s+much\b.*\b(cost|costs|charge|charged|pay|paid|price|fee|fees)|what\s+(is|are)\s+the\s+(price|cost|fee)s?|(price|cost|fee)\s+of)\b/i,
  ],
  ["percent", /\b(what|which)\s+(percentage|percent|share|proportion|fraction)\b/i],
  ["duration", new RegExp(`\\bhow\\s+(${HOW_DURATION_WORDS.join("|")})\\b`, "i")],
  [
    "date",
    /\b(when|what\s+(year|date|day|month|century|decade)|which\s+(year|date|day|month|century))\b/i,
  ],
  [
    "quantity",
    new RegExp(
      `\\b(how\\s+(${HOW_QUANTITY_WORDS.join("|")})|what\\s+(number|amount|size))\\b`,
      "i",
    ),
  ],
];

const NUMBER = `\\d|\\b(${NUMBER_WORDS})\\b`;
// "may" is a month only next to a day number: "You may cancel" states no date.
const MONTH =
  "\\b(january|february|march|april|june|july|august|september|october|november|december)\\b|\\bmay\\s+\\d|\\d\\s+may\\b";
const TIME_UNIT =
  "\\b(seconds?|minutes?|hours?|days?|weeks?|months?|years?|decades?|centuries|century|business\\s+days?)\\b";

const SENTENCE_PATTERNS: Record<AnswerType, RegExp> = {
  money:
    /[$€£¥]|\b(dollars?|euros?|pounds?|cents?|usd|eur|gbp|free\s+of\s+charge|for\s+free|(is|are)\s+free|free\s+(plan|tier|trial)|at\s+no\s+(extra\s+)?cost|no\s+charge)\b/i,
  percent: /%|\b(percent|per\s+cent|percentage)\b/i,
  duration: new RegExp(
    `(${NUMBER})[\\w\\s-]{0,20}?${TIME_UNIT}|\\b(immediately|instantly|indefinitely|forever)\\b`,
    "i",
  ),
  date: new RegExp(
    `\\b(1\\d{3}|20\\d{2})s?\\b|${MONTH}|\\b(century|decade|centuries|decades|bc|ad|bce)\\b`,
    "i",
  ),
  quantity: new RegExp(
    `${NUMBER}|\\b(daily|weekly|monthly|yearly|annually|hourly|quarterly|unlimited)\\b`,
    "i",
  ),
};

/** The first matching kind, most specific first; null for questions that ask for no kind. */
export function expectedAnswerType(question: string): AnswerType | null {
  for (const [type, pattern] of QUESTION_PATTERNS) if (pattern.test(question)) return type;
  return null;
}

export function statesAnswerType(sentence: string, type: AnswerType): boolean {
  return SENTENCE_PATTERNS[type].test(sentence);
}
