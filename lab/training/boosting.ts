/**
 * Gradient-boosted regression trees for binary log-loss (Friedman 2001, with Newton leaf values as
 * in XGBoost), trained on quantile-binned features. No maintained JavaScript library trains these,
 * and the verifier needs only this: a few hundred shallow trees over a few dozen features.
 */
import type { BoostedTrees, Tree } from "../../src/scoring/verifier.ts";

export type BoostingOptions = {
  trees?: number;
  depth?: number;
  learningRate?: number;
  /** L2 penalty on leaf values (XGBoost's lambda). */
  l2?: number;
  /** Smallest hessian sum a leaf may have (XGBoost's min_child_weight). */
  minLeafWeight?: number;
  bins?: number;
};

type Binned = { codes: Uint8Array[]; edges: number[][] };

/** Per-feature cut points at quantiles, and every value's bin code. */
function binFeatures(rows: number[][], bins: number): Binned {
  const d = rows[0]?.length ?? 0;
  const codes: Uint8Array[] = [];
  const edges: number[][] = [];
  for (let j = 0; j < d; j++) {
    const sorted = rows.map((r) => r[j]!).sort((a, b) => a - b);
    const cuts: number[] = [];
    for (let b = 1; b < bins; b++) {
      const v = sorted[Math.floor((b * sorted.length) / bins)]!;
      if (cuts.length === 0 || v > cuts[cuts.length - 1]!) cuts.push(v);
    }
    edges.push(cuts);
    // Bin k holds values below cuts[k] (and at or above cuts[k-1]): a split "code <= k" is x < cuts[k].
    codes.push(Uint8Array.from(rows, (r) => upperBound(cuts, r[j]!)));
  }
  return { codes, edges };
}

function upperBound(cuts: number[], v: number): number {
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cuts[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export function fitBoostedTrees(
  rows: number[][],
  labels: number[],
  options: BoostingOptions = {},
): Pick<BoostedTrees, "base" | "learningRate" | "trees"> {
  const {
    trees: count = 200,
    depth = 3,
    learningRate = 0.1,
    l2 = 1,
    minLeafWeight = 5,
    bins = 32,
  } = options;
  const n = rows.length;
  const { codes, edges } = binFeatures(rows, bins);
  const positives = labels.reduce((s, y) => s + y, 0);
  const base = Math.log((positives + 1) / (n - positives + 1));
  const margin = new Float64Array(n).fill(base);
  const grad = new Float64Array(n);
  const hess = new Float64Array(n);
  const fitted: Tree[] = [];
  for (let t = 0; t < count; t++) {
    for (let i = 0; i < n; i++) {
      const p = 1 / (1 + Math.exp(-margin[i]!));
      grad[i] = p - labels[i]!;
      hess[i] = Math.max(p * (1 - p), 1e-6);
    }
    const tree: Tree = { feature: [], threshold: [], left: [], right: [], value: [] };
    const leafOf = new Int32Array(n);
    growNode(
      tree,
      Int32Array.from({ length: n }, (_, i) => i),
      0,
    );
    for (let i = 0; i < n; i++) margin[i]! += learningRate * tree.value[leafOf[i]!]!;
    fitted.push(tree);

    function growNode(node: Tree, members: Int32Array, level: number): number {
      const id = node.feature.length;
      let g = 0;
      let h = 0;
      for (const i of members) {
        g += grad[i]!;
        h += hess[i]!;
      }
      node.feature.push(-1);
      node.threshold.push(0);
      node.left.push(-1);
      node.right.push(-1);
      node.value.push(-g / (h + l2));
      const split = level < depth ? bestSplit(members, g, h) : null;
      if (!split) {
        for (const i of members) leafOf[i] = id;
        return id;
      }
      const column = codes[split.feature]!;
      const goLeft = members.filter((i) => column[i]! <= split.bin);
      const goRight = members.filter((i) => column[i]! > split.bin);
      node.feature[id] = split.feature;
      node.threshold[id] = edges[split.feature]![split.bin]!;
      node.left[id] = growNode(node, goLeft, level + 1);
      node.right[id] = growNode(node, goRight, level + 1);
      return id;
    }
  }
  return { base, learningRate, trees: fitted };

  function bestSplit(members: Int32Array, g: number, h: number) {
    const score = (gs: number, hs: number) => (gs * gs) / (hs + l2);
    const parent = score(g, h);
    let best: { feature: number; bin: number; gain: number } | null = null;
    const gHist = new Float64Array(bins);
    const hHist = new Float64Array(bins);
    for (let j = 0; j < codes.length; j++) {
      const cuts = edges[j]!.length;
      if (cuts === 0) continue;
      gHist.fill(0);
      hHist.fill(0);
      const column = codes[j]!;
      for (const i of members) {
        gHist[column[i]!]! += grad[i]!;
        hHist[column[i]!]! += hess[i]!;
      }
      let gl = 0;
      let hl = 0;
      for (let b = 0; b < cuts; b++) {
        gl += gHist[b]!;
        hl += hHist[b]!;
        const hr = h - hl;
        if (hl < minLeafWeight || hr < minLeafWeight) continue;
        const gain = score(gl, hl) + score(g - gl, hr) - parent;
        if (gain > 1e-9 && (!best || gain > best.gain)) best = { feature: j, bin: b, gain };
      }
    }
    return best;
  }
}
