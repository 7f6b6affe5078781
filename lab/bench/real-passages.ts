import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { glob } from "tinyglobby";
import { chunkText } from "../../ingest/chunk.ts";
import { normaliseText } from "../../ingest/normalise.ts";
import { abstractText, chunkLines } from "../corpora/scifact.ts";
import { resolveDataset } from "../shared/datasets.ts";
import { createRng, shuffled } from "../shared/rng.ts";
import { splitSentences } from "../../src/text/sentences.ts";

/** A passage of real text, chunked as ingestion chunks its corpus. */
export type Passage = {
  id: string;
  corpus: "sources" | "squad2" | "scifact" | "composed";
  text: string;
};

const SOURCES = fileURLToPath(new URL("../../sources", import.meta.url));

/**
 * Every chunk of the three real corpora: the bundled sample sources and SQuAD paragraphs through
 * the default chunker, SciFact abstracts in whole lines (as eval ingests them).
 */
export async function loadRealPassages(): Promise<Passage[]> {
  const out: Passage[] = [];
  for (const path of (await glob(["**/*.{md,txt,html}"], { cwd: SOURCES })).sort()) {
    const text = normaliseText(await readFile(join(SOURCES, path), "utf8"));
    for (const c of chunkText(text))
      out.push({ id: `src:${path}:${c.ordinal}`, corpus: "sources", text: c.text });
  }
  const squad = JSON.parse(await readFile(resolveDataset("squad2"), "utf8")) as {
    data: { title: string; paragraphs: { context: string }[] }[];
  };
  for (const a of squad.data)
    a.paragraphs.forEach((p, i) => {
      for (const c of chunkText(normaliseText(p.context)))
        out.push({ id: `squad:${a.title}:${i}:${c.ordinal}`, corpus: "squad2", text: c.text });
    });
  const lines = (await readFile(resolveDataset("scifactCorpus"), "utf8")).split("\n");
  for (const line of lines) {
    if (!line.trim()) continue;
    const doc = JSON.parse(line) as { doc_id: number; title: string; abstract: string[] };
    if (doc.abstract.length === 0) continue;
    for (const c of chunkLines(abstractText(doc)))
      out.push({ id: `scifact:${doc.doc_id}:${c.ordinal}`, corpus: "scifact", text: c.text });
  }
  return out;
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
