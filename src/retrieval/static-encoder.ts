import { createHash } from "node:crypto";
import { isBlank } from "./vector-math.ts";
import type { SentencePieceTokenizer } from "./sentencepiece.ts";

/**
 * A static sentence encoder: one vector per SentencePiece token, a text is the mean of its tokens'
 * vectors, normalised. The table is distilled from USE-lite (lab/encoder) and stored as int8 with
 * one float32 scale per row:
 *
 *   "VSE1" | u32 header length | header JSON (utf-8) | f32 scales[vocab] | i8 rows[vocab * dim]
 */
export type StaticTableHeader = {
  /** The family name; the file's hash is appended to form the embedder's modelId. */
  name: string;
  dimension: number;
  vocabSize: number;
  /** sha256 of the vocabulary JSON the ids refer to: another tokenizer must not use this table. */
  vocabSha256: string;
  /** How the table was made, for the record (texts, regularisation, agreement measured). */
  build: Record<string, unknown>;
};

export type StaticTable = {
  header: StaticTableHeader;
  /** Dequantised rows, vocabSize * dimension. */
  rows: Float32Array;
  /** sha256 of the file's bytes. */
  sha256: string;
};

const MAGIC = "VSE1";

export function writeStaticTable(header: StaticTableHeader, rows: Float32Array): Buffer {
  const { vocabSize, dimension } = header;
  if (rows.length !== vocabSize * dimension) throw new Error("rows do not match the header");
  const json = Buffer.from(JSON.stringify(header), "utf8");
  const scales = new Float32Array(vocabSize);
  const quantized = new Int8Array(vocabSize * dimension);
  for (let t = 0; t < vocabSize; t++) {
    let max = 0;
    for (let d = 0; d < dimension; d++) max = Math.max(max, Math.abs(rows[t * dimension + d]!));
    const scale = max / 127;
    scales[t] = scale;
    if (scale === 0) continue;
    for (let d = 0; d < dimension; d++) {
      quantized[t * dimension + d] = Math.round(rows[t * dimension + d]! / scales[t]!);
    }
  }
  const length = Buffer.alloc(4);
  length.writeUInt32LE(json.length);
  return Buffer.concat([
    Buffer.from(MAGIC, "ascii"),
    length,
    json,
    Buffer.from(scales.buffer),
    Buffer.from(quantized.buffer),
  ]);
}

export function readStaticTable(bytes: Uint8Array): StaticTable {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.subarray(0, 4).toString("ascii") !== MAGIC) throw new Error("not a static table");
  const headerLength = buffer.readUInt32LE(4);
  const header = JSON.parse(buffer.subarray(8, 8 + headerLength).toString("utf8"));
  const { vocabSize, dimension } = header as StaticTableHeader;
  const scalesAt = 8 + headerLength;
  const rowsAt = scalesAt + vocabSize * 4;
  if (buffer.length !== rowsAt + vocabSize * dimension) throw new Error("truncated static table");
  // Copied out: the scales' offset need not be 4-byte aligned within the file.
  const scales = new Float32Array(
    buffer.buffer.slice(bytes.byteOffset + scalesAt, bytes.byteOffset + rowsAt),
  );
  const quantized = new Int8Array(buffer.buffer, bytes.byteOffset + rowsAt, vocabSize * dimension);
  const rows = new Float32Array(vocabSize * dimension);
  for (let t = 0; t < vocabSize; t++) {
    const scale = scales[t]!;
    for (let d = 0; d < dimension; d++) {
      rows[t * dimension + d] = quantized[t * dimension + d]! * scale;
    }
  }
  const sha256 = createHash("sha256").update(buffer).digest("hex");
  return { header, rows, sha256 };
}

export type StaticEncoder = {
  readonly dimension: number;
  /** Unit-length vector, zero for a blank text. */
  encode(text: string): Float32Array;
};

export function createStaticEncoder(
  table: Pick<StaticTable, "rows"> & { header: Pick<StaticTableHeader, "dimension" | "vocabSize"> },
  tokenizer: SentencePieceTokenizer,
): StaticEncoder {
  const { dimension, vocabSize } = table.header;
  if (tokenizer.size !== vocabSize) {
    throw new Error(`table has ${vocabSize} rows, the tokenizer ${tokenizer.size} pieces`);
  }
  const { rows } = table;
  return {
    dimension,
    encode(text) {
      const out = new Float32Array(dimension);
      if (isBlank(text)) return out;
      // Accumulated in float64 so the sum does not depend on float32 rounding order.
      const sum = new Float64Array(dimension);
      for (const id of tokenizer.encode(text)) {
        const at = id * dimension;
        for (let d = 0; d < dimension; d++) sum[d]! += rows[at + d]!;
      }
      let norm = 0;
      for (let d = 0; d < dimension; d++) norm += sum[d]! * sum[d]!;
      norm = Math.sqrt(norm);
      if (norm === 0) return out;
      for (let d = 0; d < dimension; d++) out[d] = sum[d]! / norm;
      return out;
    },
  };
}
