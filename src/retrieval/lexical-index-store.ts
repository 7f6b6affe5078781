/** A chunk as the lexical index holds it. */
export type LexicalDoc = {
  chunkId: string;
  tenant: string;
  sourceId: string;
  /** Lexeme -> term frequency (the number of positions in the chunk's tsvector). */
  terms: ReadonlyMap<string, number>;
};

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

export function newDoc(s: Store, doc: LexicalDoc): number {
  const d = s.chunkIds.length;
  s.chunkIds.push(doc.chunkId);
  s.docOf.set(doc.chunkId, d);
  s.length = grow(s.length, d + 1);
  s.live = grow(s.live, d + 1);
  s.tenant = grow(s.tenant, d + 1);
  s.source = grow(s.source, d + 1);
  s.length[d] = doc.terms.size;
  s.live[d] = 1;
  s.tenant[d] = intern(s.tenants, doc.tenant);
  s.source[d] = intern(s.sources, doc.sourceId);
  s.liveDocs++;
  s.lengthSum += doc.terms.size;
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
 * A new base holding every live posting of `s` and `extra` docs, with doc ids renumbered densely
 * in order (so every list stays sorted) and lexemes no live chunk holds dropped.
 */
export function pack(s: Store, extra: LexicalDoc[]): Store {
  const out = emptyStore();
  const renumber = new Int32Array(s.chunkIds.length).fill(-1);
  const docs = s.chunkIds.length + extra.length;
  out.length = new Uint32Array(docs);
  out.live = new Uint8Array(docs);
  out.tenant = new Uint16Array(docs);
  out.source = new Uint32Array(docs);
  const tenantNames = [...s.tenants.keys()];
  const sourceNames = [...s.sources.keys()];
  for (let d = 0; d < s.chunkIds.length; d++) {
    if (!s.live[d]) continue;
    renumber[d] = newDoc(out, {
      chunkId: s.chunkIds[d]!,
      tenant: tenantNames[s.tenant[d]!]!,
      sourceId: sourceNames[s.source[d]!]!,
      terms: { size: s.length[d]! } as ReadonlyMap<string, number>,
    });
  }
  const fresh = extra.filter((doc) => !out.docOf.has(doc.chunkId));
  const freshIds = fresh.map((doc) => newDoc(out, doc));

  // Count postings per lexeme, then fill: lexemes in first-seen order, lists in doc order.
  const counts: number[] = [];
  const termIds = new Map<string, number>();
  const termFor = (lexeme: string) => {
    let t = termIds.get(lexeme);
    if (t === undefined) termIds.set(lexeme, (t = counts.push(0) - 1));
    return t;
  };
  const oldLists = [...s.termIds].map(([lexeme, t]) => ({ t: termFor(lexeme), old: t }));
  for (const { t, old } of oldLists) counts[t]! += liveCount(s, old, renumber);
  for (const doc of fresh) for (const lexeme of doc.terms.keys()) counts[termFor(lexeme)]!++;
  const offsets = new Uint32Array(counts.length + 1);
  for (let t = 0; t < counts.length; t++) offsets[t + 1] = offsets[t]! + counts[t]!;
  const total = offsets[counts.length]!;
  const ids = new Uint32Array(total);
  const tfs = new Uint8Array(total);
  const fill = offsets.slice(0, counts.length);
  const maxTf = new Array<number>(counts.length).fill(0);
  const minLength = new Array<number>(counts.length).fill(Number.MAX_SAFE_INTEGER);
  const post = (t: number, d: number, tf: number) => {
    const at = fill[t]!++;
    ids[at] = d;
    tfs[at] = tf;
    if (tf > maxTf[t]!) maxTf[t] = tf;
    if (out.length[d]! < minLength[t]!) minLength[t] = out.length[d]!;
  };
  for (const { t, old } of oldLists)
    forEachPosting(s, old, (d, tf) => {
      if (renumber[d]! >= 0) post(t, renumber[d]!, tf);
    });
  fresh.forEach((doc, i) => {
    for (const [lexeme, tf] of doc.terms)
      post(termIds.get(lexeme)!, freshIds[i]!, Math.min(tf, MAX_TF));
  });

  // Keep only lexemes some live chunk holds.
  const kept = [...termIds].filter(([, t]) => counts[t]! > 0);
  out.termIds = new Map(kept.map(([lexeme], i) => [lexeme, i]));
  out.offsets = new Uint32Array(kept.length + 1);
  kept.forEach(([, t], i) => (out.offsets[i + 1] = out.offsets[i]! + counts[t]!));
  const order = kept.map(([, t]) => t);
  out.ids = new Uint32Array(total);
  out.tfs = new Uint8Array(total);
  order.forEach((t, i) => {
    out.ids.set(ids.subarray(offsets[t]!, offsets[t + 1]!), out.offsets[i]!);
    out.tfs.set(tfs.subarray(offsets[t]!, offsets[t + 1]!), out.offsets[i]!);
  });
  out.df = order.map((t) => counts[t]!);
  out.maxTf = order.map((t) => maxTf[t]!);
  out.minLength = order.map((t) => minLength[t]!);
  out.tailIds = order.map(() => undefined);
  out.tailTfs = order.map(() => undefined);
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
