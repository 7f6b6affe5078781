import { types } from "@electric-sql/pglite";

/**
 * bytea in and out of PGlite through Buffer's native hex codec. PGlite's own converts one byte at
 * a time in JS (a closure per byte out, a parseInt per byte in), ~2,000 calls a stored vector:
 * slower than the decimal real[] the vectors were stored as before. Same text, same bytes.
 */
export const pgliteByteaTypes = {
  serializers: {
    [types.BYTEA]: (value: Uint8Array | string) =>
      typeof value === "string"
        ? value
        : "\\x" + Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString("hex"),
  },
  parsers: {
    [types.BYTEA]: (text: string) => new Uint8Array(Buffer.from(text.slice(2), "hex")),
  },
};
