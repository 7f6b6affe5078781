import { createRequire } from "node:module";
import { parseTokens, type Token } from "./pg-parser.ts";
import type { TokenAlias } from "./pg-parser.ts";

/**
 * PostgreSQL's `english` text-search configuration in process: `to_tsvector('english', text)` and
 * `ts_debug('english', text)` without a round trip. The default parser (pg-parser.ts), then per
 * token type the dictionary the configuration maps it to: `english_stem` (the english stopword
 * list, then the Snowball English stemmer) for words, `simple` (lower-cased as written) for
 * numbers, hosts, URLs and paths, nothing for blanks, tags, entities and protocol heads.
 */

const require = createRequire(import.meta.url);
const porter2 = (require("porter2") as { stem: (word: string) => string }).stem;

/** PostgreSQL's `english.stop` (tsearch_data), the 127 words `english_stem` drops. */
export const ENGLISH_STOPWORDS: ReadonlySet<string> = new Set(
  (
    "i me my myself we our ours ourselves you your yours yourself yourselves he him his himself " +
    "she her hers herself it its itself they them their theirs themselves what which who whom " +
    "this that these those am is are was were be been being have has had having do does did " +
    "doing a an the and but if or because as until while of at by for with about against " +
    "between into through during before after above below to from up down in out on off over " +
    "under again further then once here there when where why how all any both each few more " +
    "most other some such no nor not only own same so than too very s t can will just don " +
    "should now"
  ).split(" "),
);

const STEMMED: ReadonlySet<TokenAlias> = new Set([
  "asciiword",
  "word",
  "asciihword",
  "hword",
  "hword_asciipart",
  "hword_part",
]);
const UNMAPPED: ReadonlySet<TokenAlias> = new Set(["blank", "tag", "entity", "protocol"]);
/** Hyphenated words whole ("per-seat"): indexed beside their parts, but not searched for. */
export const COMPOUND_ALIASES: ReadonlySet<TokenAlias> = new Set([
  "asciihword",
  "hword",
  "numhword",
]);

/** Postgres skips a token of 2,048 bytes or more (MAXSTRLEN) without counting a position. */
const MAX_TOKEN_BYTES = 2048;
/** The Snowball dictionary leaves words over 1,000 bytes unstemmed. */
const MAX_STEM_BYTES = 1000;
/** Positions stop at 16,383 (MAXENTRYPOS - 1); a lexeme keeps at most 255 (MAXNUMPOS - 1). */
const MAX_POSITION = 16383;
const MAX_POSITIONS = 255;

const DOUBLES = new Set(["bb", "dd", "ff", "gg", "mm", "nn", "pp", "rr", "tt"]);

/**
 * The Snowball English stemmer as PostgreSQL 18 ships it (Snowball 3): Porter2 (the `porter2`
 * package), except that Snowball 3 no longer undoubles a three-letter stem of "a", "e" or "o"
 * and a double consonant ("added" is "add", "egging" "egg", "offed" "off"; Snowball 2, as in
 * PostgreSQL 17 and older, gave "ad", "eg", "of"), while "upped" is still "up" and "inned" "in".
 * Checked against PGlite's english_stem on 574,413 word forms (WordNet and SUBTLEX words with
 * -s, -ed, -ing and -ly added): no difference.
 */
export function stemEnglish(lower: string): string {
  const stem = porter2(lower);
  if (
    stem.length === 2 &&
    lower.length > 3 &&
    "aeo".includes(stem[0]!) &&
    lower.startsWith(stem) &&
    DOUBLES.has(lower.slice(1, 3)) &&
    /^(?:ed|ing)(?:ly)?s?$/.test(lower.slice(3))
  )
    return lower.slice(0, 3);
  return stem;
}

/** The lexeme a token becomes: null when no dictionary takes it, "" for a stopword. */
export function lexemeOf(token: Token): string | null {
  if (UNMAPPED.has(token.alias)) return null;
  const lower = token.text.toLowerCase();
  if (!STEMMED.has(token.alias)) return lower;
  if (ENGLISH_STOPWORDS.has(lower) || lower === "") return "";
  return Buffer.byteLength(lower) > MAX_STEM_BYTES ? lower : stemEnglish(lower);
}

export type DebugToken = { alias: TokenAlias; token: string; lexeme: string | null };

/** `ts_debug('english', text)`: every token with its lexeme ("" a stopword, null unmapped). */
export function debugText(text: string): DebugToken[] {
  return parseTokens(text).map((t) => ({ alias: t.alias, token: t.text, lexeme: lexemeOf(t) }));
}

/** Lexemes with their word positions (1-based), as `unnest(to_tsvector('english', text))`. */
export type LexemePositions = Map<string, number[]>;

/** `to_tsvector('english', text)`, positions numbered and capped exactly as Postgres does. */
export function analyseText(text: string): LexemePositions {
  const out: LexemePositions = new Map();
  let position = 0;
  for (const token of parseTokens(text)) {
    if (UNMAPPED.has(token.alias)) continue;
    if (
      token.text.length * 3 >= MAX_TOKEN_BYTES &&
      Buffer.byteLength(token.text) >= MAX_TOKEN_BYTES
    )
      continue;
    position++;
    const lexeme = lexemeOf(token);
    if (!lexeme) continue;
    const at = Math.min(position, MAX_POSITION);
    const positions = out.get(lexeme);
    if (!positions) out.set(lexeme, [at]);
    else {
      const last = positions[positions.length - 1]!;
      if (positions.length < MAX_POSITIONS && last !== MAX_POSITION && last !== at)
        positions.push(at);
    }
  }
  return out;
}
