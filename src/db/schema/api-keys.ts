import { index, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/**
 * An API key: only the sha256 of its secret is stored (the secret is shown once, at creation).
 * `id` is the public part a request log or ledger may name; `scopes` are what it may do.
 */
export const apiKeys = pgTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    secretSha256: text("secret_sha256").notNull().unique(),
    tenant: text("tenant").notNull().default("default"),
    scopes: text("scopes").array().notNull(),
    name: text("name"),
    createdBy: text("created_by").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    /** A revoked key is kept, so records naming it still resolve; it no longer authenticates. */
    revokedAt: timestamp("revoked_at", { withTimezone: true }),
  },
  (t) => [index("api_keys_tenant_idx").on(t.tenant)],
);

export type ApiKeyRow = typeof apiKeys.$inferSelect;
