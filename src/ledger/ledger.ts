import { existsSync } from "node:fs";
import type { Logger } from "pino";
import type { Database } from "../db/client.ts";
import type { AuditCheckpointRow } from "../db/schema/index.ts";
import { signCheckpoint } from "./checkpoint.ts";
import { createMerkleTree, type MerkleTree } from "./merkle.ts";
import { insertCheckpoint, latestCheckpoint, readLeafHashes } from "./records.ts";
import { loadLedgerSigningKey, writeLedgerKeyFiles, type LedgerSigningKey } from "./signing-key.ts";

/** The origin (checkpoint name) of a key made on first start, when none was configured. */
export const DEFAULT_LEDGER_ORIGIN = "verity/ledger";

/**
 * The serving side of the ledger: an in-memory Merkle tree over every committed record, kept up
 * with the store (another process sharing a PostgreSQL appends too), and signed checkpoints.
 */
export type Ledger = {
  /** The tree over every record committed before the call. */
  tree(): Promise<MerkleTree>;
  /**
   * The newest checkpoint if it covers at least `size` records, else a new one signed over the
   * whole log now. Null when no signing key is configured.
   */
  checkpointCovering(size: number): Promise<AuditCheckpointRow | null>;
  signer: LedgerSigningKey | null;
};

export function createLedger(options: { db: Database; signer: LedgerSigningKey | null }): Ledger {
  const { db, signer } = options;
  const tree = createMerkleTree();
  // One catch-up at a time: two interleaved would append the same leaves twice.
  let catchingUp: Promise<MerkleTree> | null = null;
  const catchUp = async (): Promise<MerkleTree> => {
    const rows = await readLeafHashes(db, tree.size);
    for (const row of rows) {
      // Appends commit in index order under the ledger lock, so a gap means a damaged log.
      if (row.seq !== tree.size)
        throw new Error(`ledger record ${tree.size} is missing (found ${row.seq} next)`);
      tree.append(Buffer.from(row.leafHash, "hex"));
    }
    return tree;
  };
  const ledger: Ledger = {
    signer,
    tree() {
      catchingUp ??= catchUp().finally(() => {
        catchingUp = null;
      });
      return catchingUp;
    },
    async checkpointCovering(size) {
      const latest = await latestCheckpoint(db);
      if (latest && latest.treeSize >= size) return latest;
      if (!signer) return latest;
      const current = await ledger.tree();
      if (latest && latest.treeSize === current.size) return latest;
      const signed = signCheckpoint(signer, current.size, current.root());
      await insertCheckpoint(db, {
        treeSize: signed.treeSize,
        rootHash: signed.rootHash,
        keyId: signed.keyId,
        note: signed.note,
      });
      // Another process may have signed the same size first: the stored one is the checkpoint.
      return (await latestCheckpoint(db))!;
    },
  };
  return ledger;
}

/**
 * The signing key at `path`. A server started without one (`npm start` on a fresh machine) makes
 * it there, with a warning: a key beside the data is only as safe as the data, and a deployment
 * keeps it where the database's operators cannot write (VERITY_LEDGER_KEY).
 */
export function openLedgerSigningKey(
  path: string,
  options: { create: boolean; logger?: Logger },
): LedgerSigningKey | null {
  if (!existsSync(path)) {
    if (!options.create) return null;
    writeLedgerKeyFiles(path, DEFAULT_LEDGER_ORIGIN);
    options.logger?.warn(
      { path, publicKey: `${path}.pub` },
      "made a ledger signing key beside the data; keep it outside the database's reach (VERITY_LEDGER_KEY, npm run audit -- keygen)",
    );
  }
  return loadLedgerSigningKey(path);
}
