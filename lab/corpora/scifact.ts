import { readFile } from "node:fs/promises";
import { z } from "zod";
import type { ChunkSpan } from "../../ingest/chunk.ts";
import { normaliseText } from "../../ingest/normalise.ts";
import type { CitedSpan, CorpusFile, EvalQuestion, PreparedCorpus } from "./types.ts";

export const SCIFACT_SOURCE_ID = "scifact-corpus";
/** Lines are grouped into chunks of about this many characters; a line is never split. */
export const LINE_CHUNK_CHARS = 500;

const CorpusLine = z.object({
  doc_id: z.number().int(),
  title: z.string(),
  abstract: z.array(z.string()),
});
type Abstract = z.infer<typeof CorpusLine>;

const ClaimLine = z.object({
  id: z.number().int(),
  claim: z.string(),
  evidence: z.record(
    z.string(),
    z.array(z.object({ sentences: z.array(z.number().int()), label: z.string() })),
  ),
  cited_doc_ids: z.array(z.number().int()),
});
type Claim = z.infer<typeof ClaimLine>;

function parseJsonl<T>(text: string, schema: z.ZodType<T>, name: string): T[] {
  return text
    .split("\n")
    .map((line, i) => ({ line, i }))
    .filter(({ line }) => line.trim() !== "")
    .map(({ line, i }) => {
      const parsed = schema.safeParse(JSON.parse(line));
      if (!parsed.success) throw new Error(`${name} line ${i + 1}: ${parsed.error.message}`);
      return parsed.data;
    });
}

export const abstractPath = (docId: number) => `docs/${docId}.txt`;

/** One line as ingestion will store it: normalised, inner line breaks and runs of space folded. */
function asLine(text: string, what: string): string {
  const line = normaliseText(text).replace(/\s+/g, " ");
  if (!line) throw new Error(`${what} is empty after normalisation`);
  return line;
}

/**
 * An abstract as a document: its title on line 0, then given sentence i on line i + 1, so a
 * quote's line number is its sentence index plus one. The text is already in the normalised form
 * ingestion stores, which is checked, so offsets in the store are offsets in this text.
 */
export function abstractText(doc: Abstract): string {
  const lines = [
    asLine(doc.title, `title of ${doc.doc_id}`),
    ...doc.abstract.map((s, i) => asLine(s, `sentence ${i} of ${doc.doc_id}`)),
  ];
  const text = lines.join("\n");
  if (normaliseText(text) !== text) throw new Error(`abstract ${doc.doc_id} does not normalise`);
  return text;
}

/** Chunks of whole lines (given sentences): consecutive lines up to `target` characters. */
export function chunkLines(text: string, target = LINE_CHUNK_CHARS): ChunkSpan[] {
  const spans: { start: number; end: number }[] = [];
  let current: { start: number; end: number } | undefined;
  let start = 0;
  for (const line of text.split("\n")) {
    const end = start + line.length;
    if (line.trim() !== "") {
      if (current && end - current.start <= target) current.end = end;
      else spans.push((current = { start, end }));
    }
    start = end + 1;
  }
  return spans.map((s, ordinal) => ({ ordinal, ...s, text: text.slice(s.start, s.end) }));
}

/** Start offset of every line of `text`. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

export type SentenceRef = { docId: number; sentence: number };

/**
 * The given sentence a citation quotes: the abstract from its path, the sentence from the line
 * its offsets fall on. Null when the citation is not in the corpus as prepared (another source,
 * an unknown path, offsets whose text is not the quote, a quote across lines) or quotes the title.
 */
export function citedSentence(
  cited: CitedSpan,
  texts: ReadonlyMap<number, { text: string; starts: number[] }>,
): SentenceRef | null {
  if (cited.sourceId !== SCIFACT_SOURCE_ID) return null;
  const m = /^docs\/(\d+)\.txt$/.exec(cited.path);
  const doc = m ? texts.get(Number(m[1])) : undefined;
  if (!m || !doc) return null;
  if (doc.text.slice(cited.start, cited.end) !== cited.quote || cited.quote.includes("\n")) {
    return null;
  }
  let line = 0;
  while (line + 1 < doc.starts.length && doc.starts[line + 1]! <= cited.start) line += 1;
  return line === 0 ? null : { docId: Number(m[1]), sentence: line - 1 };
}

export const sentenceKey = (docId: number | string, sentence: number) =>
  `${SCIFACT_SOURCE_ID}:${abstractPath(Number(docId))}#${sentence}`;

/** A claim as a question: answerable when it has rationale sentences, else to be refused. */
export function claimQuestion(claim: Claim): EvalQuestion {
  const goldSentences = Object.entries(claim.evidence).flatMap(([docId, sets]) =>
    sets.flatMap((set) => set.sentences.map((i) => sentenceKey(docId, i))),
  );
  return {
    id: String(claim.id),
    question: claim.claim,
    answerable: goldSentences.length > 0,
    goldAnswers: [],
    goldDocuments: claim.cited_doc_ids.map((id) => `${SCIFACT_SOURCE_ID}:${abstractPath(id)}`),
    goldSentences: [...new Set(goldSentences)],
  };
}

/** SciFact: every abstract one document of one source, sentences kept as given, one per line. */
export async function loadScifact(corpusPath: string, claimsPath: string): Promise<PreparedCorpus> {
  const abstracts = parseJsonl(await readFile(corpusPath, "utf8"), CorpusLine, corpusPath);
  const claims = parseJsonl(await readFile(claimsPath, "utf8"), ClaimLine, claimsPath);
  const texts = new Map<number, { text: string; starts: number[] }>();
  const files: CorpusFile[] = abstracts.map((doc) => {
    const text = abstractText(doc);
    texts.set(doc.doc_id, { text, starts: lineStarts(text) });
    return { path: abstractPath(doc.doc_id), text };
  });
  const questions = claims.map(claimQuestion);
  const unknown = questions.flatMap((q) =>
    (q.goldSentences ?? []).filter((key) => {
      const m = /docs\/(\d+)\.txt#(\d+)$/.exec(key)!;
      const doc = texts.get(Number(m[1]));
      return !doc || Number(m[2]) + 1 >= doc.starts.length;
    }),
  );
  const missingDocs = claims.flatMap((c) => c.cited_doc_ids.filter((id) => !texts.has(id)));
  if (unknown.length > 0 || missingDocs.length > 0) {
    const examples = [...unknown, ...missingDocs.map(String)].slice(0, 5).join(", ");
    throw new Error(`claims cite documents or sentences not in the corpus: ${examples}`);
  }
  return {
    dataset: "scifact",
    manifest: {
      sources: [
        {
          id: SCIFACT_SOURCE_ID,
          name: "SciFact corpus (S2ORC abstracts)",
          publisher: "Semantic Scholar S2ORC, via SciFact (Wadden et al., 2020)",
          uri: "https://github.com/allenai/scifact",
          license: "ODC-By-1.0",
          trust: "reviewed",
          paths: ["docs/*.txt"],
        },
      ],
    },
    files,
    chunking: `lines-${LINE_CHUNK_CHARS}`,
    chunk: (text) => chunkLines(text),
    questions,
    isGold: (question, cited) => {
      const ref = citedSentence(cited, texts);
      return (
        ref !== null &&
        (question.goldSentences ?? []).includes(sentenceKey(ref.docId, ref.sentence))
      );
    },
  };
}
