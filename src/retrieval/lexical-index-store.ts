import { forEachTsvectorLexeme } from "./tsvector-text.ts";

/** A chunk as the lexical index holds it. */
export type LexicalDoc = DocHeader & {
  /** Lexeme -> term frequency (the number of positions in the chunk's tsvector). */
  terms: ReadonlyMap<string, number>;
};

/** Whose a chunk is: what the index keeps of it beside its postings. */
export type DocHeader = { chunkId: string; tenant: string; sourceId: string };

export type IndexStats = {
  docs: number;
  avgLength: number;
  lexemes: number;
  postings: number;
  deadPostings: number;
  tailPostings: number;
  bytes: number;
};

/**
 * The lexical index's arrays (see lexical-index.ts) and what builds them: `pack` lays every live
 * posting out in one base, renumbering chunks densely so each list stays sorted.
 */
export const MAX_TF = 255;

export type Store = {
  termIds: Map<string, number>;
  /** Base postings of term t: ids[offsets[t] .. offsets[t + 1]). */
  offsets: Uint32Array;
  ids: Uint32Array;
  tfs: Uint8Array;
  tailIds: (number[] | undefined)[];
  tailTfs: (number[] | undefined)[];
  df: number[];
  /** Upper bounds for pruning: the highest tf and the shortest chunk ever posted. */
  maxTf: number[];
  minLength: number[];
  chunkIds: string[];
  docOf: Map<string, number>;
  length: Uint32Array;
  live: Uint8Array;
  tenant: Uint16Array;
  source: Uint32Array;
  tenants: Map<string, number>;
  sources: Map<string, number>;
  liveDocs: number;
  lengthSum: number;
  basePostings: number;
  tailPostings: number;
  deadPostings: number;
};

export function emptyStore(): Store {
  return {
    termIds: new Map(),
    offsets: new Uint32Array(1),
    ids: new Uint32Array(0),
    tfs: new Uint8Array(0),
    tailIds: [],
    tailTfs: [],
    df: [],
    maxTf: [],
    minLength: [],
    chunkIds: [],
    docOf: new Map(),
    length: new Uint32Array(0),
    live: new Uint8Array(0),
    tenant: new Uint16Array(0),
    source: new Uint32Array(0),
    tenants: new Map(),
    sources: new Map(),
    liveDocs: 0,
    lengthSum: 0,
    basePostings: 0,
    tailPostings: 0,
    deadPostings: 0,
  };
}

export function newTerm(s: Store): number {
  const t = s.df.length;
  s.df.push(0);
  s.maxTf.push(0);
  s.minLength.push(Number.MAX_SAFE_INTEGER);
  s.tailIds.push(undefined);
  s.tailTfs.push(undefined);
  return t;
}

function grow<A extends Uint32Array | Uint16Array | Uint8Array>(a: A, size: number): A {
  if (a.length >= size) return a;
  const out = new (a.constructor as new (n: number) => A)(
    Math.max(size, Math.ceil(a.length * 1.5)),
  );
  out.set(a);
  return out;
}

/** A new live doc of `length` distinct lexemes (its postings are the caller's to add). */
export function newDoc(s: Store, doc: DocHeader, length: number): number {
  const d = s.chunkIds.length;
  s.chunkIds.push(doc.chunkId);
  s.docOf.set(doc.chunkId, d);
  s.length = grow(s.length, d + 1);
  s.live = grow(s.live, d + 1);
  s.tenant = grow(s.tenant, d + 1);
  s.source = grow(s.source, d + 1);
  s.length[d] = length;
  s.live[d] = 1;
  s.tenant[d] = intern(s.tenants, doc.tenant);
  s.source[d] = intern(s.sources, doc.sourceId);
  s.liveDocs++;
  s.lengthSum += length;
  return d;
}

function intern(map: Map<string, number>, key: string): number {
  let i = map.get(key);
  if (i === undefined) map.set(key, (i = map.size));
  return i;
}

