import { getTableColumns, getTableName, sql, type SQL } from "drizzle-orm";
import { PgDialect, type PgTable } from "drizzle-orm/pg-core";
import type { Database } from "./client.ts";

/**
 * Rows of a raw SQL query. The PGlite driver answers `{ rows }` and postgres-js a plain array;
 * this keeps every hand-written query (full-text search, statistics) driver-neutral.
 */
export async function queryRows<T extends Record<string, unknown>>(
  db: Database,
  query: SQL,
): Promise<T[]> {
  return rowsOf<T>(await db.execute(query));
}

const dialect = new PgDialect();

/**
 * queryRows for a statement run on every request, whose text never changes (values only as
 * parameters): postgres.js then parses and plans it once per connection and runs it in one round
 * trip, where an unnamed statement costs two (its parameter types are asked first) and is planned
 * every time. Planning was most of a record's time on the embedded store (a record's ledger
 * head: 2.7 ms planned each time, 0.5 ms prepared). PGlite in process runs it as before.
 */
export async function queryPrepared<T extends Record<string, unknown>>(
  db: Database,
  query: SQL,
): Promise<T[]> {
  // A name asks drizzle to prepare; postgres.js keys its statements by their text, not the name.
  const prepared = db._.session.prepareQuery(dialect.sqlToQuery(query), undefined, "verity", false);
  return rowsOf<T>(await prepared.execute());
}

function rowsOf<T>(result: unknown): T[] {
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

/** A row giving every column of `table`, those with defaults too. */
export type FullRow<T extends PgTable> = {
  [K in keyof T["$inferInsert"]]-?: T["$inferInsert"][K];
};

/**
 * An INSERT of `rows` into `table` whose text depends on the table alone, never on the rows or
 * how many there are (none included): they travel as one jsonb parameter, typed by the table's
 * own columns (jsonb_populate_recordset), so queryPrepared plans it once. Rows give every column,
 * as a column left out would be null rather than its default. Dates are sent as ISO 8601 and
 * jsonb columns as the JSON they hold, as drizzle's own insert sends them. With `onlyIf`, a
 * condition of the statement it runs in, nothing is inserted unless it holds.
 */
export function insertRows<T extends PgTable>(
  table: T,
  rows: FullRow<T>[],
  onlyIf?: SQL<boolean>,
): SQL {
  const columns = Object.entries(getTableColumns(table));
  const json = rows.map((row) => {
    const out: Record<string, unknown> = {};
    for (const [key, column] of columns) {
      const value = (row as Record<string, unknown>)[key];
      out[column.name] = value instanceof Date ? value.toISOString() : (value ?? null);
    }
    return out;
  });
  const names = sql.join(
    columns.map(([, column]) => sql.identifier(column.name)),
    sql`, `,
  );
  const tableName = sql.identifier(getTableName(table));
  const where = onlyIf ? sql` where ${onlyIf}` : sql``;
  return sql`insert into ${tableName} (${names}) select ${names} from jsonb_populate_recordset(null::${tableName}, ${JSON.stringify(json)}::jsonb)${where}`;
}
