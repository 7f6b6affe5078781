import { COMPOUND_ALIASES, debugText } from "../text/analyse.ts";
import type { LexicalIndex } from "./lexical-index.ts";
import {
  buildQueryTerms,
  selectingTerms,
  withoutAnswerTypeWords,
  type LexicalHit,
  type QueryTerms,
} from "./lexical.ts";

/**
 * The in-memory twins of analyseQuestion and searchLexical (lexical.ts): the same QueryTerms and
 * the same hits, read from a LexicalIndex instead of `ts_debug`, `lexeme_stats` and the GIN index.
 */
export function analyseQuestionInMemory(index: LexicalIndex, question: string): QueryTerms {
  const searchable = withoutAnswerTypeWords(question);
  const rows = debugText(searchable)
    .filter((t) => t.lexeme && !COMPOUND_ALIASES.has(t.alias))
    .map((t) => ({ token: t.token, lexeme: t.lexeme!, df: index.df(t.lexeme!) }));
  // As the SQL: with no searchable token there is no row to carry the corpus statistics.
  const n = rows.length ? index.chunkCount() : 0;
  return buildQueryTerms(searchable, rows, n, rows.length ? index.avgLength() : 0);
}

/**
 * BM25 top-k as searchLexical ranks it: candidates are chunks holding one of the question's
 * rarest lexemes (selectingTerms), every present lexeme scores them, and only chunks of `tenant`'s
 * sources (of `sourceIds`, and of `citableSources` when given) are candidates at all.
 */
export function searchLexicalInMemory(
  index: LexicalIndex,
  query: QueryTerms,
  options: {
    k: number;
    tenant: string;
    sourceIds?: readonly string[];
    /** The tenant's sources at the trust tiers an answer may cite; every source when absent. */
    citableSources?: ReadonlySet<string> | null;
    /** Score every chunk holding any lexeme, not only the rarest lexemes' (not what SQL does). */
    allTermsSelect?: boolean;
  },
): LexicalHit[] {
  const present = query.terms.filter((t) => t.df > 0);
  if (present.length === 0 || query.chunkCount === 0) return [];
  const selecting = options.allTermsSelect
    ? undefined
    : new Set(selectingTerms(present).map((t) => t.lexeme));
  let sources: string[] | null = options.sourceIds?.length ? [...options.sourceIds] : null;
  if (options.citableSources) {
    const citable = options.citableSources;
    sources = (sources ?? [...citable]).filter((id) => citable.has(id));
  }
  const hits = index.search(present, {
    k: options.k,
    selecting,
    allow: index.filter(options.tenant, sources),
  });
  return hits.map((h) => ({ chunkId: h.chunkId, score: h.score }));
}
