import { describe, expect, it } from "vitest";
import {
  createMerkleTree,
  emptyRoot,
  leafHash,
  nodeHash,
  rootFromLeaves,
  verifyConsistency,
  verifyInclusion,
} from "../../src/ledger/merkle.ts";

const hex = (h: string) => Buffer.from(h, "hex");
const hexes = (...hs: string[]) => hs.map(hex);

/**
 * The RFC 6962 reference vectors shared by the CT and transparency-dev Merkle libraries
 * (testonly/constants.go, proof/verify_test.go): eight leaf inputs, the root at every size, and
 * known inclusion and consistency proofs. Matching them means our trees are the CT trees.
 */
const LEAF_INPUTS = [
  "",
  "00",
  "10",
  "2021",
  "3031",
  "40414243",
  "5051525354555657",
  "606162636465666768696a6b6c6d6e6f",
].map(hex);
const ROOTS = [
  "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
  "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
  "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
  "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
  "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
  "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
  "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
  "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
];
// Leaf indexes are 0-based here; the Go vectors count leaves from 1.
const INCLUSION = [
  {
    index: 0,
    size: 8,
    proof: hexes(
      "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ),
  },
  {
    index: 5,
    size: 8,
    proof: hexes(
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ),
  },
  {
    index: 2,
    size: 3,
    proof: hexes("fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"),
  },
  {
    index: 1,
    size: 5,
    proof: hexes(
      "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ),
  },
];
const CONSISTENCY = [
  {
    size1: 1,
    size2: 8,
    proof: hexes(
      "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    ),
  },
  {
    size1: 6,
    size2: 8,
    proof: hexes(
      "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ),
  },
  {
    size1: 2,
    size2: 5,
    proof: hexes(
      "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
      "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    ),
  },
  {
    size1: 6,
    size2: 7,
    proof: hexes(
      "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
      "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
      "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    ),
  },
];

const flipBit = (proof: Buffer[], i: number) =>
  proof.map((h, j) => (j === i ? Buffer.from(h.map((b, k) => (k === 0 ? b ^ 8 : b))) : h));

describe("RFC 6962 known answers", () => {
  const tree = createMerkleTree(LEAF_INPUTS.map((d) => leafHash(d)));

  it("hashes leaves and nodes with the 0x00 / 0x01 prefixes", () => {
    expect(emptyRoot().toString("hex")).toBe(ROOTS[0]);
    expect(leafHash(LEAF_INPUTS[0]!).toString("hex")).toBe(ROOTS[1]);
    expect(leafHash("").equals(leafHash(new Uint8Array()))).toBe(true);
    expect(nodeHash(leafHash(LEAF_INPUTS[0]!), leafHash(LEAF_INPUTS[1]!)).toString("hex")).toBe(
      ROOTS[2],
    );
  });

  it("has the published root at every size, from the tree and from the reference MTH", () => {
    for (let size = 0; size <= 8; size++) {
      expect(tree.root(size).toString("hex"), `size ${size}`).toBe(ROOTS[size]);
      const leaves = LEAF_INPUTS.slice(0, size).map((d) => leafHash(d));
      expect(rootFromLeaves(leaves).toString("hex"), `size ${size}`).toBe(ROOTS[size]);
    }
  });

  it("produces and verifies the published inclusion proofs", () => {
    for (const { index, size, proof } of INCLUSION) {
      expect(tree.inclusionProof(index, size)).toEqual(proof);
      const leaf = leafHash(LEAF_INPUTS[index]!);
      expect(verifyInclusion(leaf, index, size, proof, hex(ROOTS[size]!))).toBe(true);
      for (let i = 0; i < proof.length; i++) {
        expect(verifyInclusion(leaf, index, size, flipBit(proof, i), hex(ROOTS[size]!))).toBe(
          false,
        );
      }
    }
    expect(tree.inclusionProof(0, 1)).toEqual([]);
    expect(verifyInclusion(hex(ROOTS[1]!), 0, 1, [], hex(ROOTS[1]!))).toBe(true);
  });

  it("produces and verifies the published consistency proofs", () => {
    for (const { size1, size2, proof } of CONSISTENCY) {
      expect(tree.consistencyProof(size1, size2)).toEqual(proof);
      const [root1, root2] = [hex(ROOTS[size1]!), hex(ROOTS[size2]!)];
      expect(verifyConsistency(size1, size2, root1, root2, proof)).toBe(true);
      expect(verifyConsistency(size1, size2, root2, root1, proof)).toBe(false);
      expect(verifyConsistency(size1, size2, root1, root2, proof.slice(0, -1))).toBe(false);
    }
  });

  it("treats the edges as the definition does: same size, empty old tree, bad input", () => {
    const [r0, r1, r2] = [hex(ROOTS[0]!), hex(ROOTS[1]!), hex(ROOTS[2]!)];
    expect(verifyConsistency(1, 1, r1, r1, [])).toBe(true);
    expect(verifyConsistency(1, 1, r1, r2, [])).toBe(false);
    expect(verifyConsistency(1, 1, r1, r1, [r0])).toBe(false);
    expect(verifyConsistency(0, 2, r0, r2, [])).toBe(true);
    expect(verifyConsistency(0, 2, r1, r2, [])).toBe(false);
    expect(verifyConsistency(2, 1, r2, r1, [r1])).toBe(false);
    expect(verifyConsistency(1, 2, r1, r2, [])).toBe(false);
    expect(verifyInclusion(r1, 0, 0, [], r1)).toBe(false);
    expect(verifyInclusion(r1, 1, 1, [], r1)).toBe(false);
    expect(verifyInclusion(r1.subarray(1), 0, 1, [], r1)).toBe(false);
    expect(tree.consistencyProof(0, 5)).toEqual([]);
    expect(tree.consistencyProof(5, 5)).toEqual([]);
    expect(() => tree.root(9)).toThrow(RangeError);
    expect(() => tree.inclusionProof(8, 8)).toThrow(RangeError);
    expect(() => tree.consistencyProof(6, 5)).toThrow(RangeError);
    expect(() => tree.append(Buffer.alloc(31))).toThrow(RangeError);
  });
});

describe("every tree up to 70 leaves", () => {
  const N = 70;
  const leaves = Array.from({ length: N }, (_, i) => leafHash(`entry ${i}`));
  const roots = Array.from({ length: N + 1 }, (_, n) => rootFromLeaves(leaves.slice(0, n)));
  const tree = createMerkleTree();

  it("equals the reference MTH at every prefix, while growing and after", () => {
    for (let n = 0; n < N; n++) {
      expect(tree.root().equals(roots[n]!), `size ${n}`).toBe(true);
      expect(tree.append(leaves[n]!)).toBe(n);
    }
    expect(tree.size).toBe(N);
    for (let n = 0; n <= N; n++) expect(tree.root(n).equals(roots[n]!), `size ${n}`).toBe(true);
    expect(createMerkleTree(leaves).root().equals(roots[N]!)).toBe(true);
  });

  it("proves every leaf at every size, and a changed hash, index or size breaks the proof", () => {
    for (let size = 1; size <= N; size++) {
      const root = roots[size]!;
      for (let index = 0; index < size; index++) {
        const proof = tree.inclusionProof(index, size);
        const leaf = leaves[index]!;
        expect(verifyInclusion(leaf, index, size, proof, root), `${index}/${size}`).toBe(true);
        for (let i = 0; i < proof.length; i++) {
          expect(verifyInclusion(leaf, index, size, flipBit(proof, i), root)).toBe(false);
        }
        for (const other of [index - 1, index + 1, index ^ 2]) {
          expect(verifyInclusion(leaf, other, size, proof, root), `${other}/${size}`).toBe(false);
        }
        // Sizes that keep the same path shape (e.g. 5 and 6 for leaf 0) verify alike: the size
        // is bound to the root by the signed checkpoint, not by the path.
        for (const other of [size * 2, Math.floor(size / 2)]) {
          expect(verifyInclusion(leaf, index, other, proof, root), `${index}/${other}`).toBe(false);
        }
        expect(verifyInclusion(leaf, index, size, [...proof, root], root)).toBe(false);
        expect(verifyInclusion(leaf, index, size, [root, ...proof], root)).toBe(false);
        if (proof.length > 0) {
          expect(verifyInclusion(leaf, index, size, proof.slice(0, -1), root)).toBe(false);
        }
      }
    }
  });

  it("proves every pair of sizes consistent, and a changed hash, size or root breaks it", () => {
    for (let size2 = 1; size2 <= N; size2++) {
      for (let size1 = 1; size1 <= size2; size1++) {
        const proof = tree.consistencyProof(size1, size2);
        const [root1, root2] = [roots[size1]!, roots[size2]!];
        const at = `${size1}->${size2}`;
        expect(verifyConsistency(size1, size2, root1, root2, proof), at).toBe(true);
        if (size1 === size2) continue;
        for (let i = 0; i < proof.length; i++) {
          expect(verifyConsistency(size1, size2, root1, root2, flipBit(proof, i)), at).toBe(false);
        }
        for (const other of [size1 - 1, size1 + 1, size1 ^ 2]) {
          expect(verifyConsistency(other, size2, root1, root2, proof), `${other}`).toBe(false);
        }
        for (const other of [size2 * 2, Math.floor(size2 / 2)]) {
          expect(verifyConsistency(size1, other, root1, root2, proof), `${other}`).toBe(false);
        }
        expect(verifyConsistency(size1, size2, root2, root1, proof), at).toBe(false);
        expect(verifyConsistency(size1, size2, root1, roots[size2 - 1]!, proof), at).toBe(false);
        expect(verifyConsistency(size1, size2, root1, root2, proof.slice(0, -1)), at).toBe(false);
        expect(verifyConsistency(size1, size2, root1, root2, [...proof, root2]), at).toBe(false);
        expect(verifyConsistency(size1, size2, root1, root2, [root1, ...proof]), at).toBe(false);
      }
    }
  });
});
