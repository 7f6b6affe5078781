/**
 * Exact BM25 top-k by MaxScore (Turtle and Flood, 1995): lists are ordered by their score upper
 * bound; once the k-th best score θ passes the sum of the lowest bounds, those lists stop
 * proposing candidates and are only probed (by galloping search) for candidates the others
 * propose, and a candidate is dropped as soon as its score plus the bounds left cannot reach θ.
 * The cost then follows the lists of the rare, high-idf lexemes, not every matching posting.
 *
 * Scores are computed exactly as searchLexical's SQL computes them, operation for operation, so
 * the two agree to the last bit up to the order of the per-lexeme sum.
 */
export const K1 = 1.2;
export const B = 0.75;
/** Bounds and sums can differ in the last bits; prune only below θ by more than this. */
const EPSILON = 1e-9;

export type TermCursorInput = {
  idf: number;
  /** Whether chunks holding this lexeme are candidates (else it only adds to their score). */
  selecting: boolean;
  ids: Uint32Array;
  tfs: Uint8Array;
  start: number;
  end: number;
  tailIds: number[] | undefined;
  tailTfs: number[] | undefined;
  maxTf: number;
  minLength: number;
};

export type ScoredDoc = { doc: number; chunkId: string; score: number };

/** A posting list being walked: `doc` is the posting at `pos`, Infinity once past the end. */
class Cursor {
  readonly idf: number;
  readonly selecting: boolean;
  readonly ub: number;
  readonly n: number;
  pos = 0;
  doc = Infinity;
  private readonly ids: Uint32Array;
  private readonly tfs: Uint8Array;
  private readonly start: number;
  private readonly baseN: number;
  private readonly tailIds: number[] | undefined;
  private readonly tailTfs: number[] | undefined;

  constructor(input: TermCursorInput, ub: number) {
    this.idf = input.idf;
    this.selecting = input.selecting;
    this.ub = ub;
    this.ids = input.ids;
    this.tfs = input.tfs;
    this.start = input.start;
    this.baseN = input.end - input.start;
    this.tailIds = input.tailIds;
    this.tailTfs = input.tailTfs;
    this.n = this.baseN + (input.tailIds?.length ?? 0);
    this.moveTo(0);
  }

  private docAt(i: number): number {
    return i < this.baseN ? this.ids[this.start + i]! : this.tailIds![i - this.baseN]!;
  }

  /** The term frequency at the current posting. */
  tf(): number {
    const i = this.pos;
    return i < this.baseN ? this.tfs[this.start + i]! : this.tailTfs![i - this.baseN]!;
  }

  moveTo(pos: number): void {
    this.pos = pos;
    this.doc = pos < this.n ? this.docAt(pos) : Infinity;
  }

  /** Move to the first posting at or after doc `target` (galloping, then binary search). */
  seek(target: number): void {
    if (this.doc >= target) return;
    let step = 1;
    let lo = this.pos;
    while (lo + step < this.n && this.docAt(lo + step) < target) {
      lo += step;
      step *= 2;
    }
    let hi = Math.min(lo + step, this.n);
    lo += 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.docAt(mid) < target) lo = mid + 1;
      else hi = mid;
    }
    this.moveTo(lo);
  }
}

/** The BM25 term score, in the same order of operations as the SQL. */
export function termScore(idf: number, tf: number, length: number, avgLength: number): number {
  return scoreWithNorm(idf, tf, lengthNorm(length, avgLength));
}

function scoreWithNorm(idf: number, tf: number, norm: number): number {
  return (idf * tf * (K1 + 1)) / (tf + norm);
}

/**
 * The part of termScore's denominator that depends on the chunk only: worked out once per scored
 * chunk, it gives the same double as inside termScore (the same operations in the same order).
 */
function lengthNorm(length: number, avgLength: number): number {
  return K1 * (1 - B + (B * length) / avgLength);
}

