import { readFile } from "node:fs/promises";
import { z } from "zod";
import type { SourceSpec } from "../../ingest/manifest.ts";
import type { CorpusFile, EvalQuestion, PreparedCorpus } from "./types.ts";

const SquadFile = z.object({
  data: z.array(
    z.object({
      title: z.string(),
      paragraphs: z.array(
        z.object({
          context: z.string(),
          qas: z.array(
            z.object({
              id: z.string(),
              question: z.string(),
              is_impossible: z.boolean().optional(),
              answers: z.array(z.object({ text: z.string() })),
            }),
          ),
        }),
      ),
    }),
  ),
});

/** Source ids must be manifest-safe: lowercase, digits and dashes. */
export function articleSourceId(title: string): string {
  return `squad-${title
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")}`.slice(0, 63);
}

const squash = (s: string) => s.replace(/\s+/g, " ").trim().toLowerCase();

/** SQuAD's rule, as before: a cited quote is correct when it contains one of the gold answers. */
export function quoteHasAnswer(quote: string, goldAnswers: string[]): boolean {
  const q = squash(quote);
  return goldAnswers.some((g) => q.includes(squash(g)));
}

/**
 * SQuAD 2.0 as an evaluation corpus: every paragraph becomes a text document of its article's
 * source, so it goes through the real ingestion pipeline with the default chunking. Nothing is
 * written: writeCorpus does that, for the eval store and the bench alike.
 */
export async function prepareSquad(dataPath: string): Promise<PreparedCorpus> {
  const file = SquadFile.parse(JSON.parse(await readFile(dataPath, "utf8")));
  const sources: SourceSpec[] = [];
  const files: CorpusFile[] = [];
  const questions: EvalQuestion[] = [];
  for (const article of file.data) {
    const sourceId = articleSourceId(article.title);
    for (const [i, paragraph] of article.paragraphs.entries()) {
      const path = `docs/${sourceId}/p${String(i).padStart(3, "0")}.txt`;
      files.push({ path, text: paragraph.context });
      for (const qa of paragraph.qas) {
        const answerable = !qa.is_impossible && qa.answers.length > 0;
        questions.push({
          id: qa.id,
          question: qa.question,
          answerable,
          goldAnswers: answerable ? [...new Set(qa.answers.map((a) => a.text))] : [],
          goldDocuments: [`${sourceId}:${path}`],
        });
      }
    }
    sources.push({
      id: sourceId,
      name: article.title.replaceAll("_", " "),
      publisher: "Wikipedia (via SQuAD 2.0)",
      uri: `https://en.wikipedia.org/wiki/${article.title}`,
      license: "CC-BY-SA-4.0",
      trust: "reviewed",
      paths: [`docs/${sourceId}/*.txt`],
    });
  }
  return {
    dataset: "squad2",
    manifest: { sources },
    files,
    chunking: "default",
    questions,
    isGold: (question, cited) => quoteHasAnswer(cited.quote, question.goldAnswers),
  };
}
