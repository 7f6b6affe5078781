import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { z } from "zod";
import type { EvalCorpus, EvalQuestion } from "./types.ts";

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

/**
 * SQuAD 2.0 as an evaluation corpus: every paragraph becomes a text document of its article's
 * source, written under `dir` with a manifest so it goes through the real ingestion pipeline.
 */
export async function prepareSquad(dataPath: string, dir: string): Promise<EvalCorpus> {
  const file = SquadFile.parse(JSON.parse(await readFile(dataPath, "utf8")));
  const sources = [];
  const questions: EvalQuestion[] = [];
  for (const article of file.data) {
    const sourceId = articleSourceId(article.title);
    const folder = join(dir, "docs", sourceId);
    await mkdir(folder, { recursive: true });
    for (const [i, paragraph] of article.paragraphs.entries()) {
      await writeFile(join(folder, `p${String(i).padStart(3, "0")}.txt`), paragraph.context);
      for (const qa of paragraph.qas) {
        const answerable = !qa.is_impossible && qa.answers.length > 0;
        questions.push({
          id: qa.id,
          question: qa.question,
          answerable,
          goldAnswers: answerable ? [...new Set(qa.answers.map((a) => a.text))] : [],
          goldDocuments: [`${sourceId}:docs/${sourceId}/p${String(i).padStart(3, "0")}.txt`],
        });
      }
    }
    sources.push({
      id: sourceId,
      name: article.title.replaceAll("_", " "),
      publisher: "Wikipedia (via SQuAD 2.0)",
      uri: `https://en.wikipedia.org/wiki/${article.title}`,
      license: "CC-BY-SA-4.0",
      trust: "reviewed" as const,
      paths: [`docs/${sourceId}/*.txt`],
    });
  }
  const manifestPath = join(dir, "sources.json");
  await writeFile(manifestPath, JSON.stringify({ sources }, null, 2));
  return { manifestPath, questions };
}
