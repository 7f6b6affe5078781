import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

/**
 * A tiny cross-encoder in the transformers.js layout, built from scratch so tests need no
 * download: a BERT WordPiece tokenizer over a handful of words and an ONNX graph whose logits
 * are a sum over the *sentence* segment (token_type_ids = 1) of per-word weights, plus a bias:
 *
 *   logits[b, l] = bias[l] + sum over t of weight[input_ids[b, t], l] * token_type_ids[b, t] * mask[b, t]
 *
 * So a test can predict every logit by hand, and a word counts only when the tokenizer put it in
 * the second segment of the pair.
 */
export type TinyCrossEncoderSpec = {
  /** Label names in id order; one label gives a single relevance logit. */
  labels: string[];
  /** Per-word weights, one per label; words not listed weigh 0. */
  weights: Record<string, number[]>;
  bias: number[];
};

/** Every word the tokenizer knows; anything else becomes [UNK] (weight 0). */
export const TINY_VOCAB = [
  "what",
  "does",
  "the",
  "basic",
  "plan",
  "cost",
  "costs",
  "is",
  "a",
  "refund",
  "free",
  "eight",
  "dollars",
  "month",
  "data",
  "encrypted",
  "not",
  "?",
  ".",
] as const;

const SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"] as const;
const VOCAB = [...SPECIALS, ...TINY_VOCAB];
export const tinyTokenId = (word: string): number => (VOCAB as readonly string[]).indexOf(word);

/** Write the model into a new temporary directory; the caller removes it with `remove`. */
export async function createTinyCrossEncoder(
  spec: TinyCrossEncoderSpec,
): Promise<{ dir: string; remove(): Promise<void> }> {
  const parent = await mkdtemp(join(tmpdir(), "verity-tiny-ce-"));
  const dir = join(parent, "tiny-cross-encoder");
  await mkdir(join(dir, "onnx"), { recursive: true });
  const id2label = Object.fromEntries(spec.labels.map((l, i) => [String(i), l]));
  const label2id = Object.fromEntries(spec.labels.map((l, i) => [l, i]));
  await writeFile(
    join(dir, "config.json"),
    JSON.stringify({
      model_type: "bert",
      architectures: ["BertForSequenceClassification"],
      vocab_size: VOCAB.length,
      hidden_size: 4,
      num_hidden_layers: 1,
      num_attention_heads: 1,
      max_position_embeddings: 512,
      type_vocab_size: 2,
      id2label,
      label2id,
    }),
  );
  await writeFile(join(dir, "tokenizer.json"), JSON.stringify(tokenizerJson()));
  await writeFile(
    join(dir, "tokenizer_config.json"),
    JSON.stringify({
      tokenizer_class: "BertTokenizer",
      do_lower_case: true,
      model_max_length: 512,
      cls_token: "[CLS]",
      sep_token: "[SEP]",
      pad_token: "[PAD]",
      unk_token: "[UNK]",
      mask_token: "[MASK]",
    }),
  );
  await writeFile(join(dir, "onnx", "model.onnx"), encodeModel(spec));
  return { dir, remove: () => rm(parent, { recursive: true, force: true }) };
}

function tokenizerJson() {
  const special = (content: string) => ({
    id: tinyTokenId(content),
    content,
    single_word: false,
    lstrip: false,
    rstrip: false,
    normalized: false,
    special: true,
  });
  return {
    version: "1.0",
    truncation: null,
    padding: null,
    added_tokens: SPECIALS.map(special),
    normalizer: {
      type: "BertNormalizer",
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: true,
    },
    pre_tokenizer: { type: "BertPreTokenizer" },
    // BERT's pair template: [CLS] question [SEP] sentence [SEP], the sentence's half typed 1.
    post_processor: {
      type: "TemplateProcessing",
      single: [
        { SpecialToken: { id: "[CLS]", type_id: 0 } },
        { Sequence: { id: "A", type_id: 0 } },
        { SpecialToken: { id: "[SEP]", type_id: 0 } },
      ],
      pair: [
        { SpecialToken: { id: "[CLS]", type_id: 0 } },
        { Sequence: { id: "A", type_id: 0 } },
        { SpecialToken: { id: "[SEP]", type_id: 0 } },
        { Sequence: { id: "B", type_id: 1 } },
        { SpecialToken: { id: "[SEP]", type_id: 1 } },
      ],
      special_tokens: {
        "[CLS]": { id: "[CLS]", ids: [tinyTokenId("[CLS]")], tokens: ["[CLS]"] },
        "[SEP]": { id: "[SEP]", ids: [tinyTokenId("[SEP]")], tokens: ["[SEP]"] },
      },
    },
    decoder: { type: "WordPiece", prefix: "##", cleanup: true },
    model: {
      type: "WordPiece",
      unk_token: "[UNK]",
      continuing_subword_prefix: "##",
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(VOCAB.map((t, i) => [t, i])),
    },
  };
}

