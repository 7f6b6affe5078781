import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { glob } from "tinyglobby";
import { chunkText, type ChunkSpan } from "../../ingest/chunk.ts";
import { loadManifest } from "../../ingest/manifest.ts";
import { normaliseText } from "../../ingest/normalise.ts";
import { loadScifact } from "../corpora/scifact.ts";
import { prepareSquad } from "../corpora/squad.ts";
import type { EvalQuestion } from "../corpora/types.ts";
import { resolveDataset } from "../shared/datasets.ts";
import { createRng, shuffled } from "../../src/rng.ts";
import { splitSentences } from "../../src/text/sentences.ts";

/** A passage of real text, chunked as ingestion chunks its corpus. */
export type Passage = {
  id: string;
  corpus: "sources" | "squad2" | "scifact" | "composed";
  text: string;
};

export type RealCorpus = "sources" | "squad2" | "scifact";

/** A source row of a real corpus, as its manifest declares it. */
export type RealSource = {
  id: string;
  name: string;
  publisher: string;
  uri: string;
  license: string;
  trust: "authoritative" | "reviewed" | "community";
};

/** A real document in the normalised form ingestion stores, with its chunks' exact spans. */
export type RealDocument = {
  corpus: RealCorpus;
  sourceId: string;
  path: string;
  title: string;
  text: string;
  chunks: ChunkSpan[];
};

/** The three real corpora: their documents, sources and questions (eval's own preparation). */
export type RealCorpora = {
  documents: RealDocument[];
  sources: RealSource[];
  questions: { squad2: EvalQuestion[]; scifact: EvalQuestion[] };
};

const SOURCES = fileURLToPath(new URL("../../sources", import.meta.url));
/** The sample files no manifest source lists (the folder's README) still count as real text. */
const UNLISTED_SOURCE: RealSource = {
  id: "verity-sample-files",
  name: "Verity sample files",
  publisher: "Verity",
  uri: "https://verity.invalid/sources",
  license: "CC-BY-4.0",
  trust: "community",
};

/** `sourceId:path`, as eval names a gold document. */
export const documentKey = (d: { sourceId: string; path: string }) => `${d.sourceId}:${d.path}`;

/**
 * Every document of the three real corpora: the bundled sample sources and SQuAD paragraphs
 * through the default chunker, SciFact abstracts in whole lines (as eval ingests them).
 */
export async function loadRealCorpora(): Promise<RealCorpora> {
  const documents: RealDocument[] = [];
  const sources: RealSource[] = [];
  const manifest = await loadManifest(join(SOURCES, "sources.json"));
  const sourceOf = new Map<string, string>();
  for (const spec of manifest.manifest.sources) {
    sources.push(sourceRow(spec));
    for (const path of await glob(spec.paths, { cwd: SOURCES })) sourceOf.set(path, spec.id);
  }
  for (const path of (await glob(["**/*.{md,txt,html}"], { cwd: SOURCES })).sort()) {
    const text = normaliseText(await readFile(join(SOURCES, path), "utf8"));
    const sourceId = sourceOf.get(path) ?? UNLISTED_SOURCE.id;
    documents.push({
      corpus: "sources",
      sourceId,
      path,
      title: path,
      text,
      chunks: chunkText(text),
    });
  }
  if (documents.some((d) => d.sourceId === UNLISTED_SOURCE.id)) sources.push(UNLISTED_SOURCE);

  const squad = await prepareSquad(resolveDataset("squad2"));
  const scifact = await loadScifact(
    resolveDataset("scifactCorpus"),
    resolveDataset("scifactClaims"),
  );
  for (const [corpus, prepared] of [
    ["squad2", squad],
    ["scifact", scifact],
  ] as const) {
    const spec = prepared.manifest.sources;
    sources.push(...spec.map(sourceRow));
    for (const file of prepared.files) {
      const source = spec.find((s) => file.path.startsWith(`docs/${s.id}/`)) ?? spec[0]!;
      const text = normaliseText(file.text);
      const chunks = prepared.chunk ? prepared.chunk(text) : chunkText(text);
      // A SciFact abstract's first line is its title; a SQuAD paragraph has its article's.
      const title = corpus === "scifact" ? text.split("\n", 1)[0]! : source.name;
      documents.push({ corpus, sourceId: source.id, path: file.path, title, text, chunks });
    }
  }
  return {
    documents,
    sources,
    questions: { squad2: squad.questions, scifact: scifact.questions },
  };
}

function sourceRow(spec: RealSource): RealSource {
  const { id, name, publisher, uri, license, trust } = spec;
  return { id, name, publisher, uri, license, trust };
}

/** Every chunk of the three real corpora (21,976 with the public splits), in corpus order. */
export async function loadRealPassages(): Promise<Passage[]> {
  const { documents } = await loadRealCorpora();
  return documents.flatMap((d) =>
    d.chunks.map((c) => ({
      id: `${documentKey(d)}#${c.ordinal}`,
      corpus: d.corpus,
      text: c.text,
    })),
  );
}

/**
 * `count` passages: the real ones first, then new passages composed of real sentences (each a
 * real passage's sentences, shuffled, plus one sentence of another), seeded, to reach a size the
 * public corpora do not have.
 */
export function composePassages(real: Passage[], count: number, seed = 20_240_601): Passage[] {
  const rng = createRng(seed);
  const out = shuffled(real, rng).slice(0, count);
  const pool = real.map((p) => splitSentences(p.text).map((s) => p.text.slice(s.start, s.end)));
  for (let i = 0; out.length < count; i++) {
    const base = shuffled(pool[rng.int(pool.length)]!, rng);
    const lender = pool[rng.int(pool.length)]!;
    const borrowed = lender[rng.int(lender.length)];
    if (borrowed) base.splice(rng.int(base.length + 1), 0, borrowed);
    out.push({ id: `composed:${i}`, corpus: "composed", text: base.join(" ") });
  }
  return out;
}
