import { describe, expect, it } from "vitest";
import { vectorFromBytes, vectorToBytes } from "../../src/db/schema/vector-column.ts";
import { pgliteByteaTypes } from "../../src/db/pglite-bytea.ts";

const BYTEA = 17;

describe("vectors stored as float32 bytes", () => {
  const vector = Float32Array.from([0, -0, 1.5, -2.25, 3.4028234663852886e38, 1e-45, Math.PI]);

  it("round-trips every float exactly, little-endian, 4 bytes a value", () => {
    const bytes = vectorToBytes(vector);
    expect(bytes.byteLength).toBe(vector.length * 4);
    // 1.5 is 0x3fc00000: least significant byte first.
    expect([...bytes.subarray(8, 12)]).toEqual([0x00, 0x00, 0xc0, 0x3f]);
    expect(vectorFromBytes(bytes)).toEqual(vector);
    expect(Object.is(vectorFromBytes(bytes)[1], -0)).toBe(true);
  });

  it("returns an aligned copy of bytes read at any offset of a driver's buffer", () => {
    const buffer = new Uint8Array(1 + vector.byteLength);
    buffer.set(vectorToBytes(vector), 1);
    const read = vectorFromBytes(buffer.subarray(1));
    expect(read).toEqual(vector);
    buffer.fill(0);
    expect(read).toEqual(vector);
  });

  it("decodes bytea hex text, as a raw query on some drivers hands it over", () => {
    const hex = "\\x" + Buffer.from(vectorToBytes(vector)).toString("hex");
    expect(vectorFromBytes(hex)).toEqual(vector);
  });

  it("refuses a length that is not whole floats", () => {
    expect(() => vectorFromBytes(new Uint8Array(6))).toThrow(/6 bytes/);
  });

  it("gives PGlite the same bytea text as its own codec, and reads it back the same", () => {
    const bytes = new Uint8Array([0, 1, 15, 16, 127, 128, 254, 255]);
    const text = pgliteByteaTypes.serializers[BYTEA](bytes);
    expect(text).toBe("\\x00010f107f80feff");
    expect(pgliteByteaTypes.parsers[BYTEA](text)).toEqual(bytes);
    expect(pgliteByteaTypes.parsers[BYTEA]("\\x")).toEqual(new Uint8Array(0));
  });
});
