import { customType } from "drizzle-orm/pg-core";

/**
 * A vector stored as its float32 values, little-endian, 4 bytes each, in a bytea column. A real[]
 * is written and read as decimal text: parsing 512 floats was most of a chunk INSERT in PGlite
 * and formatting them most of reading the corpus back, where a bytea is copied as it is.
 */
export const float32Vector = customType<{ data: Float32Array; driverData: Uint8Array }>({
  dataType: () => "bytea",
  toDriver: (vector) => vectorToBytes(vector),
  fromDriver: (bytes) => vectorFromBytes(bytes),
});

const littleEndianHost = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** The column's bytes for a vector (a view of the same memory on a little-endian host). */
export function vectorToBytes(vector: Float32Array): Uint8Array {
  if (littleEndianHost) return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength);
  const out = Buffer.alloc(vector.length * 4);
  vector.forEach((x, i) => out.writeFloatLE(x, i * 4));
  return out;
}

/**
 * A stored vector back as floats: always a copy, so it is aligned and owns its memory whatever
 * buffer the driver read it into. A bytea that reached us as `\x…` hex text (a raw query on a
 * driver that does not parse it) is decoded first.
 */
export function vectorFromBytes(value: Uint8Array | string): Float32Array {
  const bytes = typeof value === "string" ? Buffer.from(value.replace(/^\\x/, ""), "hex") : value;
  if (bytes.byteLength % 4 !== 0)
    throw new Error(`a stored vector has ${bytes.byteLength} bytes, not a multiple of 4`);
  const out = new Float32Array(bytes.byteLength / 4);
  if (littleEndianHost) {
    new Uint8Array(out.buffer).set(bytes);
    return out;
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < out.length; i++) out[i] = view.getFloat32(i * 4, true);
  return out;
}
