import { and, eq, inArray, isNotNull, isNull, sql } from "drizzle-orm";
import type { Database } from "./client.ts";
import { currentVersionOfChunk, presentDocumentOfVersion } from "./current-chunks.ts";
import { chunks, documents, documentVersions, sources } from "./schema/index.ts";

/** Stored text and hash of versions, keyed by id: what a quote is verified against. */
export async function readVersionTexts(
  db: Database,
  versionIds: string[],
): Promise<Map<string, { text: string; sha256: string }>> {
  if (versionIds.length === 0) return new Map();
  const rows = await db
    .select({
      id: documentVersions.id,
      text: documentVersions.text,
      sha256: documentVersions.textSha256,
    })
    .from(documentVersions)
    .where(inArray(documentVersions.id, versionIds));
  return new Map(rows.map((r) => [r.id, { text: r.text, sha256: r.sha256 }]));
}

/** Each tenant's languages: those its searchable documents are written in (detected at ingest). */
export async function readCorpusLanguages(db: Database): Promise<Map<string, Set<string>>> {
  const rows = await db
    .selectDistinct({ tenant: sources.tenant, language: documentVersions.language })
    .from(documentVersions)
    .innerJoin(documents, presentDocumentOfVersion)
    .innerJoin(sources, eq(sources.id, documents.sourceId))
    .where(and(isNull(documentVersions.supersededAt), isNotNull(documentVersions.language)));
  const byTenant = new Map<string, Set<string>>();
  for (const { tenant, language } of rows) {
    if (!language) continue;
    const set = byTenant.get(tenant) ?? new Set<string>();
    byTenant.set(tenant, set.add(language));
  }
  return byTenant;
}

/** Searchable chunks flagged at ingest as reading like instructions to a model. */
export async function countSuspectedInjections(db: Database): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(chunks)
    .innerJoin(documentVersions, currentVersionOfChunk)
    .innerJoin(documents, presentDocumentOfVersion)
    .where(eq(chunks.suspectedInjection, true));
  return Number(row?.n ?? 0);
}
