import { z } from "zod";
import { canonicalJson } from "./canonical-json.ts";
import { leafHash } from "./merkle.ts";

/** What happened: each kind is one thing an auditor may later ask the ledger to prove. */
export const LedgerKind = z.enum([
  "answer",
  "answer.recheck",
  "review",
  "ingest.run",
  "key.created",
  "key.revoked",
  "policy.in_force",
]);
export type LedgerKind = z.infer<typeof LedgerKind>;

/**
 * One ledger leaf. The stored text is its canonical JSON (RFC 8785), so the same entry always
 * hashes to the same leaf; `.strict()` keeps unknown fields from riding along unhashed-by-intent.
 */
export const LedgerEntry = z
  .object({
    v: z.literal(1),
    index: z.number().int().min(0),
    kind: LedgerKind,
    time: z.string(),
    actor: z.object({ tenant: z.string(), keyId: z.string().nullable() }),
    requestId: z.string().nullable(),
    subject: z.string().nullable(),
    payload: z.record(z.string(), z.unknown()),
  })
  .strict();
export type LedgerEntry = z.infer<typeof LedgerEntry>;

export class LedgerEntryError extends Error {
  override name = "LedgerEntryError";
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.join(".") || "(entry)"}: ${issue.message}`)
    .join("; ");
}

/** The leaf text and its RFC 9162 leaf hash; throws if the entry does not fit the schema. */
export function encodeEntry(entry: LedgerEntry): { text: string; leafHash: Buffer } {
  const parsed = LedgerEntry.safeParse(entry);
  if (!parsed.success) {
    throw new LedgerEntryError(`not a ledger entry: ${describeIssues(parsed.error)}`);
  }
  const text = canonicalJson(parsed.data);
  return { text, leafHash: leafHash(text) };
}

/**
 * Reads a stored leaf back. Text that parses but is not canonical is refused: two texts for
 * one entry would mean two leaf hashes, and a proof over either would be ambiguous.
 */
export function parseEntry(text: string): LedgerEntry {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new LedgerEntryError(`ledger entry is not JSON: ${(error as Error).message}`);
  }
  const parsed = LedgerEntry.safeParse(json);
  if (!parsed.success) {
    throw new LedgerEntryError(`not a ledger entry: ${describeIssues(parsed.error)}`);
  }
  if (canonicalJson(json) !== text) {
    throw new LedgerEntryError("ledger entry text is not canonical JSON (RFC 8785)");
  }
  return parsed.data;
}
