import { hash } from "node:crypto";

/**
 * RFC 9162 §2.1 Merkle tree hashing (SHA-256) with inclusion and consistency proofs.
 * Sizes and indexes are plain numbers; the verifiers refuse anything that is not a safe integer,
 * and use division rather than 32-bit shifts so trees past 2^31 leaves still verify.
 */
export const HASH_SIZE = 32;

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

const sha256 = (data: Uint8Array): Buffer => hash("sha256", data, "buffer");

/** SHA-256(0x00 || entry): the 0x00/0x01 prefixes keep a leaf from passing for an inner node. */
export function leafHash(entry: string | Uint8Array): Buffer {
  const bytes = typeof entry === "string" ? Buffer.from(entry, "utf8") : entry;
  return sha256(Buffer.concat([LEAF_PREFIX, bytes]));
}

export function nodeHash(left: Uint8Array, right: Uint8Array): Buffer {
  return sha256(Buffer.concat([NODE_PREFIX, left, right]));
}

/** The root of the tree with no leaves, SHA-256 of the empty string. */
export function emptyRoot(): Buffer {
  return sha256(Buffer.alloc(0));
}

/** MTH straight from RFC 9162 §2.1.1, over leaf hashes: the slow reference the tree is tested on. */
export function rootFromLeaves(leaves: Buffer[]): Buffer {
  if (leaves.length === 0) return emptyRoot();
  if (leaves.length === 1) return leaves[0]!;
  const k = splitPoint(leaves.length);
  return nodeHash(rootFromLeaves(leaves.slice(0, k)), rootFromLeaves(leaves.slice(k)));
}

/** The largest power of two strictly below n (n > 1): where RFC 9162 splits a tree. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

export type MerkleTree = ReturnType<typeof createMerkleTree>;

/**
 * An append-only tree that keeps the hash of every complete, aligned power-of-two subtree:
 * level L holds one hash per 2^L leaves, so the tree stores about two hashes per leaf, each
 * level in one growing Buffer (a million leaves take about 64 MB, not millions of objects).
 * Any range the RFC recursion asks for splits into O(log n) such subtrees, so roots and proofs
 * for every size up to the current one cost lookups, not rehashing.
 */
export function createMerkleTree(leaves: Iterable<Buffer> = []) {
  const levels: { bytes: Buffer; count: number }[] = [];

  const hashAt = (level: number, index: number): Buffer =>
    levels[level]!.bytes.subarray(index * HASH_SIZE, (index + 1) * HASH_SIZE);

  function push(level: number, value: Uint8Array): number {
    const row = (levels[level] ??= { bytes: Buffer.alloc(HASH_SIZE * 64), count: 0 });
    if ((row.count + 1) * HASH_SIZE > row.bytes.length) {
      const bigger = Buffer.alloc(row.bytes.length * 2);
      row.bytes.copy(bigger);
      row.bytes = bigger;
    }
    row.bytes.set(value, row.count * HASH_SIZE);
    return row.count++;
  }

  /** MTH of leaves [start, start + n); start is aligned as the RFC recursion guarantees. */
  function rangeHash(start: number, n: number): Buffer {
    // The range is a run of aligned perfect subtrees, largest first; the RFC folds them right.
    const peaks: Buffer[] = [];
    for (let at = start, left = n; left > 0;) {
      let size = 1;
      let level = 0;
      while (size * 2 <= left) ((size *= 2), level++);
      peaks.push(hashAt(level, at / size));
      at += size;
      left -= size;
    }
    let acc = peaks.pop()!;
    while (peaks.length > 0) acc = nodeHash(peaks.pop()!, acc);
    return Buffer.from(acc);
  }

  const size = () => levels[0]?.count ?? 0;

  function checkSize(n: number, what: string): void {
    if (!Number.isSafeInteger(n) || n < 0 || n > size()) {
      throw new RangeError(`${what} ${n} is outside the tree (size ${size()})`);
    }
  }

  function append(leaf: Buffer): number {
    if (leaf.length !== HASH_SIZE) throw new RangeError(`a leaf hash is ${HASH_SIZE} bytes`);
    const index = push(0, leaf);
    // Each time a level's count turns even, the last two hashes close a subtree one level up.
    for (let level = 0, count = index + 1; count % 2 === 0; level++, count /= 2) {
      push(level + 1, nodeHash(hashAt(level, count - 2), hashAt(level, count - 1)));
    }
    return index;
  }

  function root(treeSize = size()): Buffer {
    checkSize(treeSize, "tree size");
    return treeSize === 0 ? emptyRoot() : rangeHash(0, treeSize);
  }

  /** RFC 9162 §2.1.3.1 PATH(m, D[start:start+n]), deepest sibling first. */
  function path(m: number, start: number, n: number): Buffer[] {
    if (n === 1) return [];
    const k = splitPoint(n);
    return m < k
      ? [...path(m, start, k), rangeHash(start + k, n - k)]
      : [...path(m - k, start + k, n - k), rangeHash(start, k)];
  }

  function inclusionProof(index: number, treeSize = size()): Buffer[] {
    checkSize(treeSize, "tree size");
    if (!Number.isSafeInteger(index) || index < 0 || index >= treeSize) {
      throw new RangeError(`leaf index ${index} is not in a tree of size ${treeSize}`);
    }
    return path(index, 0, treeSize);
  }

  /** RFC 9162 §2.1.4.1 SUBPROOF(m, D[start:start+n], b). */
  function subproof(m: number, start: number, n: number, whole: boolean): Buffer[] {
    if (m === n) return whole ? [] : [rangeHash(start, n)];
    const k = splitPoint(n);
    return m <= k
      ? [...subproof(m, start, k, whole), rangeHash(start + k, n - k)]
      : [...subproof(m - k, start + k, n - k, false), rangeHash(start, k)];
  }

  /** Empty when fromSize is 0 or equals toSize: the RFC defines no proof for those. */
  function consistencyProof(fromSize: number, toSize = size()): Buffer[] {
    checkSize(toSize, "tree size");
    checkSize(fromSize, "old tree size");
    if (fromSize > toSize) throw new RangeError(`old size ${fromSize} is past new size ${toSize}`);
    return fromSize === 0 ? [] : subproof(fromSize, 0, toSize, true);
  }

  for (const leaf of leaves) append(leaf);
  return {
    append,
    get size() {
      return size();
    },
    root,
    inclusionProof,
    consistencyProof,
  };
}

