import { sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { queryRows } from "../db/query.ts";
import type { Candidate } from "../retrieval/retrieve.ts";
import type { QueryTerms } from "../retrieval/lexical.ts";
import { splitSentences } from "../text/sentences.ts";
import { coverage, supportScore, type SupportSignals } from "./support.ts";

/** A sentence of a retrieved chunk, located in its version's text, with its support signals. */
export type ScoredSentence = {
  candidate: Candidate;
  /** Offsets into the version text. */
  start: number;
  end: number;
  text: string;
  signals: SupportSignals;
  score: number;
};

/** Lexemes of many texts, stemmed by Postgres exactly as the indexed column is. */
async function lexemesOf(db: Database, texts: string[]): Promise<Set<string>[]> {
  if (texts.length === 0) return [];
  const rows = await queryRows<{ i: number; lexemes: string[] | null }>(
    db,
    sql`select (e.ordinality - 1)::int as i, tsvector_to_array(to_tsvector('english', e.value)) as lexemes
        from jsonb_array_elements_text(${JSON.stringify(texts)}::jsonb) with ordinality e`,
  );
  const out = texts.map(() => new Set<string>());
  for (const r of rows) out[Number(r.i)] = new Set(r.lexemes ?? []);
  return out;
}

/** Split the candidates into sentences and score each sentence's support for the question. */
export async function scoreSentences(
  db: Database,
  query: QueryTerms,
  candidates: Candidate[],
): Promise<ScoredSentence[]> {
  const pieces = candidates.flatMap((candidate) =>
    splitSentences(candidate.text)
      // A question in the sources (an FAQ heading) restates the ask; it never answers it.
      .filter((span) => !candidate.text.slice(span.start, span.end).endsWith("?"))
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
  ]);
  const chunkCoverage = new Map(
    candidates.map((c, i) => [c.chunkId, coverage(query, lexemes[pieces.length + i]!)]),
  );
  return pieces
    .map((p, i) => {
      const signals: SupportSignals = {
        sentenceCoverage: coverage(query, lexemes[i]!),
        chunkCoverage: chunkCoverage.get(p.candidate.chunkId) ?? 0,
        denseSimilarity: p.candidate.denseSimilarity,
      };
      return { ...p, signals, score: supportScore(signals) };
    })
    .sort((a, b) => b.score - a.score);
}
