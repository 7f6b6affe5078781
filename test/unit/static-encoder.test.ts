import { EmbeddingsModel } from "@energetic-ai/embeddings";
import { describe, expect, it } from "vitest";
import { createSentencePieceTokenizer } from "../../src/retrieval/sentencepiece.ts";
import {
  createStaticEmbedder,
  readUseLiteVocabulary,
} from "../../src/retrieval/static-embedder.ts";
import { readStaticTable, writeStaticTable } from "../../src/retrieval/static-encoder.ts";
import { dot } from "../../src/retrieval/vector-math.ts";

const norm = (v: Float32Array) => Math.sqrt(dot(v, v));

describe("the SentencePiece tokenizer", () => {
  it("gives the ids USE-lite's own tokenizer gives, quirks included", () => {
    const { vocabulary } = readUseLiteVocabulary();
    // The package's tokenizer, without loading the model.
    const reference = new EmbeddingsModel({
      vocabulary: vocabulary as never,
      model: null as never,
    });
    const fast = createSentencePieceTokenizer(vocabulary);
    for (const text of [
      "How much does the Basic plan cost?",
      "Deleted files are kept in the trash for 30 days.\nThen they are purged.",
      "  two  spaces,\ttabs and ﬁ ligatures (NFKC) ",
      "Émigré naïveté, 日本語, emoji 😀 and 𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
      "x",
    ]) {
      expect(fast.encode(text)).toEqual(reference.tokenizer.encode(text));
    }
  });
});

describe("the static embedder", () => {
  const embedder = createStaticEmbedder();

  it("names its table and gives unit vectors of its dimension, zero for blank text", async () => {
    expect(embedder.modelId).toMatch(/^use-lite-static-v1@[0-9a-f]{12}$/);
    expect(embedder.dimension).toBe(512);
    const [a, blank] = await embedder.embedDocuments(["Passwords must be 12 characters.", " \n"]);
    expect(a).toHaveLength(512);
    expect(norm(a!)).toBeCloseTo(1, 5);
    expect(norm(blank!)).toBe(0);
  });

  it("is deterministic: the same text gives the same bits, as query or document", async () => {
    const text = "The Basic plan costs $8 per user per month, billed annually.";
    const again = createStaticEmbedder();
    const [document] = await embedder.embedDocuments([text]);
    expect(await again.embedQuery(text)).toEqual(document);
  });

  it("puts a paraphrase closer than an unrelated sentence", async () => {
    const [question, paraphrase, unrelated] = await embedder.embedDocuments([
      "How long does a password reset link stay valid?",
      "Password reset links expire after 24 hours.",
      "The desktop client supports Windows and macOS.",
    ]);
    expect(dot(question!, paraphrase!)).toBeGreaterThan(dot(question!, unrelated!));
  });

  it("embeds documents on a worker thread, when asked, to the same bits in the same order", async () => {
    const offThread = createStaticEmbedder({ documentsOffMainThread: true });
    try {
      // More texts than one message to the worker carries, so batches come back in order.
      const texts = Array.from({ length: 300 }, (_, i) =>
        i % 7 === 0 ? " " : `Sentence ${i}: refunds within ${i} days of purchase.`,
      );
      const [inProcess, worker] = await Promise.all([
        embedder.embedDocuments(texts),
        offThread.embedDocuments(texts),
      ]);
      expect(worker).toHaveLength(texts.length);
      worker.forEach((v) => expect(v).toBeInstanceOf(Float32Array));
      expect(worker).toEqual(inProcess);
      expect(offThread.modelId).toBe(embedder.modelId);
    } finally {
      await offThread.close();
    }
  });

  it("refuses to embed once closed", async () => {
    const closing = createStaticEmbedder();
    await closing.close();
    await expect(closing.embedQuery("x")).rejects.toThrow(/closed/);
  });
});

describe("the table file", () => {
  it("round-trips through int8 with each row within a 1/254 step of its largest value", () => {
    const header = { name: "t", dimension: 3, vocabSize: 2, vocabSha256: "x", build: {} };
    const rows = Float32Array.of(0.5, -0.25, 0.125, 0, 0, 0);
    const table = readStaticTable(writeStaticTable(header, rows));
    expect(table.header).toEqual(header);
    rows.forEach((v, i) => expect(Math.abs(table.rows[i]! - v)).toBeLessThanOrEqual(0.5 / 254));
    expect(() => readStaticTable(writeStaticTable(header, rows).subarray(0, 40))).toThrow();
  });
});
