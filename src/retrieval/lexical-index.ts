import {
  baseRange,
  createStoreBuilder,
  MAX_TF,
  newDoc,
  newTerm,
  pack,
  stats,
  termsOfDoc,
  type Store,
} from "./lexical-index-store.ts";
import { topKMaxScore, type ScoredDoc, type TermCursorInput } from "./lexical-topk.ts";

/**
 * An in-memory inverted index for BM25 over chunks, scored exactly as searchLexical's SQL scores
 * (lexical.ts): per lexeme its postings, document ids ascending with the term frequency Postgres
 * keeps (at most 255 positions a lexeme, so one byte), and per chunk its length as `length(fts)`
 * counts it (distinct lexemes). Frequencies rather than precomputed impacts: an impact depends on
 * the average length, which every added or removed chunk moves, and recomputing the tf part
 * from a byte and a length costs a division per scored posting.
 *
 * Postings live in two parts, like an LSM segment and its memtable: a packed base (one Uint32Array
 * of ids and one Uint8Array of frequencies for all lexemes, with offsets) built in one pass, and
 * per-lexeme tails that chunks added later append to. Removal marks the chunk dead and takes it
 * out of the statistics at once; `compact()` (automatic past a share of dead or tail postings)
 * folds both back into a new base.
 */
import type { IndexStats, LexicalDoc } from "./lexical-index-store.ts";

export type { IndexStats, LexicalDoc };

/** When dead or tail postings pass this share of all postings, the next change compacts. */
const COMPACT_SHARE = 0.25;

export type LexicalIndex = ReturnType<typeof lexicalIndexOver>;

export function createLexicalIndex(docs: Iterable<LexicalDoc> = []): LexicalIndex {
  const builder = createLexicalIndexBuilder();
  for (const doc of docs) builder.add(doc);
  return builder.finish();
}

/**
 * An index built from docs given one at a time (a corpus read a page at a time), with no doc's
 * lexeme map kept beyond its `add`: what opening a large store holds at its peak.
 */
export function createLexicalIndexBuilder() {
  const builder = createStoreBuilder();
  return {
    add: builder.add,
    addTsvector: builder.addTsvector,
    finish: () => lexicalIndexOver(builder.finish()),
  };
}

function lexicalIndexOver(built: Store) {
  let s = built;

  const termOf = (lexeme: string) => s.termIds.get(lexeme);

  function add(docs: LexicalDoc[]): void {
    for (const doc of docs) {
      if (s.docOf.has(doc.chunkId)) remove([doc.chunkId]);
      const d = newDoc(s, doc, doc.terms.size);
      for (const [lexeme, tf] of doc.terms) {
        let t = s.termIds.get(lexeme);
        if (t === undefined) s.termIds.set(lexeme, (t = newTerm(s)));
        (s.tailIds[t] ??= []).push(d);
        (s.tailTfs[t] ??= []).push(Math.min(tf, MAX_TF));
        s.df[t]!++;
        s.maxTf[t] = Math.max(s.maxTf[t]!, Math.min(tf, MAX_TF));
        s.minLength[t] = Math.min(s.minLength[t]!, doc.terms.size);
        s.tailPostings++;
      }
    }
    maybeCompact();
  }

  /** Remove chunks; the lexemes they had are found from the postings only at compaction. */
  function remove(chunkIds: Iterable<string>, termsOf?: (chunkId: string) => Iterable<string>) {
    let removed = 0;
    for (const id of chunkIds) {
      const d = s.docOf.get(id);
      if (d === undefined || !s.live[d]) continue;
      s.live[d] = 0;
      s.docOf.delete(id);
      s.liveDocs--;
      s.lengthSum -= s.length[d]!;
      s.deadPostings += s.length[d]!;
      removed++;
      // df must drop now: idf and the candidate budget read it on the next question.
      const terms = termsOf?.(id) ?? termsOfDoc(s, d);
      for (const lexeme of terms) {
        const t = s.termIds.get(lexeme);
        if (t !== undefined) s.df[t]!--;
      }
    }
    if (removed) maybeCompact();
    return removed;
  }

  function maybeCompact(): void {
    const all = s.basePostings + s.tailPostings;
    if (s.deadPostings + s.tailPostings > COMPACT_SHARE * all && all > 1024) compact();
  }

  function compact(): void {
    s = pack(s);
  }

  return {
    add,
    remove,
    compact,
    has: (chunkId: string) => s.docOf.has(chunkId),
    /** Chunks holding the lexeme now (removed ones no longer count). */
    df: (lexeme: string) => {
      const t = termOf(lexeme);
      return t === undefined ? 0 : s.df[t]!;
    },
    chunkCount: () => s.liveDocs,
    avgLength: () => (s.liveDocs ? s.lengthSum / s.liveDocs : 0),
    stats: (): IndexStats => stats(s),
    chunkIdOf: (doc: number) => s.chunkIds[doc]!,
    /**
     * Docs of these tenants' sources (and of `sourceIds` when given) that a search may return:
     * anything else is skipped before scoring, so it never takes a place among the k.
     */
    filter(tenant: string, sourceIds?: readonly string[] | null): (doc: number) => boolean {
      const t = s.tenants.get(tenant);
      if (t === undefined) return () => false;
      const { tenant: tenantOf, source: sourceOf } = s;
      if (!sourceIds) return (d) => tenantOf[d] === t;
      const allowed = new Set(sourceIds.flatMap((id) => s.sources.get(id) ?? []));
      return (d) => tenantOf[d] === t && allowed.has(sourceOf[d]!);
    },
    /**
     * The k best chunks by BM25 over `terms` (each with its idf), among chunks holding at least
     * one `selecting` lexeme (all of `terms` when absent), best first, ties by chunk id.
     */
    search(
      terms: readonly { lexeme: string; idf: number }[],
      options: { k: number; allow?: (doc: number) => boolean; selecting?: ReadonlySet<string> },
    ): ScoredDoc[] {
      const inputs: TermCursorInput[] = [];
      for (const term of terms) {
        const t = termOf(term.lexeme);
        if (t === undefined || s.df[t] === 0) continue;
        inputs.push({
          idf: term.idf,
          selecting: options.selecting ? options.selecting.has(term.lexeme) : true,
          ids: s.ids,
          tfs: s.tfs,
          ...baseRange(s, t),
          tailIds: s.tailIds[t],
          tailTfs: s.tailTfs[t],
          maxTf: s.maxTf[t]!,
          minLength: s.minLength[t]!,
        });
      }
      const live = s.live;
      const allow = options.allow;
      return topKMaxScore(inputs, {
        k: options.k,
        avgLength: s.liveDocs ? s.lengthSum / s.liveDocs : 1,
        length: s.length,
        allow: (d) => live[d] === 1 && (!allow || allow(d)),
        idOf: (d) => s.chunkIds[d]!,
      });
    },
  };
}
