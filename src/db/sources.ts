import { and, count, eq, inArray, isNull } from "drizzle-orm";
import type { Database } from "./client.ts";
import { documents, sources, type SourceRow } from "./schema/index.ts";

/** Every source of `tenant` not removed, with its documents still present, in id order. */
export async function listSources(db: Database, tenant: string) {
  return db
    .select({
      id: sources.id,
      name: sources.name,
      publisher: sources.publisher,
      uri: sources.uri,
      license: sources.license,
      trust: sources.trust,
      updatedAt: sources.updatedAt,
      documents: count(documents.id),
    })
    .from(sources)
    .leftJoin(documents, and(eq(documents.sourceId, sources.id), isNull(documents.removedAt)))
    .where(and(eq(sources.tenant, tenant), isNull(sources.removedAt)))
    .groupBy(sources.id)
    .orderBy(sources.id);
}

/**
 * The ids among `ids` that name no stored (and not removed) source of `tenant`, in the order
 * given: another tenant's source is as unknown as a missing one.
 */
export async function findUnknownSources(
  db: Database,
  ids: string[],
  tenant: string,
): Promise<string[]> {
  const found = await db
    .select({ id: sources.id })
    .from(sources)
    .where(and(inArray(sources.id, ids), eq(sources.tenant, tenant), isNull(sources.removedAt)));
  const known = new Set(found.map((r) => r.id));
  return ids.filter((id) => !known.has(id));
}

/** The ids of `tenant`'s sources at one of these trust tiers (what a policy lets answers cite). */
export async function findSourcesByTrust(
  db: Database,
  tenant: string,
  tiers: readonly SourceRow["trust"][],
): Promise<Set<string>> {
  const rows = await db
    .select({ id: sources.id })
    .from(sources)
    .where(and(eq(sources.tenant, tenant), inArray(sources.trust, [...tiers])));
  return new Set(rows.map((r) => r.id));
}
