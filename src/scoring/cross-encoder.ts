import { createHash } from "node:crypto";
import { createReadStream, existsSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { basename, join, resolve } from "node:path";
import type { Tensor } from "@huggingface/transformers";
import { z } from "zod";

/**
 * A neural verifier that reads the question and a sentence together and says how likely the
 * sentence answers it (or, for an NLI model, entails it), as a probability in [0, 1].
 */
export type CrossEncoder = {
  /** `cross-encoder:<directory name>@<first 12 hex of the ONNX file's sha256>`: names the weights. */
  id: string;
  /** One probability per sentence, in the sentences' order. */
  score(question: string, sentences: string[]): Promise<number[]>;
};

/** What a model directory holds: a Hugging Face model in the transformers.js layout. */
export const MODEL_FILES = [
  "config.json",
  "tokenizer.json",
  "tokenizer_config.json",
  "onnx/model.onnx",
] as const;

/** BERT-family encoders have 512 positions: a longer pair is cut at its end. */
const MAX_PAIR_TOKENS = 512;

/** The part of config.json the probability mapping reads. */
const ModelConfig = z.object({ id2label: z.record(z.string(), z.string()).optional() });

export class CrossEncoderError extends Error {
  override name = "CrossEncoderError";
}

/**
 * Logits to the probability that a sentence answers (or entails) the question, row by row:
 * - one logit per pair (MS MARCO relevance cross-encoders): its sigmoid;
 * - several labels (NLI cross-encoders): the softmax probability of the label config.json's
 *   id2label names "entailment" (any case), or of the last label when none is so named, as
 *   two-label "not answered / answered" classifiers put the positive class last.
 */
export function probabilitiesFromLogits(
  logits: ArrayLike<number>,
  labels: number,
  config: z.infer<typeof ModelConfig> = {},
): number[] {
  if (labels < 1 || logits.length % labels !== 0)
    throw new CrossEncoderError(`${logits.length} logits do not split into rows of ${labels}`);
  const named = Object.entries(config.id2label ?? {}).find(
    ([, label]) => label.toLowerCase() === "entailment",
  );
  const positive = named ? Number(named[0]) : labels - 1;
  if (!Number.isInteger(positive) || positive < 0 || positive >= labels)
    throw new CrossEncoderError(`label ${named?.[0]} is not one of the model's ${labels} outputs`);
  const out: number[] = [];
  for (let row = 0; row < logits.length; row += labels) {
    const values = Array.from({ length: labels }, (_, l) => logits[row + l]!);
    if (labels === 1) {
      out.push(1 / (1 + Math.exp(-values[0]!)));
      continue;
    }
    // Shifted by the largest logit so exp cannot overflow.
    const top = Math.max(...values);
    const exps = values.map((v) => Math.exp(v - top));
    out.push(exps[positive]! / exps.reduce((a, b) => a + b, 0));
  }
  return out;
}

async function sha256Of(path: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/**
 * Load the cross-encoder in `dir`, from disk only: nothing is downloaded, and a missing file or
 * a model the runtime cannot read fails here, at start-up, not on the first question.
 */
export async function loadCrossEncoder(dir: string): Promise<CrossEncoder> {
  // Absolute, so the library reads the directory itself and never takes it for a hub model id.
  const root = resolve(dir);
  const missing = MODEL_FILES.filter((file) => !existsSync(join(root, file)));
  if (missing.length > 0)
    throw new CrossEncoderError(`${root} is not a model directory: missing ${missing.join(", ")}`);
  try {
    const config = ModelConfig.parse(JSON.parse(await readFile(join(root, "config.json"), "utf8")));
    // Imported here, not at the top: the library and its ONNX runtime cost start-up time and
    // memory that a server without a cross-encoder should not pay.
    const { AutoModelForSequenceClassification, AutoTokenizer, env } =
      await import("@huggingface/transformers");
    env.allowRemoteModels = false;
    const options = { local_files_only: true } as const;
    const [tokenizer, model, digest] = await Promise.all([
      AutoTokenizer.from_pretrained(root, options),
      AutoModelForSequenceClassification.from_pretrained(root, {
        ...options,
        dtype: "fp32",
        device: "cpu",
      }),
      sha256Of(join(root, "onnx", "model.onnx")),
    ]);
    return {
      id: `cross-encoder:${basename(root)}@${digest.slice(0, 12)}`,
      async score(question, sentences) {
        if (sentences.length === 0) return [];
        // Pairs, as the model was trained: [CLS] question [SEP] sentence [SEP], and for BERT the
        // sentence's tokens typed 1. One padded batch: a question's candidates are few.
        const inputs = tokenizer(
          sentences.map(() => question),
          { text_pair: sentences, padding: true, truncation: true, max_length: MAX_PAIR_TOKENS },
        );
        const { logits } = (await model(inputs)) as { logits: Tensor };
        const labels = logits.dims[1] ?? 1;
        return probabilitiesFromLogits(Array.from(logits.data as Float32Array), labels, config);
      },
    };
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new CrossEncoderError(`could not load the model in ${root}: ${reason}`, {
      cause: error,
    });
  }
}
