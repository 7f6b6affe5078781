import { index, pgEnum, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/** How far a source is trusted; answers report it with every citation. */
export const trustTier = pgEnum("trust_tier", ["authoritative", "reviewed", "community"]);

/** A trusted source as declared in the manifest: the unit of licence and trust. */
export const sources = pgTable(
  "sources",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    publisher: text("publisher").notNull(),
    uri: text("uri").notNull(),
    license: text("license").notNull(),
    trust: trustTier("trust").notNull(),
    /** Whose source it is: only callers of this tenant retrieve, cite or list it. */
    tenant: text("tenant").notNull().default("default"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    /** Set by an explicit removal (`npm run ingest -- --remove-source`); a manifest listing it clears it. */
    removedAt: timestamp("removed_at", { withTimezone: true }),
  },
  (t) => [index("sources_tenant_idx").on(t.tenant)],
);

export type SourceRow = typeof sources.$inferSelect;
