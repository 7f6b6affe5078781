import { pgEnum, pgTable, text, timestamp } from "drizzle-orm/pg-core";

/** How far a source is trusted; answers report it with every citation. */
export const trustTier = pgEnum("trust_tier", ["authoritative", "reviewed", "community"]);

/** A trusted source as declared in the manifest: the unit of licence and trust. */
export const sources = pgTable("sources", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  publisher: text("publisher").notNull(),
  uri: text("uri").notNull(),
  license: text("license").notNull(),
  trust: trustTier("trust").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
});

export type SourceRow = typeof sources.$inferSelect;
