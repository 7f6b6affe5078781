import { ADMIN_URL, createThrowawayDatabase } from "../../lab/shared/throwaway-database.ts";

/** The PostgreSQL server the suites run against (a fresh database per store). */
export { ADMIN_URL };

export type StoreKind = "pglite" | "postgres";

/**
 * Which stores the suites run on. PostgreSQL is always included under CI=true; a developer
 * without a server can opt out with VERITY_TEST_POSTGRES=off (never in CI).
 */
export function storeKinds(): StoreKind[] {
  const optOut = process.env.VERITY_TEST_POSTGRES === "off" && process.env.CI !== "true";
  return optOut ? ["pglite"] : ["pglite", "postgres"];
}

/** A throwaway database for a test store, empty or a copy of `template` (the lab's one helper). */
export function createPostgresDatabase(template?: string) {
  return createThrowawayDatabase("verity_test", template);
}
