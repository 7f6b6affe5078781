import { asc, sql } from "drizzle-orm";
import {
  bigint,
  integer,
  jsonb,
  PgDialect,
  pgTable,
  real,
  text,
  timestamp,
} from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Database } from "../../src/db/client.ts";
import { insertRows, queryPrepared, queryRows } from "../../src/db/query.ts";
import { connectionKinds, openBareStore } from "../support/databases.ts";

/** Every kind of column the record's inserts carry, with a default that a row must still give. */
const columnsOf = (name: string) =>
  pgTable(name, {
    id: integer("id").primaryKey(),
    at: timestamp("at", { withTimezone: true }).notNull(),
    doc: jsonb("doc"),
    score: real("score").notNull(),
    big: bigint("big", { mode: "number" }),
    label: text("label").notNull().default("none"),
  });
const viaJson = columnsOf("via_json");
const viaDrizzle = columnsOf("via_drizzle");
const createTable = (name: string) =>
  sql.raw(`create table ${name} (id int primary key, at timestamptz not null, doc jsonb,
    score real not null, big bigint, label text not null default 'none')`);

const ROWS: (typeof viaJson.$inferInsert & { label: string; doc: unknown; big: number | null })[] =
  [
    {
      id: 1,
      at: new Date("2026-12-02T10:11:12.345Z"),
      doc: { response: { answer: 'l\'été — "quoted"', n: [1, 2.5, null], ok: true } },
      score: 0.123456789,
      big: 9_007_199_254_740_991,
      label: "tab\there, newline\nthere, backslash \\ and emoji 📚",
    },
    { id: 2, at: new Date(0), doc: null, score: 0, big: null, label: "" },
    {
      id: 3,
      at: new Date("2030-01-01T00:00:00Z"),
      doc: ["a", "b"],
      score: -1e-7,
      big: -3,
      label: "x",
    },
  ];

describe.each(connectionKinds())("statements of fixed text on %s", (kind) => {
  let store: Awaited<ReturnType<typeof openBareStore>>;
  let db: Database;

  beforeAll(async () => {
    store = await openBareStore(kind);
    db = store.handle.db;
    await db.execute(createTable("via_json"));
    await db.execute(createTable("via_drizzle"));
  });
  afterAll(() => store?.drop());

  it("inserts rows through one jsonb parameter exactly as drizzle's own insert stores them", async () => {
    await queryPrepared(db, insertRows(viaJson, ROWS));
    await db.insert(viaDrizzle).values(ROWS);
    const read = (table: typeof viaJson) => db.select().from(table).orderBy(asc(table.id));
    const [json, drizzle] = [await read(viaJson), await read(viaDrizzle)];
    expect(json).toEqual(drizzle);
    expect(json.map((r) => r.doc)).toEqual(ROWS.map((r) => r.doc));
    expect(json[0]!.at.toISOString()).toBe("2026-12-02T10:11:12.345Z");
    expect(json[0]!.label).toBe(ROWS[0]!.label);
    // No rows is a statement that inserts nothing, not an error.
    await queryPrepared(db, insertRows(viaJson, []));
    expect(await db.$count(viaJson)).toBe(3);
  });

  it("writes the same statement text whatever the rows, so it is parsed and planned once", async () => {
    const dialect = new PgDialect();
    const textOf = (rows: typeof ROWS) => dialect.sqlToQuery(insertRows(viaJson, rows)).sql;
    expect(new Set([textOf([]), textOf(ROWS.slice(0, 1)), textOf(ROWS)]).size).toBe(1);

    const marker = "verity_prepared_marker";
    const probe = (n: number) => sql`select ${n}::int + 1 as ${sql.identifier(marker)}`;
    const prepared = await db.transaction(async (tx) => {
      const t = tx as unknown as Database;
      for (const n of [1, 2, 3]) {
        expect(await queryPrepared<Record<string, number>>(t, probe(n))).toEqual([
          { [marker]: n + 1 },
        ]);
      }
      // Within the transaction: the same connection as the three statements.
      const rows = await queryRows<{ n: number }>(
        t,
        sql`select count(*)::int as n from pg_prepared_statements where statement like ${`%${marker}%`} and not from_sql`,
      );
      return rows[0]!.n;
    });
    // postgres.js (the server's thread, PostgreSQL) keeps one named statement for the three;
    // PGlite's in-process driver runs each unnamed, as every statement before.
    expect(prepared).toBe(kind === "pglite in process" ? 0 : 1);
  });
});
