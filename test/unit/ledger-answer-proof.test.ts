import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  PROOF_CHECKS,
  verifyAnswerProof,
  type AnswerProof,
} from "../../src/ledger/answer-proof.ts";
import { canonicalJson } from "../../src/ledger/canonical-json.ts";
import { signCheckpoint } from "../../src/ledger/checkpoint.ts";
import { encodeEntry, parseEntry, type LedgerEntry } from "../../src/ledger/entry.ts";
import { createMerkleTree, leafHash } from "../../src/ledger/merkle.ts";
import { loadLedgerSigningKey, writeLedgerKeyFiles } from "../../src/ledger/signing-key.ts";

const dir = mkdtempSync(join(tmpdir(), "verity-answer-proof-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function makeKey(file: string, name = "verity.local/ledger") {
  writeLedgerKeyFiles(join(dir, file), name);
  return loadLedgerSigningKey(join(dir, file));
}

describe("canonical JSON (RFC 8785)", () => {
  it("matches the RFC's own example, numbers and escapes included", () => {
    const input = String.raw`{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
      "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/", "literals": [null, true, false]}`;
    expect(canonicalJson(JSON.parse(input))).toBe(
      String.raw`{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}`,
    );
  });

  it("sorts keys by UTF-16 code units, as the RFC's sorting example does", () => {
    const keys = ["\u20ac", "\r", "\ufb33", "1", "\ud83d\ude00", "\u0080", "\u00f6"];
    const sorted = ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\ud83d\ude00", "\ufb33"];
    // Compared as text: Object.keys would list the integer-like key "1" first whatever the order.
    const text = canonicalJson(Object.fromEntries(keys.map((k) => [k, 0])));
    expect(text).toBe(`{${sorted.map((k) => `${JSON.stringify(k)}:0`).join(",")}}`);
  });

  it("drops undefined properties as JSON does, applies toJSON, keeps __proto__ a key", () => {
    expect(canonicalJson({ b: 1, a: undefined, d: new Date(0) })).toBe(
      '{"b":1,"d":"1970-01-01T00:00:00.000Z"}',
    );
    expect(canonicalJson(-0)).toBe("0");
    expect(canonicalJson(JSON.parse('{"__proto__":{"x":1}}'))).toBe('{"__proto__":{"x":1}}');
  });

  it("refuses what has no single JSON text, naming where it is", () => {
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const bad: [unknown, RegExp][] = [
      [undefined, /\$ is undefined/],
      [{ a: [1, NaN] }, /\$\.a\[1\] is NaN/],
      [{ a: Infinity }, /\$\.a is Infinity/],
      [[undefined], /\$\[0\] is undefined/],
      [[1, , 3], /\$\[1\] is undefined/],
      [{ f: () => 1 }, /\$\.f is a function/],
      [{ n: 10n }, /\$\.n is a bigint/],
      [{ m: new Map() }, /\$\.m is a Map, not a plain object/],
      [circular, /\$\.self refers back to itself/],
      [{ s: "\ud800" }, /surrogate/i],
    ];
    for (const [value, message] of bad) expect(() => canonicalJson(value)).toThrow(message);
  });
});

const ANSWER_ID = "ans_q7Zc1";
const response = {
  id: ANSWER_ID,
  status: "answered",
  answer: "Le café est une boisson — 咖啡.",
  confidence: 0.8125,
  citations: [{ id: "cit_1", quote: "coffee is a drink", sourceId: "src_9" }],
};
const entryAt = (index: number, kind: LedgerEntry["kind"], payload = {}): LedgerEntry => ({
  v: 1,
  index,
  kind,
  time: `2025-03-04T05:06:0${index}.000Z`,
  actor: { tenant: "default", keyId: "key_1" },
  requestId: `req_${index}`,
  subject: kind === "answer" ? ANSWER_ID : null,
  payload,
});

describe("ledger entries", () => {
  it("encode to canonical text whose leaf hash is the RFC 9162 one, and parse back", () => {
    const entry = entryAt(4, "answer", { response });
    const { text, leafHash: hash } = encodeEntry(entry);
    expect(text).toBe(canonicalJson(entry));
    expect(hash.equals(leafHash(text))).toBe(true);
    expect(parseEntry(text)).toEqual(entry);
  });

  it("refuse, naming the fault, text that is not JSON, not an entry, or not canonical", () => {
    const { text } = encodeEntry(entryAt(0, "review"));
    expect(() => parseEntry("{")).toThrow(/not JSON/);
    expect(() => parseEntry(text.replace('"review"', '"gossip"'))).toThrow(/kind/);
    expect(() => parseEntry(text.replace('"v":1', '"extra":1,"v":1'))).toThrow(/extra/);
    expect(() => parseEntry(text.replace('"v":1', '"v":2'))).toThrow(/v: /);
    expect(() => parseEntry(JSON.stringify(JSON.parse(text), null, 1))).toThrow(/not canonical/);
    const reordered = JSON.stringify({ v: 1, ...JSON.parse(text) });
    expect(() => parseEntry(reordered)).toThrow(/not canonical/);
    expect(() => encodeEntry({ ...entryAt(0, "review"), index: -1 })).toThrow(/index/);
  });
});

describe("answer proofs", () => {
  const key = makeKey("ledger.key");
  const kinds = ["ingest.run", "key.created", "policy.in_force", "review", "answer", "review"];
  const entries = kinds.map((kind, i) =>
    encodeEntry(entryAt(i, kind as LedgerEntry["kind"], kind === "answer" ? { response } : {})),
  );
  const tree = createMerkleTree(entries.map((e) => e.leafHash));
  const good: AnswerProof = {
    answerId: ANSWER_ID,
    body: canonicalJson(response),
    entry: entries[4]!.text,
    leafIndex: 4,
    treeSize: tree.size,
    inclusion: tree.inclusionProof(4).map((h) => h.toString("hex")),
    checkpoint: signCheckpoint(key, tree.size, tree.root()),
  };
  const failed = (proof: unknown) =>
    verifyAnswerProof(proof, key)
      .checks.filter((c) => !c.ok)
      .map((c) => c.name);

  it("pass as a whole, every check reported", () => {
    const result = verifyAnswerProof(JSON.parse(JSON.stringify(good)), key);
    expect(result.ok).toBe(true);
    expect(result.checks.map((c) => c.name)).toEqual(PROOF_CHECKS);
  });

  it("fail the response check when the body is another answer", () => {
    const body = canonicalJson({ ...response, answer: "Coffee is a fruit." });
    expect(failed({ ...good, body })).toEqual(["response"]);
  });

  it("fail the body check when the same body has its keys in another order", () => {
    const { id, ...rest } = response;
    const result = verifyAnswerProof({ ...good, body: JSON.stringify({ ...rest, id }) }, key);
    expect(result.checks.find((c) => c.name === "body")).toMatchObject({
      ok: false,
      detail: expect.stringMatching(/not canonical/),
    });
  });

  it("fail the inclusion check when the entry is changed", () => {
    const changed = encodeEntry({ ...parseEntry(good.entry), requestId: "req_forged" }).text;
    expect(failed({ ...good, entry: changed })).toEqual(["inclusion"]);
  });

  it("fail the entry and inclusion checks for another leaf index", () => {
    expect(failed({ ...good, leafIndex: 3 })).toEqual(["entry", "inclusion"]);
    const review = { ...good, entry: entries[3]!.text, leafIndex: 3 };
    review.inclusion = tree.inclusionProof(3).map((h) => h.toString("hex"));
    expect(failed(review)).toEqual(["entry", "response"]);
  });

  it("fail the inclusion check when a proof hash is flipped", () => {
    const inclusion = [...good.inclusion];
    inclusion[1] = inclusion[1]!.replace(/^./, (c) => (c === "0" ? "1" : "0"));
    expect(failed({ ...good, inclusion })).toEqual(["inclusion"]);
  });

  it("fail the checkpoint check for another key's checkpoint, even of the same name", () => {
    const other = makeKey("other.key");
    const checkpoint = signCheckpoint(other, tree.size, tree.root());
    const result = verifyAnswerProof({ ...good, checkpoint }, key);
    expect(result.ok).toBe(false);
    expect(result.checks.find((c) => c.name === "checkpoint")?.detail).toMatch(/not signed by/);
    expect(failed({ ...good, checkpoint })).toEqual(["checkpoint", "inclusion"]);
  });

  it("fail the checkpoint check for a checkpoint of a smaller tree", () => {
    const checkpoint = signCheckpoint(key, 5, tree.root(5));
    expect(failed({ ...good, checkpoint })).toEqual(["checkpoint", "inclusion"]);
    const before = signCheckpoint(key, 4, tree.root(4));
    const claimed = { ...good, treeSize: 4, checkpoint: before };
    expect(verifyAnswerProof(claimed, key).checks[4]!.detail).toMatch(/past the checkpoint/);
  });

  it("fail the checkpoint check when its JSON fields disagree with its signed note", () => {
    const checkpoint = { ...good.checkpoint, rootHash: tree.root(5).toString("hex") };
    expect(failed({ ...good, checkpoint })).toEqual(["checkpoint"]);
  });

  it("fail the shape check, and run nothing else, for a malformed bundle", () => {
    const result = verifyAnswerProof({ ...good, inclusion: ["zz"] }, key);
    expect(result.ok).toBe(false);
    expect(result.checks.map((c) => [c.name, c.ok])).toEqual(PROOF_CHECKS.map((n) => [n, false]));
  });
});
