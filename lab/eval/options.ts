import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { DATASETS, type Dataset } from "../corpora/types.ts";
import { DATASET_PATHS } from "../shared/datasets.ts";

export const USAGE = `Usage:
  npm run eval -- --dataset squad2 --data FILE [options]
  npm run eval -- --dataset scifact --data CLAIMS.jsonl [--corpus CORPUS.jsonl] [options]
  npm run calibrate -- --dataset DATASET --data FILE [--min-precision P | --target-precision P]
                       [--policy PATH] [options]
  npm run calibrate -- --from-reviews [--policy PATH] [--target-precision P] [--out FILE]

Options:
  --limit N            the first N questions by sorted id
  --sample N           a deterministic subset of N, stratified by answerability (hashed ids)
  --store DIR          ingested store to reuse or create (default .verity-eval/<dataset>);
                       its corpus/ folder is rewritten when the corpus changes
  --out FILE           write the JSON report there, and next to it the sweep plot (FILE.svg)
                       and the reliability diagram (FILE.reliability.svg)
  --details FILE       write one JSON line per question (citations, ranked documents)
  --retrieval-depth K  chunks retrieved for the retrieval metrics (default 50; 0: only what
                       answering saw)
  --policy PATH        refusal policy (default VERITY_POLICY, else policy/default.json)
  --encoder NAME       use-lite (default) or static; static's default store is
                       .verity-eval/<dataset>-static (VERITY_ENCODER is not read)
  --corpus FILE        SciFact corpus (default corpus.jsonl next to the claims)

Calibrate writes the threshold and confidence map of questions, or with --dataset scifact those
of claims, and leaves the other half of the policy as it is:
  --min-precision P    the most accurate threshold answering at precision P or more (default 0)
  --target-precision P the lowest threshold answering at precision P or more
With --from-reviews it evaluates nothing and writes no policy: it reports the precision of the
answers reviewers judged (POST /v1/answers/:id/reviews) at every threshold, from the store
DATABASE_URL or VERITY_DATA_DIR names, and the lowest threshold reaching the target precision
(default: the policy's targetPrecision).

The public sets, from the repository root:
  squad2   ${DATASET_PATHS.squad2}
  scifact  ${DATASET_PATHS.scifactClaims} (its corpus.jsonl is next to it)`;

export type EvalOptions = {
  dataset: Dataset;
  data: string;
  corpus: string | undefined;
  limit: number | undefined;
  sample: number | undefined;
  store: string;
  out: string | undefined;
  details: string | undefined;
  retrievalDepth: number;
  policy: string | undefined;
  /** The sentence encoder, as VERITY_ENCODER names it. */
  encoder: "use-lite" | "static";
  minPrecision: number;
  /** Calibrate to the lowest threshold reaching this answered precision, instead. */
  targetPrecision: number | undefined;
};

export class UsageError extends Error {
  override name = "UsageError";
}

function count(value: string | undefined, flag: string, min: number): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min) {
    throw new UsageError(`${flag} must be an integer of at least ${min}, got "${value}"`);
  }
  return Number(value);
}

function precision(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+(\.\d+)?$/.test(value) || Number(value) > 1) {
    throw new UsageError(`${flag} must be a number in 0..1, got "${value}"`);
  }
  return Number(value);
}

export function parseEvalArgs(args: string[]): EvalOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      options: {
        dataset: { type: "string" },
        data: { type: "string" },
        corpus: { type: "string" },
        limit: { type: "string" },
        sample: { type: "string" },
        store: { type: "string" },
        out: { type: "string" },
        details: { type: "string" },
        "retrieval-depth": { type: "string" },
        policy: { type: "string" },
        encoder: { type: "string" },
        "min-precision": { type: "string" },
        "target-precision": { type: "string" },
      },
    }));
  } catch (error) {
    throw new UsageError(`${(error as Error).message}\n${USAGE}`);
  }
  const dataset = DATASETS.find((d) => d === values.dataset);
  if (!dataset || !values.data) throw new UsageError(USAGE);
  if (values.corpus !== undefined && dataset !== "scifact") {
    throw new UsageError("--corpus is only for --dataset scifact");
  }
  if (values.limit !== undefined && values.sample !== undefined) {
    throw new UsageError("--limit and --sample cannot be combined");
  }
  if (values["min-precision"] !== undefined && values["target-precision"] !== undefined) {
    throw new UsageError("--min-precision and --target-precision cannot be combined");
  }
  const minPrecision = precision(values["min-precision"], "--min-precision") ?? 0;
  const encoder = values.encoder ?? "use-lite";
  if (encoder !== "use-lite" && encoder !== "static") {
    throw new UsageError(`--encoder must be use-lite or static, got "${encoder}"`);
  }
  return {
    dataset,
    data: values.data,
    corpus:
      dataset === "scifact"
        ? (values.corpus ?? join(dirname(values.data), "corpus.jsonl"))
        : undefined,
    limit: count(values.limit, "--limit", 1),
    sample: count(values.sample, "--sample", 1),
    // Its own store: a store's unchanged files are never re-embedded by another encoder.
    store:
      values.store ?? join(".verity-eval", encoder === "static" ? `${dataset}-static` : dataset),
    out: values.out,
    details: values.details,
    retrievalDepth: count(values["retrieval-depth"], "--retrieval-depth", 0) ?? 50,
    policy: values.policy,
    encoder,
    minPrecision,
    targetPrecision: precision(values["target-precision"], "--target-precision"),
  };
}
