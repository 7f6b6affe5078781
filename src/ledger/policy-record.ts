import { desc, eq } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { auditRecords } from "../db/schema/index.ts";
import type { Policy } from "../answer/policy.ts";
import { appendInTransaction } from "./append.ts";

/**
 * Record the policy a server starts with, when it differs from the last one recorded: the ledger
 * then says which rules were in force from when, and each answer's `policy.hash` points at one.
 */
export async function recordPolicyInForce(
  db: Database,
  policy: Policy,
  hash: string,
): Promise<boolean> {
  return db.transaction(async (txn) => {
    const tx = txn as unknown as Database;
    const [last] = await tx
      .select({ subject: auditRecords.subject })
      .from(auditRecords)
      .where(eq(auditRecords.kind, "policy.in_force"))
      .orderBy(desc(auditRecords.seq))
      .limit(1);
    if (last?.subject === hash) return false;
    await appendInTransaction(tx, {
      kind: "policy.in_force",
      actor: { tenant: "default", keyId: null },
      requestId: null,
      subject: hash,
      payload: () => ({ hash, policy }),
    });
    return true;
  });
}
