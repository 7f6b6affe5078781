import type { QueryTerms } from "../retrieval/lexical.ts";
import { wordNet } from "../text/wordnet.ts";
import { isQuestion, QUESTION_WORDS, questionWord } from "./question-form.ts";
import type { SupportSignals } from "./support.ts";

/**
 * The evidence features the answerability verifier reads, in this order. Each is a number that
 * separates support from mere similarity; the model's weights are fitted on public data by
 * `npm run train-verifier`, and a model only applies to the feature list it was trained on.
 */
export const FEATURE_NAMES = [
  "sentence_coverage",
  "sentence_coverage_unweighted",
  "chunk_coverage",
  "dense_similarity",
  "has_entities",
  "entity_missing",
  "answer_type_expected",
  "answer_type_missing",
  "max_missing_term_share",
  "chunk_max_missing_term_share",
  "absent_term_share",
  "negation_mismatch",
  "ordered_pair_share",
  "reversed_pair_share",
  "novel_share",
  "log_sentence_words",
  "log_question_terms",
  "lexical_rank_reciprocal",
  "chunk_rank_reciprocal",
  "sentence_rank_reciprocal",
  "margin_over_next",
  "heuristic_score",
  "synonym_coverage",
  "antonym_conflict",
  "missing_in_chunk_share",
  "entity_missing_in_chunk",
  "number_missing",
  "question_negated",
  "sentence_negated",
  "new_entity_count",
  "lexical_score_share",
  "dense_margin",
  "polar_term_missing",
  "order_agreement",
  "is_claim",
  ...QUESTION_WORDS.map((w) => `asks_${w}` as const),
] as const;
export type FeatureName = (typeof FEATURE_NAMES)[number];

const NEGATION = /\b(not|no|never|none|nor|neither|without|cannot)\b|n't\b/i;

export type FeatureInput = {
  question: string;
  query: QueryTerms;
  sentence: string;
  sentenceLexemes: ReadonlySet<string>;
  /** Word positions of the sentence's lexemes, to compare word order with the question's. */
  sentencePositions: ReadonlyMap<string, number[]>;
  /** A Set of lexemes, or the chunk's lexeme-to-positions Map: both answer has() and keys(). */
  chunkLexemes: { has(lexeme: string): boolean; keys(): Iterable<string> };
  signals: SupportSignals;
  heuristicScore: number;
  /** Rank of the sentence among all scored sentences by heuristic score (0 = best). */
  sentenceRank: number;
  /** Heuristic score of the best sentence with different text (other than this one). */
  bestOtherScore: number;
  /** Position of the sentence's chunk in the fused retrieval list (0 = first). */
  chunkRank: number;
  lexicalRank: number | null;
  /** The chunk's BM25 score over the best candidate's (0 when BM25 did not find it). */
  lexicalScoreShare: number;
  /** The chunk's dense similarity minus the best dense similarity among the other chunks. */
  denseMargin: number;
};

/** Words apart that still count as "next to each other" in the evidence. */
const PAIR_WINDOW = 4;

/**
 * Word order against the question's: of the consecutive question-term pairs the sentence has both
 * of, the share appearing in the same order close together, and the share reversed. "Irvine Center
 * Tech and Business Jamboree Parks" has every word of "Irvine Tech Center and Jamboree Business
 * Parks", but not its pairs.
 */
export function pairOrder(
  questionLexemes: string[],
  positions: ReadonlyMap<string, number[]>,
): { ordered_pair_share: number; reversed_pair_share: number } {
  let both = 0;
  let ordered = 0;
  let reversed = 0;
  for (let i = 0; i + 1 < questionLexemes.length; i++) {
    const a = positions.get(questionLexemes[i]!);
    const b = positions.get(questionLexemes[i + 1]!);
    if (!a || !b) continue;
    both += 1;
    const near = (sign: number) =>
      a.some((pa) => b.some((pb) => sign * (pb - pa) > 0 && Math.abs(pb - pa) <= PAIR_WINDOW));
    if (near(1)) ordered += 1;
    else if (near(-1)) reversed += 1;
  }
  return {
    ordered_pair_share: both ? ordered / both : 0,
    reversed_pair_share: both ? reversed / both : 0,
  };
}