export function topKMaxScore(
  inputs: TermCursorInput[],
  options: {
    k: number;
    avgLength: number;
    length: Uint32Array;
    allow: (doc: number) => boolean;
    idOf: (doc: number) => string;
  },
): ScoredDoc[] {
  const { k, length, allow, idOf } = options;
  const avg = options.avgLength || 1;
  if (k <= 0 || inputs.length === 0) return [];
  const cursors = inputs.map(
    (input) => new Cursor(input, termScore(input.idf, input.maxTf, input.minLength, avg)),
  );
  const driving = cursors.filter((c) => c.selecting).sort((a, b) => a.ub - b.ub);
  const othersUb = cursors.filter((c) => !c.selecting).reduce((sum, c) => sum + c.ub, 0);
  let demoted = 0;
  let probed = probedLists(cursors, driving, demoted);
  let probedUb = probed.reduce((sum, c) => sum + c.ub, 0);

  const heap = createHeap(k, idOf);
  for (;;) {
    let d = Infinity;
    for (let i = demoted; i < driving.length; i++) d = Math.min(d, driving[i]!.doc);
    if (d === Infinity) break;
    if (!allow(d)) {
      for (let i = demoted; i < driving.length; i++) {
        const c = driving[i]!;
        if (c.doc === d) c.moveTo(c.pos + 1);
      }
      continue;
    }
    const norm = lengthNorm(length[d]!, avg);
    let score = 0;
    for (let i = demoted; i < driving.length; i++) {
      const c = driving[i]!;
      if (c.doc !== d) continue;
      score += scoreWithNorm(c.idf, c.tf(), norm);
      c.moveTo(c.pos + 1);
    }
    const theta = heap.threshold();
    let left = probedUb;
    let pruned = false;
    for (const c of probed) {
      if (score + left + EPSILON < theta) {
        pruned = true;
        break;
      }
      left -= c.ub;
      c.seek(d);
      if (c.doc === d) score += scoreWithNorm(c.idf, c.tf(), norm);
    }
    if (pruned || !heap.offer(d, score)) continue;
    // θ rose: lists whose bounds (with every lower one's) cannot reach it stop proposing.
    const raised = heap.threshold();
    let bound = othersUb;
    for (let i = 0; i < demoted; i++) bound += driving[i]!.ub;
    let next = demoted;
    while (next < driving.length && bound + driving[next]!.ub + EPSILON < raised) {
      bound += driving[next]!.ub;
      next++;
    }
    if (next !== demoted) {
      demoted = next;
      probed = probedLists(cursors, driving, demoted);
      probedUb = probed.reduce((sum, c) => sum + c.ub, 0);
    }
  }
  return heap.sorted();
}

/** Lists only probed: the demoted selecting ones and every non-selecting one, highest bound first. */
function probedLists(cursors: Cursor[], driving: Cursor[], demoted: number): Cursor[] {
  const proposing = new Set(driving.slice(demoted));
  return cursors.filter((c) => !proposing.has(c)).sort((a, b) => b.ub - a.ub);
}

/** The k best so far; the root is the worst (lowest score, then highest chunk id). */
function createHeap(k: number, idOf: (doc: number) => string) {
  const docs: number[] = [];
  const scores: number[] = [];
  const worse = (i: number, j: number) =>
    scores[i]! < scores[j]! || (scores[i] === scores[j] && idOf(docs[i]!) > idOf(docs[j]!));
  const swap = (i: number, j: number) => {
    [docs[i], docs[j]] = [docs[j]!, docs[i]!];
    [scores[i], scores[j]] = [scores[j]!, scores[i]!];
  };
  const down = (i: number) => {
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < docs.length && worse(l, m)) m = l;
      if (r < docs.length && worse(r, m)) m = r;
      if (m === i) return;
      swap(i, m);
      i = m;
    }
  };
  return {
    threshold: () => (docs.length < k ? -Infinity : scores[0]!),
    /** Keep (d, score) if it beats the worst of a full heap; true when kept. */
    offer(d: number, score: number): boolean {
      if (docs.length < k) {
        docs.push(d);
        scores.push(score);
        for (let i = docs.length - 1; i > 0;) {
          const parent = (i - 1) >> 1;
          if (!worse(i, parent)) break;
          swap(i, parent);
          i = parent;
        }
        return true;
      }
      const s0 = scores[0]!;
      if (score < s0 || (score === s0 && idOf(d) > idOf(docs[0]!))) return false;
      docs[0] = d;
      scores[0] = score;
      down(0);
      return true;
    },
    sorted: (): ScoredDoc[] =>
      docs
        .map((doc, i) => ({ doc, chunkId: idOf(doc), score: scores[i]! }))
        .sort((a, b) => b.score - a.score || (a.chunkId < b.chunkId ? -1 : 1)),
  };
}
