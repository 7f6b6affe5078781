import type { SQL } from "drizzle-orm";
import type { Database } from "./client.ts";

/**
 * Rows of a raw SQL query. The PGlite driver answers `{ rows }` and postgres-js a plain array;
 * this keeps every hand-written query (full-text search, statistics) driver-neutral.
 */
export async function queryRows<T extends Record<string, unknown>>(
  db: Database,
  query: SQL,
): Promise<T[]> {
  const result = (await db.execute(query)) as unknown;
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}
