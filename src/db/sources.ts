import { and, count, eq, isNull } from "drizzle-orm";
import type { Database } from "./client.ts";
import { documents, sources } from "./schema/index.ts";

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
