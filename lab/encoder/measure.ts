import { loadavg } from "node:os";
import { createSentencePieceTokenizer } from "../../src/retrieval/sentencepiece.ts";
import {
  createStaticEmbedder,
  readUseLiteVocabulary,
} from "../../src/retrieval/static-embedder.ts";
import { createUseLiteEmbedder } from "../../src/retrieval/use-lite-embedder.ts";
import { neighbourAgreement, pickRows, rows } from "./agreement.ts";
import { embedTargets } from "./targets.ts";
import { loadEncoderTexts } from "./texts.ts";

/**
 * `npm run encoder:measure`: both encoders side by side on real text, one core each (USE-lite
 * in-process, no workers): texts per second for sentences and for chunks, and the committed
 * static table's nearest-neighbour agreement with USE-lite on the held-out documents (USE-lite's
 * vectors come from the build's cache, or are embedded once).
 */
const USE_LITE_SAMPLE = 192;
const log = (line: string) => console.error(line);

const texts = loadEncoderTexts().filter((t) => t.heldOut);
const sentences = texts.filter((t) => t.kind === "sentence").map((t) => t.text);
const chunks = texts.filter((t) => t.kind === "chunk").map((t) => t.text);
const staticEmbedder = createStaticEmbedder();
const useLite = await createUseLiteEmbedder({ workers: 0 });

async function rate(embed: (t: string[]) => Promise<unknown>, sample: string[], rounds = 1) {
  await embed(sample.slice(0, 8)); // warm-up: WASM kernels, JIT
  const started = performance.now();
  for (let r = 0; r < rounds; r++) await embed(sample);
  return (sample.length * rounds) / ((performance.now() - started) / 1000);
}

const { vocabulary } = readUseLiteVocabulary();
const tokenizer = createSentencePieceTokenizer(vocabulary);
const tokenizeRate = async (sample: string[]) =>
  rate(async (t) => t.map((x) => tokenizer.encode(x)), sample, 5);

const lines: string[] = [];
for (const [name, sample] of [
  ["sentences", sentences],
  ["chunks", chunks],
] as const) {
  const chars = Math.round(sample.reduce((s, t) => s + t.length, 0) / sample.length);
  const ofStatic = await rate((t) => staticEmbedder.embedDocuments(t), sample, 5);
  const ofTokenizer = await tokenizeRate(sample);
  const ofUseLite = await rate((t) => useLite.embedDocuments(t), sample.slice(0, USE_LITE_SAMPLE));
  lines.push(
    `${name} (${sample.length}, mean ${chars} chars): static ${ofStatic.toFixed(0)}/s ` +
      `(tokenizer alone ${ofTokenizer.toFixed(0)}/s), use-lite ${ofUseLite.toFixed(1)}/s ` +
      `(${USE_LITE_SAMPLE} texts), x${(ofStatic / ofUseLite).toFixed(0)}`,
  );
}
const query = sentences[0]!;
const started = performance.now();
for (let i = 0; i < 1000; i++) await staticEmbedder.embedQuery(query);
lines.push(`static embedQuery: ${((performance.now() - started) / 1000).toFixed(3)} ms a question`);

const all = [...sentences, ...chunks];
const reference = rows(await embedTargets(useLite, all, log), useLite.dimension);
const candidate = rows(new Float32Array(all.length * staticEmbedder.dimension), useLite.dimension);
(await staticEmbedder.embedDocuments(all)).forEach((v, i) => candidate.data.set(v, i * v.length));
const q = sentences.map((_, i) => i);
const p = chunks.map((_, i) => sentences.length + i);
const a = neighbourAgreement(
  { queries: pickRows(reference, q), passages: pickRows(reference, p) },
  { queries: pickRows(candidate, q), passages: pickRows(candidate, p) },
);
lines.push(
  `held-out agreement of ${staticEmbedder.modelId} with ${useLite.modelId} ` +
    `(${a.queries} sentences against ${a.passages} chunks): top-1 ${a.top1}/${a.queries}, ` +
    `top-10 overlap ${a.overlap10.toFixed(3)}, mean cosine ${a.meanCosine.toFixed(3)}`,
);
lines.push(
  `load average during the run: ${loadavg()
    .map((x) => x.toFixed(1))
    .join(" ")}`,
);
await useLite.close();
console.log(lines.join("\n"));
