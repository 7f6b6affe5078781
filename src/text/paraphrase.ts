import { createRequire } from "node:module";
import { createLru } from "./lru.ts";
import { wordNet } from "./wordnet.ts";

/**
 * Words that say what a question's word says in other words, keyed by the Porter2 stems Postgres's
 * `english` configuration writes, each with the share of a literal match it earns. People ask in
 * their own words: "price" for "costs", "thirty minutes" for "30 min", "2FA" for "two-factor
 * authentication".
 */
export type Paraphrases = ReadonlyMap<string, number>;

const require = createRequire(import.meta.url);
const stem = require("wink-porter2-stemmer") as (word: string) => string;
const lemmatize = require("wink-lemmatizer") as Record<
  "verb" | "noun" | "adjective",
  (w: string) => string
>;

const UNITS = [
  "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen",
  "fifteen sixteen seventeen eighteen nineteen",
].join(" ");
const TENS = ["twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"];

/** Number words and their digits, both ways: "thirty" <-> "30". */
const NUMBER_ALIASES: [string, string][] = (() => {
  const pairs: [string, string][] = UNITS.split(" ").map((w, i) => [stem(w), String(i)]);
  TENS.forEach((w, i) => pairs.push([stem(w), String(20 + 10 * i)]));
  pairs.push([stem("hundred"), "100"], [stem("thousand"), "1000"], [stem("dozen"), "12"]);
  return pairs;
})();

/** Abbreviated units and their words (stems), both ways: "30 min" <-> "thirty minutes". */
const UNIT_ALIASES: [string, string][] = [
  ["min", "minut"],
  ["mins", "minut"],
  ["sec", "second"],
  ["secs", "second"],
  ["hr", "hour"],
  ["hrs", "hour"],
  ["h", "hour"],
  ["wk", "week"],
  ["wks", "week"],
  ["yr", "year"],
  ["yrs", "year"],
  ["kb", "kilobyt"],
  ["mb", "megabyt"],
  ["gb", "gigabyt"],
  ["tb", "terabyt"],
  ["ms", "millisecond"],
];

/** Bounds said in words: "minimum" length <-> "at least" 12 characters. */
const BOUND_ALIASES: [string, string][] = [
  ["minimum", "least"],
  ["minim", "least"],
  ["maximum", "most"],
  ["maxim", "most"],
  ...["largest", "biggest", "highest", "greatest", "longest"].map(
    (w) => [w, "maximum"] as [string, string],
  ),
  ...["smallest", "lowest", "fewest", "shortest"].map((w) => [w, "minimum"] as [string, string]),
];

const EXACT_ALIASES = new Map<string, string[]>();
for (const [a, b] of [...NUMBER_ALIASES, ...UNIT_ALIASES, ...BOUND_ALIASES]) {
  EXACT_ALIASES.set(a, [...(EXACT_ALIASES.get(a) ?? []), b]);
  EXACT_ALIASES.set(b, [...(EXACT_ALIASES.get(b) ?? []), a]);
}

/** Question words whose paraphrases are kept (the least recently asked are forgotten first). */
const PARAPHRASES_KEPT = 20_000;
const paraphrasesKept = createLru<string, Paraphrases>(PARAPHRASES_KEPT);

/**
 * Paraphrases of one question word (its lexeme, and how the question wrote it): exact aliases
 * (numbers, units, bounds), the word's dictionary form when the stemmer cannot reach it ("kept"
 * is "keep", "children" "child", "better" "good"), and WordNet's relations of both. Memoised
 * (the result is shared: read-only): questions repeat their words, and the lemmatiser's three
 * calls and the merging were a few percent of a busy server's main thread.
 */
export function paraphrasesOf(lexeme: string, surface = lexeme): Paraphrases {
  const key = `${lexeme}\u0000${surface}`;
  let known = paraphrasesKept.get(key);
  if (known === undefined) {
    known = findParaphrases(lexeme, surface);
    paraphrasesKept.set(key, known);
  }
  return known;
}

function findParaphrases(lexeme: string, surface: string): Paraphrases {
  const out = new Map(wordNet().paraphrasesOf(lexeme));
  for (const lemma of irregularLemmas(surface)) {
    if (lemma === lexeme) continue;
    for (const [s, credit] of wordNet().paraphrasesOf(lemma)) {
      if (s !== lexeme && (out.get(s) ?? 0) < credit) out.set(s, credit);
    }
    out.set(lemma, 1);
  }
  for (const a of EXACT_ALIASES.get(lexeme) ?? []) out.set(a, 1);
  return out;
}

/** Stems of the word's irregular dictionary forms, where they differ from its own stem. */
function irregularLemmas(surface: string): string[] {
  const word = surface.toLowerCase();
  if (!/^\p{L}+$/u.test(word)) return [];
  const own = stem(word);
  const forms = [lemmatize.verb(word), lemmatize.noun(word), lemmatize.adjective(word)];
  return [...new Set(forms.map((f) => stem(f)))].filter((s) => s !== own);
}

/** "2FA", "SLA", "TOTP": two to six capitals and digits with at least two capitals. */
export function isAcronym(surface: string): boolean {
  return /^[A-Z0-9]{2,6}$/.test(surface) && (surface.match(/[A-Z]/g)?.length ?? 0) >= 2;
}

const DIGIT_OF = new Map(NUMBER_ALIASES.filter(([, d]) => d.length === 1));

/** Words whose initial is known; cleared when full, so a long-running server stays bounded. */
const INITIALS_KEPT = 50_000;
const initials = new Map<string, string>();

/**
 * A word's initial as an acronym spells it: the digit of a number word ("two" gives "2"), else its
 * first letter. Memoised: every word of every scored sentence passes here, the same words again
 * and again, and stemming each one anew was most of what answering spent on acronyms.
 */
function initialOf(word: string): string {
  let initial = initials.get(word);
  if (initial === undefined) {
    if (initials.size >= INITIALS_KEPT) initials.clear();
    initial = DIGIT_OF.get(stem(word)) ?? word[0]!;
    initials.set(word, initial);
  }
  return initial;
}

/**
 * The acronyms among `wanted` (lower-cased) that a text spells out by initials: "two-factor
 * authentication" spells "2fa" (a number word gives its digit), "service level agreement" "sla".
 */
export function acronymsSpelledIn(text: string, wanted: ReadonlySet<string>): Set<string> {
  const found = new Set<string>();
  if (wanted.size === 0) return found;
  const words = text.toLowerCase().match(/\p{L}[\p{L}\p{N}']*|\p{N}+/gu) ?? [];
  const spelled = words.map(initialOf);
  for (const acronym of wanted) {
    const n = acronym.length;
    for (let i = 0; i + n <= spelled.length; i++) {
      if (spelled.slice(i, i + n).join("") === acronym) {
        found.add(acronym);
        break;
      }
    }
  }
  return found;
}
