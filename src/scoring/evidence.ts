import { sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { queryRows } from "../db/query.ts";
import { FTS_CONFIG_SQL } from "../db/schema/chunks.ts";
import type { Candidate } from "../retrieval/retrieve.ts";
import type { QueryTerms } from "../retrieval/lexical.ts";
import { acronymsSpelledIn } from "../text/paraphrase.ts";
import { evidenceUnits, type EvidenceUnit } from "../text/evidence-units.ts";
import { analyseContext, analysePassage, type PassageAnalysis } from "./passage-analysis.ts";
import { expectedAnswerType, statesAnswerType } from "./answer-type.ts";
import { dropsQualifier, negationDiffers } from "./qualifiers.ts";
import { isQuestion } from "./question-form.ts";
import type { FeatureInput } from "./features.ts";
import { coverage, entityCoverage, supportScore, type SupportSignals } from "./support.ts";
import { predictAnswerable, type VerifierModel } from "./verifier.ts";

// Statements are decided where passages are cut into evidence units; kept here for old callers.
export { isStatement } from "../text/evidence-units.ts";

/**
 * A sentence or table row of a retrieved chunk, located in its version's text, with its support
 * signals. `text` is its reading (scored and shown); `quote` is what a citation quotes.
 */
export type ScoredSentence = {
  candidate: Candidate;
  /** Offsets into the version text. */
  start: number;
  end: number;
  /** The reading: the sentence itself, or a table row read with its header ("Plan: Team; ..."). */
  text: string;
  /** The exact version text between `start` and `end`. */
  quote: string;
  kind: "sentence" | "row";
  signals: SupportSignals;
  /** The sentence's lexemes with their word positions. */
  lexemes: LexemePositions;
  /** The hand-weighted support score (support.ts). */
  heuristicScore: number;
  /** Rank among all scored sentences by heuristic score (0 = best). */
  heuristicRank: number;
  /** What the refusal threshold applies to: the verifier's probability, or the heuristic score. */
  score: number;
};

/**
 * The scored sentences of a question's candidates, best first by `score`, and the verifier's
 * input for any of them. Features are computed only when asked for: only a model needs them.
 */
export type SentenceEvidence = {
  sentences: ScoredSentence[];
  featureInput(sentence: ScoredSentence): FeatureInput;
};

/** Lexemes of a text with their word positions, as Postgres stems and numbers them. */
export type LexemePositions = Map<string, number[]>;

/**
 * Lexemes of many texts, stemmed by Postgres exactly as the indexed column is, in one round trip:
 * out[i] belongs to texts[i] (the query numbers its input with `ordinality`). Only when BM25 runs
 * in SQL (VERITY_LEXICAL=sql); otherwise the same analysis runs in process (src/text/analyse.ts).
 */
async function lexemesOf(db: Database, texts: string[]): Promise<LexemePositions[]> {
  if (texts.length === 0) return [];
  const rows = await queryRows<{ i: number; lexeme: string | null; positions: number[] | null }>(
    db,
    sql`select (e.ordinality - 1)::int as i, u.lexeme, u.positions
        from jsonb_array_elements_text(${JSON.stringify(texts)}::jsonb) with ordinality e
        left join lateral unnest(to_tsvector(${FTS_CONFIG_SQL}, e.value)) u on true`,
  );
  const out: LexemePositions[] = texts.map(() => new Map());
  for (const r of rows)
    if (r.lexeme) out[Number(r.i)]!.set(r.lexeme, (r.positions ?? []).map(Number));
  return out;
}

type Piece = {
  candidate: Candidate;
  start: number;
  end: number;
  text: string;
  quote: string;
  kind: EvidenceUnit["kind"];
  /** Names a piece need not repeat: its document's title, its source and the heading above it. */
  context: string;
};

/**
 * The candidates cut into evidence units (pieces, in candidate order), with the lexemes of every
 * piece, of every candidate's whole text and of every distinct context. In process, each passage
 * is analysed once and kept (passage-analysis.ts); through SQL, all of it in one round trip.
 */
async function analyseCandidates(
  db: Database,
  candidates: Candidate[],
  inProcess: boolean,
): Promise<{
  pieces: Piece[];
  sentenceLexemes: LexemePositions[];
  chunkLexemes: LexemePositions[];
  contextLexemes: Map<string, LexemePositions>;
}> {
  const passages = candidates.map((c) =>
    inProcess ? analysePassage(c.text) : { units: evidenceUnits(c.text) },
  );
  const pieces = candidates.flatMap((candidate, i) =>
    passages[i]!.units.map((unit) => ({
      candidate,
      start: candidate.start + unit.start,
      end: candidate.start + unit.end,
      text: unit.text,
      quote: candidate.text.slice(unit.start, unit.end),
      kind: unit.kind,
      context: [candidate.title, candidate.sourceName, unit.heading].filter(Boolean).join(" "),
    })),
  );
  const contexts = [...new Set(pieces.map((p) => p.context))];
  if (inProcess) {
    const analysed = passages as PassageAnalysis[];
    return {
      pieces,
      sentenceLexemes: analysed.flatMap((a) => a.unitLexemes),
      chunkLexemes: analysed.map((a) => a.passageLexemes),
      contextLexemes: new Map(contexts.map((text) => [text, analyseContext(text)])),
    };
  }
  const stemmed = await lexemesOf(db, [
    ...pieces.map((p) => p.text),
    ...candidates.map((c) => c.text),
    ...contexts,
  ]);
  // lexemesOf keeps the input order: the pieces, then each candidate's text, then each context.
  return {
    pieces,
    sentenceLexemes: stemmed.slice(0, pieces.length),
    chunkLexemes: stemmed.slice(pieces.length, pieces.length + candidates.length),
    contextLexemes: new Map(
      contexts.map((text, i) => [text, stemmed[pieces.length + candidates.length + i]!]),
    ),
  };
}

/** Split the candidates into sentences and score each sentence's support for the question. */
export async function scoreSentences(
  db: Database,
  question: string,
  query: QueryTerms,
  candidates: Candidate[],
  verifier: VerifierModel | null = null,
  /** Analyse the texts in process rather than by `to_tsvector` (VERITY_LEXICAL=memory). */
  inProcess = false,
): Promise<SentenceEvidence> {
  const wanted = expectedAnswerType(question);
  const asks = isQuestion(question);
  const analysed = await analyseCandidates(db, candidates, inProcess);
  const { pieces } = analysed;
  // An acronym of the question ("2FA") counts where the evidence spells it out by initials. The
  // analyses may be shared (passage-analysis.ts): one that gains a lexeme is copied first.
  const acronyms = new Set(query.terms.filter((t) => t.acronym).map((t) => t.lexeme));
  const spelled = (text: string, lexemes: LexemePositions): LexemePositions => {
    if (acronyms.size === 0) return lexemes;
    const found = [...acronymsSpelledIn(text, acronyms)].filter((a) => !lexemes.has(a));
    if (found.length === 0) return lexemes;
    const copy = new Map(lexemes);
    for (const a of found) copy.set(a, []);
    return copy;
  };
  const sentenceLexemes = pieces.map((p, i) => spelled(p.text, analysed.sentenceLexemes[i]!));
  const chunkLexemes = new Map(
    candidates.map((c, i) => [c.chunkId, spelled(c.text, analysed.chunkLexemes[i]!)]),
  );
  const contextLexemes = new Map(
    [...analysed.contextLexemes].map(([text, lexemes]) => [text, spelled(text, lexemes)]),
  );
  const chunkCoverage = new Map(
    candidates.map((c) => [c.chunkId, coverage(query, chunkLexemes.get(c.chunkId)!)]),
  );
  const ranked: ScoredSentence[] = pieces
    .map(({ context, ...p }, i) => {
      const lexemes = sentenceLexemes[i]!;
      const signals: SupportSignals = {
        sentenceCoverage: coverage(query, lexemes, contextLexemes.get(context)),
        chunkCoverage: chunkCoverage.get(p.candidate.chunkId) ?? 0,
        denseSimilarity: p.candidate.denseSimilarity,
        entityCoverage: entityCoverage(query, lexemes, contextLexemes.get(context)!),
        answerTypeMatch: wanted ? statesAnswerType(p.text, wanted) : null,
        nearMiss: asks
          ? {
              negation: negationDiffers(question, p.text),
              qualifier: dropsQualifier(question, p.text),
            }
          : null,
      };
      const heuristicScore = supportScore(signals);
      return { ...p, lexemes, signals, heuristicScore, heuristicRank: 0, score: heuristicScore };
    })
    .sort((a, b) => b.heuristicScore - a.heuristicScore);
  ranked.forEach((s, rank) => (s.heuristicRank = rank));

  const chunkRank = new Map(candidates.map((c, i) => [c.chunkId, i]));
  const maxLexical = Math.max(0, ...candidates.map((c) => c.lexicalScore));
  // Each chunk's dense similarity against the best of the other chunks.
  const denseMargin = new Map(
    candidates.map((c) => [
      c.chunkId,
      c.denseSimilarity -
        Math.max(-1, ...candidates.filter((o) => o !== c).map((o) => o.denseSimilarity)),
    ]),
  );
  const featureInput = (s: ScoredSentence): FeatureInput => {
    const other = ranked.find((h) => h.text !== s.text);
    return {
      question,
      query,
      sentence: s.text,
      sentenceLexemes: new Set(s.lexemes.keys()),
      sentencePositions: s.lexemes,
      chunkLexemes: chunkLexemes.get(s.candidate.chunkId) ?? new Set(),
      signals: s.signals,
      heuristicScore: s.heuristicScore,
      sentenceRank: s.heuristicRank,
      bestOtherScore: other?.heuristicScore ?? 0,
      chunkRank: chunkRank.get(s.candidate.chunkId) ?? candidates.length,
      lexicalRank: s.candidate.lexicalRank,
      lexicalScoreShare: maxLexical > 0 ? s.candidate.lexicalScore / maxLexical : 0,
      denseMargin: denseMargin.get(s.candidate.chunkId) ?? 0,
    };
  };
  if (!verifier) return { sentences: ranked, featureInput };
  // The verifier re-ranks the heuristic's best few, as it was trained to: the rest cannot answer.
  for (const s of ranked) {
    s.score =
      s.heuristicRank < verifier.rerankDepth ? predictAnswerable(verifier, featureInput(s)) : 0;
  }
  return { sentences: [...ranked].sort((a, b) => b.score - a.score), featureInput };
}