export function computeFeatures(f: FeatureInput): number[] {
  const terms = f.query.terms;
  const totalWeight = terms.reduce((s, t) => s + t.weight, 0) || 1;
  const missing = terms.filter((t) => !f.sentenceLexemes.has(t.lexeme));
  const covered = terms.length - missing.length;
  const maxMissing = missing.reduce((m, t) => Math.max(m, t.weight), 0) / totalWeight;
  // A swapped name or changed modifier is often absent from the whole passage, or the corpus.
  const chunkMaxMissing =
    terms.filter((t) => !f.chunkLexemes.has(t.lexeme)).reduce((m, t) => Math.max(m, t.weight), 0) /
    totalWeight;
  const absent =
    terms.filter((t) => t.df === 0).reduce((sum, t) => sum + t.weight, 0) / totalWeight;
  const questionLexemes = new Set(terms.map((t) => t.lexeme));
  let novel = 0;
  for (const l of f.sentenceLexemes) if (!questionLexemes.has(l)) novel += 1;
  const words = f.sentence.split(/\s+/).filter(Boolean).length;
  const s = f.signals;
  const wn = wordNet();
  const lexemes = [...f.sentenceLexemes];
  const synonymCovered = missing
    .filter((t) => lexemes.some((l) => wn.areSynonyms(t.lexeme, l)))
    .reduce((sum, t) => sum + t.weight, 0);
  const antonymConflict = missing.some((t) => {
    const opposite = wn.antonymsOf(t.lexeme);
    return opposite !== undefined && lexemes.some((l) => opposite.has(l));
  });
  const inChunkOnly = missing.filter((t) => f.chunkLexemes.has(t.lexeme));
  const asked = questionWord(f.question);
  const values: Record<FeatureName, number> = {
    sentence_coverage: s.sentenceCoverage,
    sentence_coverage_unweighted: terms.length ? covered / terms.length : 0,
    chunk_coverage: s.chunkCoverage,
    dense_similarity: s.denseSimilarity,
    has_entities: s.entityCoverage === null ? 0 : 1,
    entity_missing: s.entityCoverage === null ? 0 : 1 - s.entityCoverage,
    answer_type_expected: s.answerTypeMatch === null ? 0 : 1,
    answer_type_missing: s.answerTypeMatch === false ? 1 : 0,
    max_missing_term_share: maxMissing,
    chunk_max_missing_term_share: chunkMaxMissing,
    absent_term_share: absent,
    negation_mismatch: NEGATION.test(f.question) !== NEGATION.test(f.sentence) ? 1 : 0,
    ...pairOrder(
      terms.map((t) => t.lexeme),
      f.sentencePositions,
    ),
    novel_share: f.sentenceLexemes.size ? novel / f.sentenceLexemes.size : 0,
    log_sentence_words: Math.log1p(words),
    log_question_terms: Math.log1p(terms.length),
    lexical_rank_reciprocal: f.lexicalRank === null ? 0 : 1 / (1 + f.lexicalRank),
    chunk_rank_reciprocal: 1 / (1 + f.chunkRank),
    sentence_rank_reciprocal: 1 / (1 + f.sentenceRank),
    margin_over_next: f.heuristicScore - f.bestOtherScore,
    heuristic_score: f.heuristicScore,
    synonym_coverage: s.sentenceCoverage + synonymCovered / totalWeight,
    antonym_conflict: antonymConflict ? 1 : 0,
    missing_in_chunk_share: inChunkOnly.reduce((sum, t) => sum + t.weight, 0) / totalWeight,
    entity_missing_in_chunk: inChunkOnly.some((t) => t.entity) ? 1 : 0,
    number_missing: missing.some((t) => /\d/.test(t.lexeme)) ? 1 : 0,
    question_negated: NEGATION.test(f.question) ? 1 : 0,
    sentence_negated: NEGATION.test(f.sentence) ? 1 : 0,
    new_entity_count: Math.log1p(newEntities(f.question, f.sentence)),
    lexical_score_share: f.lexicalScoreShare,
    dense_margin: f.denseMargin,
    polar_term_missing: missing.some((t) => wn.antonymsOf(t.lexeme) !== undefined) ? 1 : 0,
    order_agreement: orderAgreement(
      terms.map((t) => t.lexeme),
      f.sentencePositions,
    ),
    is_claim: isQuestion(f.question) ? 0 : 1,
    ...(Object.fromEntries(QUESTION_WORDS.map((w) => [`asks_${w}`, asked === w ? 1 : 0])) as Record<
      `asks_${(typeof QUESTION_WORDS)[number]}`,
      number
    >),
  };
  return FEATURE_NAMES.map((name) => values[name]);
}

/**
 * Names and numbers the sentence states that the question does not: where the answer to a who,
 * when or how-many question sits. A sentence that only restates the question holds no answer.
 */
export function newEntities(question: string, sentence: string): number {
  const asked = new Set(question.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []);
  const tokens = sentence.match(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu) ?? [];
  let count = 0;
  for (const [i, token] of tokens.entries()) {
    const named = /\d/.test(token) || (i > 0 && /^\p{Lu}/u.test(token));
    if (named && !asked.has(token.toLowerCase())) count += 1;
  }
  return count;
}

/**
 * Share of the question's terms found in the sentence that also appear there in the question's
 * order (the longest increasing run of their first positions). "SkyDrive will become OneDrive"
 * holds every word of "OneDrive will become SkyDrive", in another order.
 */
export function orderAgreement(
  questionLexemes: string[],
  positions: ReadonlyMap<string, number[]>,
): number {
  const firsts = questionLexemes.flatMap((l) => {
    const p = positions.get(l);
    return p && p.length ? [Math.min(...p)] : [];
  });
  if (firsts.length === 0) return 0;
  // Patience sorting: tails[k] is the smallest last position of an increasing run of length k+1.
  const tails: number[] = [];
  for (const x of firsts) {
    let lo = 0;
    let hi = tails.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (tails[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    tails[lo] = x;
  }
  return tails.length / firsts.length;
}
