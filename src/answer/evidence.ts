import { sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { queryRows } from "../db/query.ts";
import type { Candidate } from "../retrieval/retrieve.ts";
import type { QueryTerms } from "../retrieval/lexical.ts";
import { splitSentences } from "../text/sentences.ts";
import { expectedAnswerType, statesAnswerType } from "./answer-type.ts";
import type { FeatureInput } from "./features.ts";
import { coverage, entityCoverage, supportScore, type SupportSignals } from "./support.ts";
import { predictAnswerable, type VerifierModel } from "./verifier.ts";

/** A sentence of a retrieved chunk, located in its version's text, with its support signals. */
export type ScoredSentence = {
  candidate: Candidate;
  /** Offsets into the version text. */
  start: number;
  end: number;
  text: string;
  signals: SupportSignals;
  /** The hand-weighted support score (support.ts). */
  heuristicScore: number;
  /** What the verifier's features (features.ts) are computed from. */
  featureInput: FeatureInput;
  /** What the refusal threshold applies to: the verifier's probability, or the heuristic score. */
  score: number;
};

/** Lexemes of a text with their word positions, as Postgres stems and numbers them. */
export type LexemePositions = Map<string, number[]>;

/** Lexemes of many texts, stemmed by Postgres exactly as the indexed column is. */
async function lexemesOf(db: Database, texts: string[]): Promise<LexemePositions[]> {
  if (texts.length === 0) return [];
  const rows = await queryRows<{ i: number; lexeme: string | null; positions: number[] | null }>(
    db,
    sql`select (e.ordinality - 1)::int as i, u.lexeme, u.positions
        from jsonb_array_elements_text(${JSON.stringify(texts)}::jsonb) with ordinality e
        left join lateral unnest(to_tsvector('english', e.value)) u on true`,
  );
  const out: LexemePositions[] = texts.map(() => new Map());
  for (const r of rows)
    if (r.lexeme) out[Number(r.i)]!.set(r.lexeme, (r.positions ?? []).map(Number));
  return out;
}

/** Words below which an unpunctuated line is a heading or a label, not a claim. */
const MIN_HEADING_WORDS = 6;

/**
 * Only statements can be quoted as answers: a question in the sources (an FAQ heading) restates
 * the ask, and a short unpunctuated line ("Data centre regions") is a heading, not a claim.
 */
export function isStatement(sentence: string): boolean {
  if (sentence.endsWith("?")) return false;
  if (/[.!:;)"'”’]$/.test(sentence)) return true;
  return sentence.split(/\s+/).length >= MIN_HEADING_WORDS;
}

/** Split the candidates into sentences and score each sentence's support for the question. */
export async function scoreSentences(
  db: Database,
  question: string,
  query: QueryTerms,
  candidates: Candidate[],
  verifier: VerifierModel | null = null,
): Promise<ScoredSentence[]> {
  const wanted = expectedAnswerType(question);
  const pieces = candidates.flatMap((candidate) =>
    splitSentences(candidate.text)
      .filter((span) => isStatement(candidate.text.slice(span.start, span.end)))
      .map((span) => ({
        candidate,
        start: candidate.start + span.start,
        end: candidate.start + span.end,
        text: candidate.text.slice(span.start, span.end),
      })),
  );
  const lexemes = await lexemesOf(db, [
    ...pieces.map((p) => p.text),
    ...candidates.map((c) => c.text),
    ...candidates.map((c) => `${c.title} ${c.sourceName}`),
  ]);
  const n = pieces.length;
  const chunkCoverage = new Map(
    candidates.map((c, i) => [c.chunkId, coverage(query, lexemes[n + i]!)]),
  );
  const context = new Map(
    candidates.map((c, i) => [c.chunkId, lexemes[n + candidates.length + i]!]),
  );
  const chunkRank = new Map(candidates.map((c, i) => [c.chunkId, i]));
  const chunkLexemes = new Map(candidates.map((c, i) => [c.chunkId, lexemes[n + i]!]));
  const heuristic = pieces
    .map((p, i) => {
      const signals: SupportSignals = {
        sentenceCoverage: coverage(query, lexemes[i]!),
        chunkCoverage: chunkCoverage.get(p.candidate.chunkId) ?? 0,
        denseSimilarity: p.candidate.denseSimilarity,
        entityCoverage: entityCoverage(query, lexemes[i]!, context.get(p.candidate.chunkId)!),
        answerTypeMatch: wanted ? statesAnswerType(p.text, wanted) : null,
      };
      return { ...p, positions: lexemes[i]!, signals, heuristicScore: supportScore(signals) };
    })
    .sort((a, b) => b.heuristicScore - a.heuristicScore);
  const maxLexical = Math.max(0, ...candidates.map((c) => c.lexicalScore));
  // Each chunk's dense similarity against the best of the other chunks.
  const denseMargin = new Map(
    candidates.map((c) => [
      c.chunkId,
      c.denseSimilarity -
        Math.max(-1, ...candidates.filter((o) => o !== c).map((o) => o.denseSimilarity)),
    ]),
  );
  const scored = heuristic.map(({ positions, ...p }, rank) => {
    const other = heuristic.find((h) => h.text !== p.text);
    const featureInput: FeatureInput = {
      question,
      query,
      sentence: p.text,
      sentenceLexemes: new Set(positions.keys()),
      sentencePositions: positions,
      chunkLexemes: chunkLexemes.get(p.candidate.chunkId) ?? new Set(),
      signals: p.signals,
      heuristicScore: p.heuristicScore,
      sentenceRank: rank,
      bestOtherScore: other?.heuristicScore ?? 0,
      chunkRank: chunkRank.get(p.candidate.chunkId) ?? candidates.length,
      lexicalRank: p.candidate.lexicalRank,
      lexicalScoreShare: maxLexical > 0 ? p.candidate.lexicalScore / maxLexical : 0,
      denseMargin: denseMargin.get(p.candidate.chunkId) ?? 0,
    };
    return { ...p, featureInput, score: p.heuristicScore };
  });
  if (!verifier) return scored;
  // The verifier re-ranks the heuristic's best few, as it was trained to: the rest cannot answer.
  for (const [rank, s] of scored.entries()) {
    s.score = rank < verifier.rerankDepth ? predictAnswerable(verifier, s.featureInput) : 0;
  }
  return scored.sort((a, b) => b.score - a.score);
}
