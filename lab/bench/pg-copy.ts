import type { Transaction } from "@electric-sql/pglite";
import { vectorToBytes } from "../../src/db/schema/vector-column.ts";

/** A PGlite instance or one of its transactions. */
export type Queryable = Pick<Transaction, "query">;

/** A column value for binary COPY: text, int4, a vector (bytea, as the column stores it) or NULL. */
export type CopyValue = string | number | Float32Array | null;

const SIGNATURE = Buffer.from("PGCOPY\n\xff\r\n\0", "latin1");

/**
 * COPY rows in PostgreSQL's binary format: the bench builds stores of a million chunks, and one
 * COPY a batch avoids a statement's parameters and parsing per row.
 */
export async function copyRows(
  pg: Queryable,
  table: string,
  columns: string[],
  rows: CopyValue[][],
): Promise<void> {
  if (rows.length === 0) return;
  const blob = new Blob([new Uint8Array(encodeBinaryCopy(rows))]);
  await pg.query(
    `copy ${table} (${columns.join(", ")}) from '/dev/blob' with (format binary)`,
    [],
    {
      blob,
    },
  );
}

export function encodeBinaryCopy(rows: CopyValue[][]): Buffer {
  // Header: signature, flags (0), header extension length (0).
  const parts: Buffer[] = [SIGNATURE, Buffer.alloc(8)];
  for (const row of rows) {
    const count = Buffer.alloc(2);
    count.writeInt16BE(row.length);
    parts.push(count);
    for (const value of row) parts.push(encodeField(value));
  }
  const trailer = Buffer.alloc(2);
  trailer.writeInt16BE(-1);
  parts.push(trailer);
  return Buffer.concat(parts);
}

function encodeField(value: CopyValue): Buffer {
  if (value === null) {
    const b = Buffer.alloc(4);
    b.writeInt32BE(-1);
    return b;
  }
  if (typeof value === "string") {
    const data = Buffer.from(value, "utf8");
    const b = Buffer.alloc(4 + data.length);
    b.writeInt32BE(data.length);
    data.copy(b, 4);
    return b;
  }
  if (typeof value === "number") {
    if (!Number.isInteger(value)) throw new Error(`not an int4: ${value}`);
    const b = Buffer.alloc(8);
    b.writeInt32BE(4);
    b.writeInt32BE(value, 4);
    return b;
  }
  // A vector: a bytea field is its length, then the column's bytes as they are.
  const data = vectorToBytes(value);
  const b = Buffer.alloc(4 + data.byteLength);
  b.writeInt32BE(data.byteLength);
  b.set(data, 4);
  return b;
}
