import { createHash } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../../src/config.ts";
import { createDeps, loadConfiguredCrossEncoder } from "../../src/deps.ts";
import {
  CrossEncoderError,
  loadCrossEncoder,
  probabilitiesFromLogits,
  type CrossEncoder,
} from "../../src/scoring/cross-encoder.ts";
import type { ScoredSentence } from "../../src/scoring/evidence.ts";
import { rescoreWithCrossEncoder } from "../../src/scoring/rescore.ts";
import { createTinyCrossEncoder } from "../support/tiny-cross-encoder.ts";

const sigmoid = (x: number) => 1 / (1 + Math.exp(-x));
const softmaxAt = (logits: number[], i: number) =>
  Math.exp(logits[i]!) / logits.reduce((sum, l) => sum + Math.exp(l), 0);

/** One relevance logit: bias -1, +2 for "costs", +1.5 for "eight", -3 for "refund". */
const RELEVANCE = {
  labels: ["LABEL_0"],
  weights: { costs: [2], eight: [1.5], refund: [-3] },
  bias: [-1],
};
/** Three NLI labels in the order cross-encoder/nli-* models use. */
const NLI = {
  labels: ["contradiction", "entailment", "neutral"],
  weights: { not: [3, 0, 0], costs: [0, 2, 0], free: [0, 0, 1] },
  bias: [0, 0, 0.5],
};

const QUESTION = "What does the Basic plan cost?";
const ANSWER = "The Basic plan costs eight dollars.";
const OFF_TOPIC = "A refund is free.";

let relevanceModel: Awaited<ReturnType<typeof createTinyCrossEncoder>>;
let nliModel: Awaited<ReturnType<typeof createTinyCrossEncoder>>;
let relevance: CrossEncoder;
let nli: CrossEncoder;
const requests: string[] = [];

beforeAll(async () => {
  // Any request the library makes would be recorded and refused: loading must stay on disk.
  const { env } = await import("@huggingface/transformers");
  env.fetch = async (input: string | URL | Request) => {
    requests.push(String(input));
    throw new Error("no network in tests");
  };
  relevanceModel = await createTinyCrossEncoder(RELEVANCE);
  nliModel = await createTinyCrossEncoder(NLI);
  [relevance, nli] = await Promise.all([
    loadCrossEncoder(relevanceModel.dir),
    loadCrossEncoder(nliModel.dir),
  ]);
});

afterAll(async () => {
  await relevanceModel?.remove();
  await nliModel?.remove();
});

describe("loadCrossEncoder", () => {
  it("loads a model directory from disk alone and names it by its weights' hash", async () => {
    const onnx = await readFile(join(relevanceModel.dir, "onnx", "model.onnx"));
    const digest = createHash("sha256").update(onnx).digest("hex");
    expect(relevance.id).toBe(`cross-encoder:tiny-cross-encoder@${digest.slice(0, 12)}`);
    expect(nli.id).not.toBe(relevance.id);
    expect(await relevance.score(QUESTION, [ANSWER])).toHaveLength(1);
    expect(requests).toEqual([]);
  });

  it("names the files a directory lacks", async () => {
    const dir = join(relevanceModel.dir, "..", "incomplete");
    await mkdir(dir, { recursive: true });
    await writeFile(join(dir, "config.json"), "{}");
    await expect(loadCrossEncoder(dir)).rejects.toThrow(
      /is not a model directory: missing tokenizer\.json, tokenizer_config\.json, onnx\/model\.onnx$/,
    );
  });

  it("fails at load time on weights the runtime cannot read", async () => {
    const broken = await createTinyCrossEncoder(RELEVANCE);
    try {
      await writeFile(join(broken.dir, "onnx", "model.onnx"), "not a model");
      const error = await loadCrossEncoder(broken.dir).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(CrossEncoderError);
      expect((error as Error).message).toMatch(
        /^could not load the model in .*tiny-cross-encoder: /,
      );
    } finally {
      await broken.remove();
    }
  });
});

describe("CrossEncoder.score", () => {
  it("maps a single relevance logit through the sigmoid", async () => {
    const scores = await relevance.score(QUESTION, [ANSWER, OFF_TOPIC, "Costs."]);
    // "costs" + "eight" - 1; "refund" - 1; "costs" - 1.
    expect(scores[0]).toBeCloseTo(sigmoid(2.5), 5);
    expect(scores[1]).toBeCloseTo(sigmoid(-4), 5);
    expect(scores[2]).toBeCloseTo(sigmoid(1), 5);
  });

  it("reads the question and the sentence as a pair: only the sentence's tokens count", async () => {
    // The weighted words in the question (segment 0) add nothing; in the sentence they do.
    const [asQuestion] = await relevance.score("Costs eight?", ["Monthly data."]);
    const [asSentence] = await relevance.score("Monthly data?", ["Costs eight."]);
    expect(asQuestion).toBeCloseTo(sigmoid(-1), 5);
    expect(asSentence).toBeCloseTo(sigmoid(2.5), 5);
  });

  it("scores a padded batch as it scores each sentence alone", async () => {
    const sentences = [OFF_TOPIC, "Costs.", ANSWER];
    const together = await relevance.score(QUESTION, sentences);
    const alone = await Promise.all(
      sentences.map(async (s) => (await relevance.score(QUESTION, [s]))[0]),
    );
    together.forEach((p, i) => expect(p).toBeCloseTo(alone[i]!, 6));
    expect(await relevance.score(QUESTION, [])).toEqual([]);
  });

  it("takes the softmax probability of the entailment label from a three-label model", async () => {
    const scores = await nli.score(QUESTION, [ANSWER, "It is not free."]);
    expect(scores[0]).toBeCloseTo(softmaxAt([0, 2, 0.5], 1), 5);
    expect(scores[1]).toBeCloseTo(softmaxAt([3, 0, 1.5], 1), 5);
  });
});

