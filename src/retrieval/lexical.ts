import { sql } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { queryRows } from "../db/query.ts";
import { FTS_CONFIG_SQL } from "../db/schema/chunks.ts";
import { HOW_WORDS_NOT_IN_ANSWERS } from "../text/answer-type-words.ts";
import { isNumberWord } from "../text/numbers.ts";
import { isAcronym, paraphrasesOf, type Paraphrases } from "../text/paraphrase.ts";
import { rarityWeight } from "./word-commonness.ts";

/** BM25 parameters (Robertson/Sparck Jones defaults, as in Lucene). */
const K1 = 1.2;
const B = 0.75;
/**
 * Candidate selection reads the postings of the question's rarest lexemes until about this many
 * chunks are in play; every question lexeme still scores them. A long claim's common words
 * ("use", "time", "increase") would otherwise pull much of the corpus through the scoring query,
 * whose cost grows with the candidates it unnests. The rarest two always select.
 */
const CANDIDATE_POSTINGS = 4000;
const MIN_SELECTING_TERMS = 2;

/**
 * A term of the question: its stem, how the question wrote it, and its weight. `entity` marks
 * names and numbers (capitalised or containing a digit), which evidence must mention itself.
 */
export type QueryTerm = {
  lexeme: string;
  surface: string;
  df: number;
  idf: number;
  weight: number;
  entity: boolean;
  /** Other words for it that evidence may use instead, with the credit each earns. */
  paraphrases: Paraphrases;
  /** Written as an acronym ("2FA"): evidence may spell it out by initials. */
  acronym: boolean;
};
export type QueryTerms = { terms: QueryTerm[]; chunkCount: number; avgLength: number };
export type LexicalHit = { chunkId: string; score: number };

export function idf(df: number, n: number): number {
  return Math.log(1 + (n - df + 0.5) / (df + 0.5));
}

/**
 * The question's lexemes as Postgres stems them (the same `english` configuration as the stored
 * column), each with its document frequency and BM25 idf over the current corpus. A lexeme the
 * corpus never uses gets the highest idf: a question about something absent is poorly covered.
 * A hyphenated word counts by its parts only: "per-seat" is "per" and "seat"; the compound as a
 * third term would outweigh both, and evidence writing the parts apart could never cover it.
 */
export async function analyseQuestion(db: Database, question: string): Promise<QueryTerms> {
  const searchable = withoutAnswerTypeWords(question);
  const rows = await queryRows<{
    token: string;
    lexeme: string;
    pos: number;
    df: number;
    n: number;
    avgdl: number;
  }>(
    db,
    sql`
      with toks as (
        select d.token, d.lexemes[1] as lexeme, d.pos
        from ts_debug(${FTS_CONFIG_SQL}, ${searchable}) with ordinality as d(alias, description, token, dictionaries, dictionary, lexemes, pos)
        where cardinality(d.lexemes) > 0 and d.alias not in ('asciihword', 'hword', 'numhword')
      )
      select t.token, t.lexeme, t.pos::int as pos, coalesce(s.df, 0)::int as df,
             cs.chunk_count as n, cs.avg_length as avgdl
      from toks t left join lexeme_stats s on s.lexeme = t.lexeme cross join corpus_stats cs
      order by t.pos`,
  );
  return buildQueryTerms(searchable, rows, Number(rows[0]?.n ?? 0), Number(rows[0]?.avgdl ?? 0));
}

/**
 * QueryTerms from the question's searchable tokens in order (each with its lexeme and document
 * frequency) and the corpus statistics, wherever they were read: the SQL above or the in-memory
 * index (lexical-memory.ts).
 */
export function buildQueryTerms(
  searchable: string,
  rows: readonly { token: string; lexeme: string; df: number }[],
  chunkCount: number,
  avgLength: number,
): QueryTerms {
  // The first word is capitalised by grammar, not because it names something; with its hyphen
  // parts ("Per-seat" gives "Per-seat", "Per" and "seat").
  const firstWord = /^[^\p{L}\p{N}]*([\p{L}\p{N}]+(?:-[\p{L}\p{N}]+)*)/u.exec(searchable)?.[1];
  const firstWordParts = new Set(firstWord ? [firstWord, ...firstWord.split("-")] : []);
  const byLexeme = new Map<string, QueryTerm>();
  for (const r of rows) {
    const df = Number(r.df);
    const termIdf = idf(df, chunkCount);
    const entity =
      /\d/.test(r.token) ||
      isNumberWord(r.token) ||
      (/^\p{Lu}/u.test(r.token) && !firstWordParts.has(r.token));
    const previous = byLexeme.get(r.lexeme);
    byLexeme.set(r.lexeme, {
      lexeme: r.lexeme,
      surface: r.token,
      df,
      idf: termIdf,
      weight: termIdf * rarityWeight(r.token),
      entity: entity || (previous?.entity ?? false),
      paraphrases: paraphrasesOf(r.lexeme, r.token),
      acronym: isAcronym(r.token) || (previous?.acronym ?? false),
    });
  }
  return { terms: [...byLexeme.values()], chunkCount, avgLength };
}

