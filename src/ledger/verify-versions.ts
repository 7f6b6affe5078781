import { asc, gt, inArray } from "drizzle-orm";
import type { Database } from "../db/client.ts";
import { chunks, documentVersions } from "../db/schema/index.ts";
import { sha256 } from "../hash.ts";

/** Versions read per query (with their chunks): texts are streamed, never loaded whole. */
const BATCH = 200;

/** A version as the ingest run that stored it recorded it in the ledger (record `index`). */
export type VouchedVersion = {
  index: number;
  versionId: string;
  documentId: string;
  textSha256: string;
  rawSha256: string;
  /** SHA-256 of the chunks' hashes in order, joined by commas (readRunVersions). */
  chunksSha256: string;
};

/**
 * Every stored version against its ledger record, hashes recomputed from the stored texts: a
 * rewrite of a version's text and chunks that also rewrote their stored hashes (so the citation
 * checks pass) still differs from what was recorded when it was ingested. Versions stored before
 * the ledger existed have no record and are counted, not failed.
 */
export async function verifyStoredVersions(
  db: Database,
  vouched: ReadonlyMap<string, VouchedVersion>,
  problems: { index: number | null; problem: string }[],
): Promise<{ checked: number; unvouched: number }> {
  let checked = 0;
  let unvouched = 0;
  const seen = new Set<string>();
  for (let after = ""; ;) {
    const versions = await db
      .select({
        id: documentVersions.id,
        text: documentVersions.text,
        textSha256: documentVersions.textSha256,
        rawSha256: documentVersions.rawSha256,
      })
      .from(documentVersions)
      .where(after ? gt(documentVersions.id, after) : undefined)
      .orderBy(asc(documentVersions.id))
      .limit(BATCH);
    const chunkHashes = await recomputeChunkHashes(
      db,
      versions.map((v) => v.id),
    );
    for (const version of versions) {
      seen.add(version.id);
      const recorded = vouched.get(version.id);
      if (!recorded) {
        unvouched += 1;
        continue;
      }
      checked += 1;
      const wrong: string[] = [];
      if (sha256(version.text) !== recorded.textSha256) wrong.push("text");
      if (version.textSha256 !== recorded.textSha256) wrong.push("text hash");
      if (version.rawSha256 !== recorded.rawSha256) wrong.push("file hash");
      if (sha256((chunkHashes.get(version.id) ?? []).join(",")) !== recorded.chunksSha256)
        wrong.push("chunks");
      if (wrong.length > 0)
        problems.push({
          index: recorded.index,
          problem: `version ${version.id}: its ${wrong.join(", ")} differ from what record ${recorded.index} holds for it`,
        });
    }
    if (versions.length < BATCH) break;
    after = versions.at(-1)!.id;
  }
  for (const [id, { index }] of vouched)
    if (!seen.has(id))
      problems.push({ index, problem: `version ${id} was deleted from the store` });
  return { checked, unvouched };
}

/** Each version's chunk hashes recomputed from the chunk texts, in chunk order. */
async function recomputeChunkHashes(
  db: Database,
  versionIds: string[],
): Promise<Map<string, string[]>> {
  const hashes = new Map<string, string[]>();
  if (versionIds.length === 0) return hashes;
  const rows = await db
    .select({ versionId: chunks.versionId, text: chunks.text })
    .from(chunks)
    .where(inArray(chunks.versionId, versionIds))
    .orderBy(asc(chunks.versionId), asc(chunks.ordinal));
  for (const row of rows) {
    const list = hashes.get(row.versionId) ?? [];
    list.push(sha256(row.text));
    hashes.set(row.versionId, list);
  }
  return hashes;
}
