/**
 * Unit vectors kept at one byte a dimension: each vector is stored as int8 codes and one float32
 * scale (its largest absolute component / 127), so a 512-d vector takes 516 bytes instead of
 * 2,048. A per-vector scale needs no fitting and no corpus statistics, and holds for any vector
 * that arrives later. The dot product of a float32 query with a stored vector is off by about
 * 1e-3 at 512 dimensions (rounding error of ±scale/2 a component, summed incoherently): small
 * against the gaps between candidates that are re-ranked with it.
 *
 * Slots are addressed by position and grow as needed; a slot is written once and never moved.
 */
export type Int8Vectors = {
  readonly dimension: number;
  /** Slots written so far (the highest written slot + 1). */
  readonly length: number;
  set(slot: number, vector: ArrayLike<number>): void;
  /** Dot product of `query` with the vector in `slot`. */
  dot(query: ArrayLike<number>, slot: number): number;
  /** The vector in `slot`, decoded. */
  vector(slot: number): Float32Array;
  /** The slots in use, as views (not copies) of the scales' and the codes' bytes, for saving. */
  bytes(): { scales: Uint8Array; codes: Uint8Array };
};

const CODE_MAX = 127;

export function createInt8Vectors(dimension: number, capacity = 0): Int8Vectors {
  return int8Vectors(dimension, new Float32Array(capacity), new Int8Array(capacity * dimension), 0);
}

/** Vectors from the arrays `bytes` gave (read back from a file): `scales.length` of them. */
export function int8VectorsOf(
  dimension: number,
  scales: Float32Array,
  codes: Int8Array,
): Int8Vectors {
  if (codes.length !== scales.length * dimension) {
    throw new Error(`${codes.length} codes are not ${scales.length} vectors of ${dimension}`);
  }
  return int8Vectors(dimension, scales, codes, scales.length);
}

function int8Vectors(
  dimension: number,
  initialScales: Float32Array,
  initialCodes: Int8Array,
  initialLength: number,
): Int8Vectors {
  let scales = initialScales;
  let codes = initialCodes;
  let length = initialLength;

  function ensure(slot: number): void {
    if (slot < scales.length) return;
    // Grown by half again (as the graph is), so appending one at a time stays linear.
    const capacity = Math.max(slot + 1, Math.ceil(scales.length * 1.5), 16);
    const grownScales = new Float32Array(capacity);
    grownScales.set(scales);
    const grownCodes = new Int8Array(capacity * dimension);
    grownCodes.set(codes);
    scales = grownScales;
    codes = grownCodes;
  }

  function check(slot: number): void {
    if (!Number.isInteger(slot) || slot < 0 || slot >= length) {
      throw new RangeError(`no vector in slot ${slot}`);
    }
  }

  return {
    dimension,
    get length() {
      return length;
    },

    set(slot, vector) {
      if (vector.length !== dimension) {
        throw new Error(`vector has ${vector.length} dimensions, expected ${dimension}`);
      }
      ensure(slot);
      let largest = 0;
      for (let j = 0; j < dimension; j++) largest = Math.max(largest, Math.abs(vector[j]!));
      const scale = largest / CODE_MAX;
      const offset = slot * dimension;
      for (let j = 0; j < dimension; j++) {
        codes[offset + j] = scale === 0 ? 0 : Math.round(vector[j]! / scale);
      }
      scales[slot] = scale;
      length = Math.max(length, slot + 1);
    },

    dot(query, slot) {
      check(slot);
      const offset = slot * dimension;
      // Four running sums, not one: a single sum is a chain of dependent additions, each waiting
      // for the last, and that chain was the cost of re-ranking a search's candidates. The order
      // of the additions changes the result only in the last bits, far below the int8 rounding.
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let j = 0;
      for (; j + 3 < dimension; j += 4) {
        const o = offset + j;
        s0 += query[j]! * codes[o]!;
        s1 += query[j + 1]! * codes[o + 1]!;
        s2 += query[j + 2]! * codes[o + 2]!;
        s3 += query[j + 3]! * codes[o + 3]!;
      }
      for (; j < dimension; j++) s0 += query[j]! * codes[offset + j]!;
      return (s0 + s1 + (s2 + s3)) * scales[slot]!;
    },

    vector(slot) {
      check(slot);
      const out = new Float32Array(dimension);
      const scale = scales[slot]!;
      const offset = slot * dimension;
      for (let j = 0; j < dimension; j++) out[j] = codes[offset + j]! * scale;
      return out;
    },

    bytes: () => ({
      scales: new Uint8Array(scales.buffer, 0, length * 4),
      codes: new Uint8Array(codes.buffer, 0, length * dimension),
    }),
  };
}
