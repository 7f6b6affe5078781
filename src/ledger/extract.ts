import { z } from "zod";
import type { Database } from "../db/client.ts";
import { SignedCheckpoint, toSignedCheckpoint, verifyCheckpoint } from "./checkpoint.ts";
import { parseEntry } from "./entry.ts";
import type { Ledger } from "./ledger.ts";
import { leafHash, verifyInclusion } from "./merkle.ts";
import { readRecords } from "./records.ts";
import type { LedgerPublicKey } from "./signing-key.ts";

const HexHash = z.string().regex(/^[0-9a-f]{64}$/);

/** The first line of an extract: the checkpoint every record's proof leads to. */
const ExtractHead = z.object({ type: z.literal("checkpoint"), checkpoint: SignedCheckpoint });
/** Every other line: one record, as stored, with its inclusion proof. */
const ExtractRecord = z.object({
  type: z.literal("record"),
  index: z.number().int().min(0),
  entry: z.string(),
  inclusion: z.array(HexHash),
});

/** Records read per query while writing an extract. */
const BATCH = 1_000;

/**
 * Records `from` .. `to` - 1 as JSON lines that verify on their own: a signed checkpoint first
 * (one covering `to`, signed now if none does), then each record with its inclusion proof to it.
 */
export async function* exportLedger(
  db: Database,
  ledger: Ledger,
  range: { from: number; to: number },
): AsyncGenerator<string> {
  const checkpoint = await ledger.checkpointCovering(range.to);
  if (!checkpoint || checkpoint.treeSize < range.to)
    throw new Error(`no signed checkpoint covers record ${range.to - 1}`);
  const tree = await ledger.tree();
  yield JSON.stringify({ type: "checkpoint", checkpoint: toSignedCheckpoint(checkpoint.note) });
  for (let next = range.from; next < range.to;) {
    const rows = await readRecords(db, next, range.to, BATCH);
    if (rows.length === 0) break;
    for (const row of rows) {
      const inclusion = tree.inclusionProof(row.seq, checkpoint.treeSize);
      yield JSON.stringify({
        type: "record",
        index: row.seq,
        entry: row.entry,
        inclusion: inclusion.map((h) => h.toString("hex")),
      });
    }
    next = rows.at(-1)!.seq + 1;
  }
}

/**
 * Check an extract with the public key alone: the checkpoint's signature, then each record's
 * entry (well formed, at its own index) and its inclusion under the checkpoint's root.
 */
export function verifyExtract(
  lines: string[],
  publicKey: LedgerPublicKey,
): { records: number; problems: string[] } {
  const problems: string[] = [];
  const [first, ...rest] = lines.filter((l) => l.trim() !== "");
  const head = first ? ExtractHead.safeParse(safeJson(first)) : null;
  if (!head?.success) return { records: 0, problems: ["line 1 is not the extract's checkpoint"] };
  const verified = verifyCheckpoint(publicKey, head.data.checkpoint.note);
  if (!verified.ok) return { records: 0, problems: [`checkpoint: ${verified.reason}`] };
  let records = 0;
  for (const [i, line] of rest.entries()) {
    const parsed = ExtractRecord.safeParse(safeJson(line));
    if (!parsed.success) {
      problems.push(`line ${i + 2}: not a record line`);
      continue;
    }
    const { index, entry, inclusion } = parsed.data;
    records += 1;
    try {
      if (parseEntry(entry).index !== index)
        problems.push(`record ${index}: entry of another index`);
    } catch (error) {
      problems.push(`record ${index}: ${(error as Error).message}`);
    }
    const proof = inclusion.map((h) => Buffer.from(h, "hex"));
    if (!verifyInclusion(leafHash(entry), index, verified.treeSize, proof, verified.root))
      problems.push(`record ${index}: not included under the checkpoint`);
  }
  return { records, problems };
}

function safeJson(line: string): unknown {
  try {
    return JSON.parse(line);
  } catch {
    return null;
  }
}