/**
 * "How much", "how long", "how many" ask for a kind of answer (a price, a duration, a count); the
 * word after "how" is almost never in the sentence that answers, so it must not count as a term
 * the evidence has to cover.
 */
const ANSWER_TYPE_PHRASE = new RegExp(`\\bhow\\s+(${HOW_WORDS_NOT_IN_ANSWERS.join("|")})\\b`, "gi");

export function withoutAnswerTypeWords(question: string): string {
  return question.replace(ANSWER_TYPE_PHRASE, "how");
}

/** Quote a lexeme for a tsquery literal. */
function tsqueryLiteral(lexeme: string): string {
  return `'${lexeme.replaceAll("\\", "\\\\").replaceAll("'", "''")}'`;
}

/** The rarest lexemes whose postings together stay within the candidate budget. */
export function selectingTerms(present: QueryTerm[]): QueryTerm[] {
  const byRarity = [...present].sort((a, b) => a.df - b.df || (a.lexeme < b.lexeme ? -1 : 1));
  const chosen: QueryTerm[] = [];
  let postings = 0;
  for (const t of byRarity) {
    if (chosen.length >= MIN_SELECTING_TERMS && postings + t.df > CANDIDATE_POSTINGS) break;
    chosen.push(t);
    postings += t.df;
  }
  return chosen;
}

/**
 * BM25 over Postgres full-text search: the GIN index selects candidates, SQL scores them. Only
 * chunks of `tenant`'s sources (at the `trust` tiers, when given) are scored and ranked: the
 * filter is part of the ranking query, so another tenant's chunks never take a place among the k.
 */
export async function searchLexical(
  db: Database,
  query: QueryTerms,
  options: { k: number; tenant: string; sourceIds?: string[]; trust?: readonly string[] },
): Promise<LexicalHit[]> {
  const present = query.terms.filter((t) => t.df > 0);
  if (present.length === 0 || query.chunkCount === 0) return [];
  const selective = selectingTerms(present);
  const tsquery = selective.map((t) => tsqueryLiteral(t.lexeme)).join(" | ");
  const weights = JSON.stringify(present.map((t) => ({ lexeme: t.lexeme, idf: t.idf })));
  const avgdl = query.avgLength || 1;
  const sourceFilter = options.sourceIds?.length
    ? sql`and d.source_id in (select jsonb_array_elements_text(${JSON.stringify(options.sourceIds)}::jsonb))`
    : sql``;
  const trustFilter = options.trust
    ? sql`and s.trust::text in (select jsonb_array_elements_text(${JSON.stringify(options.trust)}::jsonb))`
    : sql``;
  const rows = await queryRows<{ id: string; score: number }>(
    db,
    sql`
      with q as (select * from jsonb_to_recordset(${weights}::jsonb) as q(lexeme text, idf float8))
      select c.id, sum(q.idf * cardinality(u.positions) * ${K1 + 1}::float8
               / (cardinality(u.positions) + ${K1}::float8 * (1 - ${B}::float8 + ${B}::float8 * length(c.fts) / ${avgdl}::float8))) as score
      from chunks c
      join document_versions v on v.id = c.version_id and v.superseded_at is null
      join documents d on d.id = v.document_id and d.removed_at is null
      join sources s on s.id = d.source_id and s.tenant = ${options.tenant}
      cross join lateral unnest(c.fts) u
      join q on q.lexeme = u.lexeme
      where c.fts @@ ${tsquery}::tsquery ${sourceFilter} ${trustFilter}
      group by c.id
      order by score desc, c.id
      limit ${options.k}`,
  );
  return rows.map((r) => ({ chunkId: r.id, score: Number(r.score) }));
}