describe("probabilitiesFromLogits", () => {
  it("finds the entailment label in any case, else takes the last label", () => {
    const logits = [1, 2, 0.5, 3, 0, 0];
    const named = { id2label: { "0": "ENTAILMENT", "1": "neutral", "2": "contradiction" } };
    expect(probabilitiesFromLogits(logits, 3, named)).toEqual([
      expect.closeTo(softmaxAt([1, 2, 0.5], 0), 12),
      expect.closeTo(softmaxAt([3, 0, 0], 0), 12),
    ]);
    const unnamed = { id2label: { "0": "no", "1": "yes" } };
    expect(probabilitiesFromLogits([0, 1], 2, unnamed)[0]).toBeCloseTo(softmaxAt([0, 1], 1), 12);
    expect(probabilitiesFromLogits([0, 1], 2)[0]).toBeCloseTo(softmaxAt([0, 1], 1), 12);
  });

  it("stays finite on large logits and rejects a ragged batch", () => {
    expect(probabilitiesFromLogits([1000, 0], 2)).toEqual([0]);
    expect(probabilitiesFromLogits([-1000], 1)).toEqual([0]);
    expect(probabilitiesFromLogits([0, 1000], 2)).toEqual([1]);
    expect(() => probabilitiesFromLogits([1, 2, 3], 2)).toThrow(CrossEncoderError);
  });
});

/** Only `text` and `score` matter to re-scoring; the rest of a sentence rides along untouched. */
const sentence = (text: string, score: number) =>
  ({ text, score, heuristicScore: score }) as unknown as ScoredSentence;

describe("rescoreWithCrossEncoder", () => {
  it("re-scores the best `depth` sentences and zeroes the rest, best first", async () => {
    const input = [
      sentence("Costs.", 0.4),
      sentence(OFF_TOPIC, 0.9),
      sentence("Data is encrypted.", 0.1),
      sentence(ANSWER, 0.5),
    ];
    const out = await rescoreWithCrossEncoder(relevance, QUESTION, input, 2);
    expect(out.map((s) => [s.text, s.score])).toEqual([
      [ANSWER, expect.closeTo(sigmoid(2.5), 5)],
      [OFF_TOPIC, expect.closeTo(sigmoid(-4), 5)],
      // Not read by the model: 0, in their old order.
      ["Costs.", 0],
      ["Data is encrypted.", 0],
    ]);
    expect(out[0]!.heuristicScore).toBe(0.5);
    expect(input.map((s) => s.score)).toEqual([0.4, 0.9, 0.1, 0.5]);
  });

  it("sends the model only the shortlist, and checks what comes back", async () => {
    const seen: string[][] = [];
    const fake: CrossEncoder = {
      id: "fake",
      score: async (_q, sentences) => (seen.push(sentences), sentences.map(() => 0.5)),
    };
    await rescoreWithCrossEncoder(fake, QUESTION, [sentence("a", 0.2), sentence("b", 0.7)], 1);
    expect(seen).toEqual([["b"]]);
    const short: CrossEncoder = { id: "short", score: async () => [] };
    await expect(rescoreWithCrossEncoder(short, QUESTION, [sentence("a", 1)], 3)).rejects.toThrow(
      "short returned 0 scores for 1 sentences",
    );
    await expect(rescoreWithCrossEncoder(fake, QUESTION, [], 0)).rejects.toThrow(RangeError);
  });
});

describe("VERITY_VERIFIER_MODEL", () => {
  it("is off unless set, and loads the directory it names", async () => {
    expect(await loadConfiguredCrossEncoder(loadConfig({}))).toBeNull();
    const loaded = await loadConfiguredCrossEncoder(
      loadConfig({ VERITY_VERIFIER_MODEL: relevanceModel.dir }),
    );
    expect(loaded?.id).toBe(relevance.id);
  });

  it("stops start-up with a ConfigError naming the variable when the directory is missing", async () => {
    const config = loadConfig({
      VERITY_VERIFIER_MODEL: join(relevanceModel.dir, "..", "no-such-model"),
      VERITY_DATA_DIR: join(relevanceModel.dir, "..", "data"),
      LOG_LEVEL: "silent",
    });
    const error = await createDeps(config).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as Error).message).toMatch(
      /^Invalid configuration: VERITY_VERIFIER_MODEL: .*no-such-model is not a model directory: missing config\.json/,
    );
  });

  it("reads the threshold as a decimal in [0, 1]", () => {
    expect(loadConfig({ VERITY_VERIFIER_THRESHOLD: "0.7" }).VERITY_VERIFIER_THRESHOLD).toBe(0.7);
    expect(loadConfig({}).VERITY_VERIFIER_THRESHOLD).toBeUndefined();
    expect(() => loadConfig({ VERITY_VERIFIER_THRESHOLD: "1.5" })).toThrow(
      /→ at VERITY_VERIFIER_THRESHOLD/,
    );
  });
});
