import { and, asc, eq, isNull } from "drizzle-orm";
import type { Database } from "./client.ts";
import { apiKeys, type ApiKeyRow } from "./schema/index.ts";

export type NewApiKeyRow = typeof apiKeys.$inferInsert;

/** Store a key (its secret's hash only); an id already taken stores nothing and gives null. */
export async function insertApiKey(db: Database, row: NewApiKeyRow): Promise<ApiKeyRow | null> {
  const [inserted] = await db.insert(apiKeys).values(row).onConflictDoNothing().returning();
  return inserted ?? null;
}

export async function findApiKey(db: Database, id: string): Promise<ApiKeyRow | null> {
  const [row] = await db.select().from(apiKeys).where(eq(apiKeys.id, id)).limit(1);
  return row ?? null;
}

/** Every key, revoked ones included, oldest first; of one tenant when `tenant` is given. */
export async function listApiKeys(db: Database, tenant?: string): Promise<ApiKeyRow[]> {
  return db
    .select()
    .from(apiKeys)
    .where(tenant === undefined ? undefined : eq(apiKeys.tenant, tenant))
    .orderBy(asc(apiKeys.createdAt), asc(apiKeys.id));
}

/** Mark a key revoked; null when there is no such key or it was revoked already. */
export async function markApiKeyRevoked(
  db: Database,
  id: string,
  at = new Date(),
): Promise<ApiKeyRow | null> {
  const [row] = await db
    .update(apiKeys)
    .set({ revokedAt: at })
    .where(and(eq(apiKeys.id, id), isNull(apiKeys.revokedAt)))
    .returning();
  return row ?? null;
}

/** Whether any key can still authenticate: then every request must carry one. */
export async function hasActiveApiKey(db: Database): Promise<boolean> {
  const rows = await db
    .select({ id: apiKeys.id })
    .from(apiKeys)
    .where(isNull(apiKeys.revokedAt))
    .limit(1);
  return rows.length > 0;
}
