import { createHash } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/client.ts";
import { verifyAnswerProof } from "../../src/ledger/answer-proof.ts";
import { canonicalJson } from "../../src/ledger/canonical-json.ts";
import { signCheckpoint } from "../../src/ledger/checkpoint.ts";
import { leafHash, verifyConsistency } from "../../src/ledger/merkle.ts";
import { generateLedgerKey } from "../../src/ledger/signing-key.ts";
import { verifyLedger, type LedgerVerification } from "../../src/ledger/verify-ledger.ts";
import { storeKinds } from "../support/databases.ts";
import { useRealEncoder } from "../support/encoder.ts";
import { json, startHarness, type Harness } from "../support/harness.ts";
import { createPrivateKey, createPublicKey } from "node:crypto";

const encoder = useRealEncoder();

const ANSWERED = "How much does the Basic plan cost?";
const REFUSED = "What is the capital of France?";

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** Thrown to roll a tampering transaction back once the verifier has seen it. */
class Rollback extends Error {}

describe.each(storeKinds())("the answer ledger on %s", (kind) => {
  let h: Harness;
  const posted: { id: string; text: string }[] = [];

  beforeAll(async () => {
    h = await startHarness(kind, { embedder: encoder() });
    for (const question of [ANSWERED, REFUSED]) {
      const res = await h.post("/v1/answers", { question });
      expect(res.status).toBe(200);
      const text = await res.text();
      posted.push({ id: JSON.parse(text).id, text });
    }
  });
  afterAll(async () => {
    await h?.close();
  });

  const publicKey = () => h.deps.ledger.signer!;

  /** Tamper inside a transaction, verify what the tampering left, and roll it all back. */
  async function verifyTampered(
    tamper: (tx: Database) => Promise<void>,
    witnessed: string[] = [],
  ): Promise<LedgerVerification> {
    let report: LedgerVerification | undefined;
    await h.deps.db
      .transaction(async (txn) => {
        const tx = txn as unknown as Database;
        await tamper(tx);
        report = await verifyLedger(tx, { publicKey: publicKey(), witnessed });
        throw new Rollback();
      })
      .catch((error: unknown) => {
        if (!(error instanceof Rollback)) throw error;
      });
    return report!;
  }

  /** A checkpoint over everything recorded so far, and the ledger's size. */
  async function checkpointNow(): Promise<{ size: number; note: string }> {
    const checkpoint = await h.deps.ledger.checkpointCovering(Number.MAX_SAFE_INTEGER);
    return { size: checkpoint!.treeSize, note: checkpoint!.note };
  }

  it("returns and stores each answer, refusals included, byte for byte, with its ledger index", async () => {
    for (const { id, text } of posted) {
      const again = await h.get(`/v1/answers/${id}`);
      expect(again.status).toBe(200);
      const stored = await again.text();
      expect(sha256(stored)).toBe(sha256(text));
      expect(canonicalJson(JSON.parse(text))).toBe(text);
      const body = JSON.parse(text);
      expect(body.ledger.index).toEqual(expect.any(Number));
      expect(body.policy.hash).toMatch(/^[0-9a-f]{64}$/);
    }
    expect(JSON.parse(posted[1]!.text).status).toBe("refused");
  });

  it("proves an answer's inclusion offline from its body, proof and the public key", async () => {
    const { id, text } = posted[0]!;
    const proof = await json(await h.get(`/v1/audit/proof/${id}`));
    expect(proof.body).toBe(text);
    expect(verifyAnswerProof(proof, publicKey()).ok).toBe(true);
    // The same proof with another body (what a rewritten record would have to claim) fails.
    const altered = { ...proof, body: text.replace("$8", "$1") };
    expect(verifyAnswerProof(altered, publicKey()).ok).toBe(false);
    expect((await h.get("/v1/audit/proof/ans_missing")).status).toBe(404);
  });

  it("lists signed checkpoints with consistency proofs between them", async () => {
    await h.post("/v1/answers", { question: "How long are deleted files kept in the trash?" });
    await checkpointNow();
    const listed = await json(await h.get("/v1/audit/checkpoints"));
    expect(listed.checkpoints.length).toBeGreaterThanOrEqual(2);
    const [newer, older] = listed.checkpoints;
    expect(newer.consistency.fromTreeSize).toBe(older.treeSize);
    const proof = newer.consistency.proof.map((p: string) => Buffer.from(p, "hex"));
    const root = (hex: string) => Buffer.from(hex, "hex");
    expect(
      verifyConsistency(
        older.treeSize,
        newer.treeSize,
        root(older.rootHash),
        root(newer.rootHash),
        proof,
      ),
    ).toBe(true);
  });

  it("keeps one gap-free log under concurrent answers", async () => {
    const bodies = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        h.post("/v1/answers", { question: `${ANSWERED} (${i})` }).then(json),
      ),
    );
    const indexes = bodies.map((b) => b.ledger.index).sort((a, b) => a - b);
    expect(new Set(indexes).size).toBe(12);
    const report = await verifyLedger(h.deps.db, { publicKey: publicKey() });
    expect(report.problems).toEqual([]);
    expect(report.answers).toBeGreaterThanOrEqual(14);
    expect(report.versions.checked).toBeGreaterThan(0);
  });

  describe("tampering, each kind named by verification", () => {
    let size = 0;
    beforeAll(async () => {
      size = (await checkpointNow()).size;
    });
    const target = () => Math.floor(size / 2);

    it("a changed record", async () => {
      const at = target();
      const report = await verifyTampered(async (tx) => {
        await tx.execute(
          sql`update audit_records set entry = replace(entry, '"v":1', '"v":1 ') where seq = ${at}`,
        );
      });
      expect(report.problems[0]!.index).toBe(at);
    });

    it("a changed record whose leaf hash was rewritten too", async () => {
      const at = target();
      const report = await verifyTampered(async (tx) => {
        await forgeRecord(tx, at);
      });
      expect(report.problems.length).toBeGreaterThan(0);
      expect(report.problems[0]!.index).toBeLessThanOrEqual(at);
      expect(report.problems[0]!.problem).toMatch(/does not match the records/);
    });

    it("a deleted record", async () => {
      const at = target();
      const report = await verifyTampered(async (tx) => {
        await tx.execute(sql`delete from audit_records where seq = ${at}`);
      });
      expect(report.problems[0]).toMatchObject({ index: at });
      expect(report.problems[0]!.problem).toMatch(/missing/);
    });

    it("records deleted from the end", async () => {
      const report = await verifyTampered(async (tx) => {
        await tx.execute(sql`delete from audit_records where seq >= ${size - 2}`);
      });
      expect(report.problems.some((p) => /were deleted/.test(p.problem))).toBe(true);
    });

    it("an inserted record", async () => {
      const at = target();
      const report = await verifyTampered(async (tx) => {
        await tx.execute(sql`update audit_records set seq = seq + 1000000 where seq >= ${at}`);
        await tx.execute(sql`update audit_records set seq = seq - 999999 where seq >= 1000000`);
        await tx.execute(
          sql`insert into audit_records (seq, kind, subject, tenant, key_id, request_id, created_at, entry, leaf_hash)
              select ${at}, kind, subject, tenant, key_id, request_id, created_at, entry, leaf_hash from audit_records where seq = ${at + 1}`,
        );
      });
      expect(report.problems[0]!.index).toBeLessThanOrEqual(at + 1);
      expect(report.problems.some((p) => /inserted|reordered/.test(p.problem))).toBe(true);
    });

    it("two records swapped", async () => {
      const at = target();
      const report = await verifyTampered(async (tx) => {
        await tx.execute(sql`update audit_records set seq = -1 where seq = ${at}`);
        await tx.execute(sql`update audit_records set seq = ${at} where seq = ${at + 1}`);
        await tx.execute(sql`update audit_records set seq = ${at + 1} where seq = -1`);
      });
      expect(report.problems[0]!.index).toBe(at);
      expect(report.problems[0]!.problem).toMatch(/reordered/);
    });

    it("a checkpoint signed by another key", async () => {
      const report = await verifyTampered(async (tx) => {
        const other = generateLedgerKey(publicKey().name);
        const privateKey = createPrivateKey(
          other.privatePem.slice(other.privatePem.indexOf("-----")),
        );
        const forged = signCheckpoint(
          {
            name: other.name,
            keyId: other.keyId,
            privateKey,
            publicKey: createPublicKey(privateKey),
          },
          size,
          Buffer.alloc(32),
        );
        await tx.execute(
          sql`update audit_checkpoints set note = ${forged.note} where tree_size = ${size}`,
        );
      });
      expect(report.problems.some((p) => /checkpoint/.test(p.problem))).toBe(true);
    });

    it("a history rewritten and re-signed with the real key, against a witnessed checkpoint", async () => {
      const witnessed = [(await checkpointNow()).note];
      const at = target();
      const report = await verifyTampered(async (tx) => {
        await forgeRecord(tx, at);
        await tx.execute(sql`delete from audit_checkpoints`);
      }, witnessed);
      expect(report.problems.some((p) => /witnessed checkpoint/.test(p.problem))).toBe(true);
    });

    it("a consistent rewrite of a version's text and chunks, hashes included", async () => {
      const report = await verifyTampered(async (tx) => {
        await tx.execute(
          sql`update document_versions set text = replace(text, '$8 per user', '$1 per user') where text like '%$8 per user%'`,
        );
        await tx.execute(
          sql`update document_versions set text_sha256 = encode(sha256(convert_to(text, 'UTF8')), 'hex')`,
        );
        await tx.execute(
          sql`update chunks set text = replace(text, '$8 per user', '$1 per user') where text like '%$8 per user%'`,
        );
        await tx.execute(
          sql`update chunks set sha256 = encode(sha256(convert_to(text, 'UTF8')), 'hex')`,
        );
      });
      expect(report.problems.some((p) => /version .*: its text/.test(p.problem))).toBe(true);
    });

    it("an answer row rewritten", async () => {
      const { id } = posted[0]!;
      const report = await verifyTampered(async (tx) => {
        await tx.execute(sql`update answers set body = replace(body, '$8', '$1') where id = ${id}`);
      });
      expect(report.problems.some((p) => p.problem.includes(id))).toBe(true);
    });
  });
});

/** Backdate record `at` and store its leaf hash to match, as a careful forger would. */
async function forgeRecord(tx: Database, at: number): Promise<void> {
  const [row] = await rows(tx, sql`select entry from audit_records where seq = ${at}`);
  const forged = String(row!.entry).replace(/"time":"[^"]+"/, '"time":"2000-01-01T00:00:00.000Z"');
  await tx.execute(
    sql`update audit_records set entry = ${forged}, leaf_hash = ${leafHash(forged).toString("hex")} where seq = ${at}`,
  );
}

async function rows(
  db: Database,
  query: ReturnType<typeof sql>,
): Promise<Record<string, unknown>[]> {
  const result = (await db.execute(query)) as unknown as
    Record<string, unknown>[] | { rows: Record<string, unknown>[] };
  return Array.isArray(result) ? result : result.rows;
}
