import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { createSentencePieceTokenizer } from "../../src/retrieval/sentencepiece.ts";
import {
  DEFAULT_STATIC_TABLE,
  readUseLiteVocabulary,
} from "../../src/retrieval/static-embedder.ts";
import {
  createStaticEncoder,
  readStaticTable,
  writeStaticTable,
} from "../../src/retrieval/static-encoder.ts";
import { createUseLiteEmbedder } from "../../src/retrieval/use-lite-embedder.ts";
import { relativeToRoot } from "../shared/datasets.ts";
import { neighbourAgreement, pickRows, rows, type Agreement, type Rows } from "./agreement.ts";
import { bagOfTokens, fitRidge } from "./fit.ts";
import { embedSingleTokens } from "./single-token.ts";
import { embedTargets, TARGET_CACHE_DIR } from "./targets.ts";
import { loadEncoderTexts, TEXT_BUDGET, type EncoderText } from "./texts.ts";

/**
 * `npm run encoder:build`: distil USE-lite into a static token table (policy/encoders/), from the
 * installed model package and the shared datasets' texts only. Deterministic: the same package
 * and datasets give the same file. `--sweep` first picks lambda on validation documents.
 */
const NAME = "use-lite-static-v1";
// Chosen by --sweep on validation documents (top-10 overlap 0.324, 0.329, 0.338, 0.348, 0.343 at
// 0.0003 ... 0.03); the committed table is this lambda's.
const DEFAULT_LAMBDA = 0.01;
const ITERATIONS = 60;
const SWEEP = [0.0003, 0.001, 0.003, 0.01, 0.03];

const { values } = parseArgs({
  args: process.argv.slice(2),
  options: {
    sweep: { type: "boolean", default: false },
    lambda: { type: "string" },
    out: { type: "string", default: DEFAULT_STATIC_TABLE },
  },
});
const log = (line: string) => console.error(line);

const texts = loadEncoderTexts();
const { vocabulary, sha256: vocabSha256 } = readUseLiteVocabulary();
const tokenizer = createSentencePieceTokenizer(vocabulary);
const useLite = await createUseLiteEmbedder({ workers: 2, documentsOffMainThread: true });
const targetData = await embedTargets(
  useLite,
  texts.map((t) => t.text),
  log,
);
const dim = useLite.dimension;
const modelId = useLite.modelId;
await useLite.close();
const targets = rows(targetData, dim);
const single = await singleTokenTable(vocabulary.length, modelId);
const tokenized = texts.map((t) => tokenizer.encode(t.text));

const where = (test: (t: EncoderText) => boolean) => texts.flatMap((t, i) => (test(t) ? [i] : []));
const split = (test: (t: EncoderText) => boolean) => ({
  queries: where((t) => test(t) && t.kind === "sentence"),
  passages: where((t) => test(t) && t.kind === "chunk"),
});

function encodeAll(table: Float32Array, indexes: number[]): Rows {
  const encoder = createStaticEncoder(
    { rows: table, header: { dimension: dim, vocabSize: vocabulary.length } },
    tokenizer,
  );
  const out = new Float32Array(indexes.length * dim);
  indexes.forEach((i, j) => out.set(encoder.encode(texts[i]!.text), j * dim));
  return rows(out, dim);
}

function agreement(table: Float32Array, on: { queries: number[]; passages: number[] }): Agreement {
  return neighbourAgreement(
    { queries: pickRows(targets, on.queries), passages: pickRows(targets, on.passages) },
    { queries: encodeAll(table, on.queries), passages: encodeAll(table, on.passages) },
  );
}

function fit(trainOn: number[], lambda: number): Float32Array {
  const a = bagOfTokens(
    trainOn.map((i) => tokenized[i]!),
    vocabulary.length,
  );
  const y = pickRows(targets, trainOn).data;
  return fitRidge(a, y, single, dim, { lambda, iterations: ITERATIONS, log }).table;
}

const format = (a: Agreement) =>
  `top-1 ${a.top1}/${a.queries}, top-10 overlap ${a.overlap10.toFixed(3)}, cosine ${a.meanCosine.toFixed(3)}`;

let lambda = values.lambda === undefined ? DEFAULT_LAMBDA : Number(values.lambda);
const sweep: Record<string, Agreement> = {};
if (values.sweep) {
  const validation = split((t) => !t.heldOut && t.validation);
  const fitOn = where((t) => !t.heldOut && !t.validation);
  for (const candidate of SWEEP) {
    sweep[candidate] = agreement(fit(fitOn, candidate), validation);
    log(`sweep lambda=${candidate}: ${format(sweep[candidate])}`);
  }
  lambda = Number(Object.entries(sweep).sort((a, b) => b[1].overlap10 - a[1].overlap10)[0]![0]);
}

const heldOut = split((t) => t.heldOut);
const table = fit(
  where((t) => !t.heldOut),
  lambda,
);
const header = {
  name: NAME,
  dimension: dim,
  vocabSize: vocabulary.length,
  vocabSha256,
  build: {
    teacher: modelId,
    texts: TEXT_BUDGET,
    lambda,
    iterations: ITERATIONS,
    prior: "USE-lite vector of each token alone",
    heldOut: {} as Record<string, Agreement>,
  },
};
const bytes = writeStaticTable(header, table);
const quantized = readStaticTable(bytes).rows;
const results = {
  "single-token table": agreement(single, heldOut),
  [`ridge, lambda ${lambda} (float32)`]: agreement(table, heldOut),
  [`ridge, lambda ${lambda} (int8, as committed)`]: agreement(quantized, heldOut),
};
header.build.heldOut = results;
const final = writeStaticTable(header, table);
await mkdir(dirname(values.out), { recursive: true });
await writeFile(values.out, final);

console.log(`held-out agreement with ${modelId} (sentences as queries against chunks):`);
for (const [name, a] of Object.entries(results)) console.log(`  ${name}: ${format(a)}`);
console.log(
  `wrote ${relativeToRoot(values.out)}: ${(final.length / 1e6).toFixed(2)} MB, ` +
    `${vocabulary.length} x ${dim} int8 + row scales`,
);

/** The single-token table, cached beside the targets (8k model calls of one token each). */
async function singleTokenTable(vocabSize: number, teacher: string): Promise<Float32Array> {
  const file = join(TARGET_CACHE_DIR, `single-${teacher}-${vocabSize}.f32`);
  if (existsSync(file)) return new Float32Array((await readFile(file)).buffer.slice(0));
  const table = await embedSingleTokens(vocabSize, log);
  await writeFile(file, table);
  return table;
}