/** The lexemes of doc d, read back from the postings (slow: only for a removal without them). */
export function termsOfDoc(s: Store, d: number): string[] {
  const out: string[] = [];
  for (const [lexeme, t] of s.termIds) {
    const tail = s.tailIds[t];
    const { start, end } = baseRange(s, t);
    if (tail?.includes(d) || binaryHas(s.ids, start, end, d)) out.push(lexeme);
  }
  return out;
}

function binaryHas(ids: Uint32Array, lo: number, hi: number, d: number): boolean {
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (ids[mid]! < d) lo = mid + 1;
    else hi = mid;
  }
  return lo < ids.length && ids[lo] === d;
}

/**
 * A base built from docs given one at a time, as a store reads its corpus a page at a time:
 * each doc's postings wait as term ids and frequencies in typed arrays (5 bytes a posting, not a
 * lexeme map per chunk) until `finish` lays them out per lexeme. A chunk id given again is
 * ignored (its first doc stands).
 */
export function createStoreBuilder() {
  const s = emptyStore();
  let terms = new Uint32Array(1 << 16);
  let tfs = new Uint8Array(1 << 16);
  /** Doc d's postings are terms[docEnd[d - 1] .. docEnd[d]). */
  let docEnd = new Uint32Array(1 << 10);
  let n = 0;
  /** Doc `header`'s postings, given one lexeme at a time by `each`, after the docs before it. */
  function addPostings(
    header: DocHeader,
    each: (post: (lexeme: string, tf: number) => void) => void,
  ): void {
    if (s.docOf.has(header.chunkId)) return;
    const first = n;
    each((lexeme, tf) => {
      let t = s.termIds.get(lexeme);
      if (t === undefined) s.termIds.set(lexeme, (t = newTerm(s)));
      if (n === terms.length) {
        terms = grow(terms, n + 1);
        tfs = grow(tfs, n + 1);
      }
      terms[n] = t;
      tfs[n++] = Math.min(tf, MAX_TF);
    });
    const d = newDoc(s, header, n - first);
    docEnd = grow(docEnd, d + 1);
    docEnd[d] = n;
  }
  return {
    add(doc: LexicalDoc): void {
      addPostings(doc, (post) => {
        for (const [lexeme, tf] of doc.terms) post(lexeme, tf);
      });
    },
    /**
     * A chunk straight from its stored tsvector's text form, with no lexeme map made for it:
     * opening a store adds every chunk this way, and a map per chunk was most of what opening
     * allocated (2.4 kB a chunk, gigabytes at a million chunks).
     */
    addTsvector(header: DocHeader, fts: string): void {
      addPostings(header, (post) => forEachTsvectorLexeme(fts, post));
    },
    /** The store, every posting in its base: lists in doc order, so each is sorted. */
    finish(): Store {
      const lexemes = s.df.length;
      const offsets = new Uint32Array(lexemes + 1);
      for (let i = 0; i < n; i++) offsets[terms[i]! + 1]!++;
      for (let t = 0; t < lexemes; t++) offsets[t + 1]! += offsets[t]!;
      const fill = offsets.slice(0, lexemes);
      const ids = new Uint32Array(n);
      const postedTfs = new Uint8Array(n);
      for (let d = 0, i = 0; d < s.chunkIds.length; d++) {
        for (const end = docEnd[d]!; i < end; i++) {
          const t = terms[i]!;
          const tf = tfs[i]!;
          const at = fill[t]!++;
          ids[at] = d;
          postedTfs[at] = tf;
          s.df[t]!++;
          if (tf > s.maxTf[t]!) s.maxTf[t] = tf;
          if (s.length[d]! < s.minLength[t]!) s.minLength[t] = s.length[d]!;
        }
      }
      s.offsets = offsets;
      s.ids = ids;
      s.tfs = postedTfs;
      s.basePostings = n;
      return s;
    },
  };
}

/**
 * A new base holding every live posting of `s`, with doc ids renumbered densely in order (so
 * every list stays sorted) and lexemes no live chunk holds dropped.
 */