const isHash = (h: Uint8Array) => h.length === HASH_SIZE;
const isCount = (n: number) => Number.isSafeInteger(n) && n >= 0;
const half = (n: number) => Math.floor(n / 2);
const odd = (n: number) => n % 2 === 1;

/** RFC 9162 §2.1.3.2, step by step. */
export function verifyInclusion(
  leaf: Uint8Array,
  index: number,
  treeSize: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!isCount(index) || !isCount(treeSize) || index >= treeSize) return false;
  if (!isHash(leaf) || !isHash(root) || !proof.every(isHash)) return false;
  let fn = index;
  let sn = treeSize - 1;
  let r: Uint8Array = leaf;
  for (const p of proof) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      r = nodeHash(p, r);
      while (!odd(fn) && fn !== 0) ((fn = half(fn)), (sn = half(sn)));
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && Buffer.from(r).equals(root);
}

/**
 * RFC 9162 §2.1.4.2. The RFC's algorithm covers 0 < size1 < size2; the edges follow the
 * definition instead: equal sizes need equal roots and an empty proof, and an empty old tree
 * (whose root must be SHA-256 of "") is a prefix of every tree, also with an empty proof.
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  root1: Uint8Array,
  root2: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!isCount(size1) || !isCount(size2) || size1 > size2) return false;
  if (!isHash(root1) || !isHash(root2) || !proof.every(isHash)) return false;
  if (size1 === size2) return proof.length === 0 && Buffer.from(root1).equals(root2);
  if (size1 === 0) return proof.length === 0 && emptyRoot().equals(root1);
  if (proof.length === 0) return false;
  // When the old tree is a perfect subtree its root is the proof's unstated first node.
  const steps = splitPoint(size1 + 1) === size1 ? [root1, ...proof] : proof;
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (odd(fn)) ((fn = half(fn)), (sn = half(sn)));
  let fr: Uint8Array = steps[0]!;
  let sr: Uint8Array = steps[0]!;
  for (const c of steps.slice(1)) {
    if (sn === 0) return false;
    if (odd(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      while (!odd(fn) && fn !== 0) ((fn = half(fn)), (sn = half(sn)));
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  return sn === 0 && Buffer.from(fr).equals(root1) && Buffer.from(sr).equals(root2);
}