// --- A minimal protobuf writer, enough for ONNX's ModelProto (onnx/onnx.proto field numbers). ---

type Bytes = Buffer;

function varint(value: number | bigint): Bytes {
  let v = BigInt(value);
  const out: number[] = [];
  do {
    let byte = Number(v & 0x7fn);
    v >>= 7n;
    if (v > 0n) byte |= 0x80;
    out.push(byte);
  } while (v > 0n);
  return Buffer.from(out);
}
/** A varint field (wire type 0). */
const int = (field: number, value: number): Bytes =>
  Buffer.concat([varint(field << 3), varint(value)]);
/** A length-delimited field (wire type 2): bytes, a string or an embedded message. */
const bytes = (field: number, payload: Bytes): Bytes =>
  Buffer.concat([varint((field << 3) | 2), varint(payload.length), payload]);
const str = (field: number, text: string): Bytes => bytes(field, Buffer.from(text, "utf8"));
const msg = (field: number, ...parts: Bytes[]): Bytes => bytes(field, Buffer.concat(parts));

const FLOAT = 1;
const INT64 = 7;
const ATTRIBUTE_INT = 2;

/** TensorProto as a graph initializer (GraphProto field 5). */
function initializer(name: string, dims: number[], data: Float32Array | BigInt64Array): Bytes {
  const type = data instanceof Float32Array ? FLOAT : INT64;
  const raw = Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return msg(5, ...dims.map((d) => int(1, d)), int(2, type), str(8, name), bytes(9, raw));
}

/** ValueInfoProto (field 11 for inputs, 12 for outputs); a string dim is symbolic. */
function valueInfo(field: number, name: string, elemType: number, dims: (number | string)[]) {
  const shape = dims.map((d) => msg(1, typeof d === "number" ? int(1, d) : str(2, d)));
  return msg(field, str(1, name), msg(2, msg(1, int(1, elemType), msg(2, ...shape))));
}

function node(op: string, inputs: string[], output: string, attributes: Bytes[] = []): Bytes {
  return msg(
    1,
    ...inputs.map((i) => str(1, i)),
    str(2, output),
    str(3, `${op}_${output}`),
    str(4, op),
    ...attributes,
  );
}
const intAttribute = (name: string, value: number) =>
  msg(5, str(1, name), int(3, value), int(20, ATTRIBUTE_INT));

function encodeModel(spec: TinyCrossEncoderSpec): Bytes {
  const labels = spec.labels.length;
  const table = new Float32Array(VOCAB.length * labels);
  for (const [word, weights] of Object.entries(spec.weights)) {
    const id = tinyTokenId(word);
    if (id < 0) throw new Error(`"${word}" is not in the tiny vocabulary`);
    weights.forEach((w, l) => (table[id * labels + l] = w));
  }
  const graph = [
    node("Gather", ["weight", "input_ids"], "per_token"), // [batch, seq, labels]
    node("Cast", ["token_type_ids"], "segment", [intAttribute("to", FLOAT)]),
    node("Cast", ["attention_mask"], "mask", [intAttribute("to", FLOAT)]),
    node("Mul", ["segment", "mask"], "counted"), // [batch, seq]
    node("Unsqueeze", ["counted", "last_axis"], "counted3"), // [batch, seq, 1]
    node("Mul", ["per_token", "counted3"], "kept"),
    node("ReduceSum", ["kept", "seq_axis"], "summed", [intAttribute("keepdims", 0)]),
    node("Add", ["summed", "bias"], "logits"), // [batch, labels]
    str(2, "tiny_cross_encoder"),
    initializer("weight", [VOCAB.length, labels], table),
    initializer("bias", [labels], Float32Array.from(spec.bias)),
    initializer("last_axis", [1], BigInt64Array.from([2n])),
    initializer("seq_axis", [1], BigInt64Array.from([1n])),
    valueInfo(11, "input_ids", INT64, ["batch", "sequence"]),
    valueInfo(11, "attention_mask", INT64, ["batch", "sequence"]),
    valueInfo(11, "token_type_ids", INT64, ["batch", "sequence"]),
    valueInfo(12, "logits", FLOAT, ["batch", labels]),
  ];
  // ir_version 8, opset 13 (where Unsqueeze and ReduceSum take their axes as inputs).
  return Buffer.concat([
    int(1, 8),
    str(2, "verity-tests"),
    msg(7, ...graph),
    msg(8, str(1, ""), int(2, 13)),
  ]);
}