export function pack(s: Store): Store {
  const out = emptyStore();
  const renumber = new Int32Array(s.chunkIds.length).fill(-1);
  const docs = s.liveDocs;
  out.length = new Uint32Array(docs);
  out.live = new Uint8Array(docs);
  out.tenant = new Uint16Array(docs);
  out.source = new Uint32Array(docs);
  const tenantNames = [...s.tenants.keys()];
  const sourceNames = [...s.sources.keys()];
  for (let d = 0; d < s.chunkIds.length; d++) {
    if (!s.live[d]) continue;
    renumber[d] = newDoc(
      out,
      {
        chunkId: s.chunkIds[d]!,
        tenant: tenantNames[s.tenant[d]!]!,
        sourceId: sourceNames[s.source[d]!]!,
      },
      s.length[d]!,
    );
  }

  // Count live postings per lexeme, then fill: lists in (renumbered) doc order.
  const lexemes = [...s.termIds].map(([lexeme, old]) => ({ lexeme, old }));
  const counts = lexemes.map(({ old }) => liveCount(s, old, renumber));
  const kept = lexemes.flatMap((l, i) => (counts[i]! > 0 ? [{ ...l, count: counts[i]! }] : []));
  out.termIds = new Map(kept.map(({ lexeme }, t) => [lexeme, t]));
  out.offsets = new Uint32Array(kept.length + 1);
  kept.forEach(({ count }, t) => (out.offsets[t + 1] = out.offsets[t]! + count));
  const total = out.offsets[kept.length]!;
  out.ids = new Uint32Array(total);
  out.tfs = new Uint8Array(total);
  out.df = kept.map(({ count }) => count);
  out.maxTf = kept.map(() => 0);
  out.minLength = kept.map(() => Number.MAX_SAFE_INTEGER);
  kept.forEach(({ old }, t) => {
    let at = out.offsets[t]!;
    forEachPosting(s, old, (d, tf) => {
      const renumbered = renumber[d]!;
      if (renumbered < 0) return;
      out.ids[at] = renumbered;
      out.tfs[at++] = tf;
      if (tf > out.maxTf[t]!) out.maxTf[t] = tf;
      if (out.length[renumbered]! < out.minLength[t]!) out.minLength[t] = out.length[renumbered]!;
    });
  });
  out.tailIds = kept.map(() => undefined);
  out.tailTfs = kept.map(() => undefined);
  out.basePostings = total;
  return out;
}

/** Where term t's base postings are; a term first seen after the last pack has none. */
export function baseRange(s: Store, t: number): { start: number; end: number } {
  if (t + 1 >= s.offsets.length) return { start: 0, end: 0 };
  return { start: s.offsets[t]!, end: s.offsets[t + 1]! };
}

function forEachPosting(s: Store, t: number, f: (d: number, tf: number) => void): void {
  const { start, end } = baseRange(s, t);
  for (let i = start; i < end; i++) f(s.ids[i]!, s.tfs[i]!);
  const tail = s.tailIds[t];
  const tailTfs = s.tailTfs[t];
  if (tail && tailTfs) for (let i = 0; i < tail.length; i++) f(tail[i]!, tailTfs[i]!);
}

function liveCount(s: Store, t: number, renumber: Int32Array): number {
  let n = 0;
  forEachPosting(s, t, (d) => (n += renumber[d]! >= 0 ? 1 : 0));
  return n;
}

export function stats(s: Store): IndexStats {
  const bytes =
    s.ids.byteLength +
    s.tfs.byteLength +
    s.offsets.byteLength +
    s.length.byteLength +
    s.live.byteLength +
    s.tenant.byteLength +
    s.source.byteLength +
    s.tailPostings * 16 +
    s.termIds.size * 3 * 8;
  return {
    docs: s.liveDocs,
    avgLength: s.liveDocs ? s.lengthSum / s.liveDocs : 0,
    lexemes: s.termIds.size,
    postings: s.basePostings + s.tailPostings,
    deadPostings: s.deadPostings,
    tailPostings: s.tailPostings,
    bytes,
  };
}
