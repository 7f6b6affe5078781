import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { writeCorpus } from "../corpora/corpus-files.ts";
import { prepareSquad } from "../corpora/squad.ts";
import type { EvalQuestion } from "../corpora/types.ts";
import { createRng, shuffled } from "../../src/rng.ts";

type SquadJson = { data: { title: string; paragraphs: unknown[] }[] };

export type BenchCorpus = { manifestPath: string; paragraphs: number; questions: EvalQuestion[] };

/**
 * The SQuAD file as a manifest plus text files under `dir/corpus`, prepared and written exactly as
 * eval's stores are, so the real pipeline discovers and loads them. With `maxParagraphs`, the
 * first paragraphs of every article are kept, so a small corpus still spans every topic.
 */
export async function buildSquadCorpus(
  dataPath: string,
  dir: string,
  maxParagraphs?: number,
): Promise<BenchCorpus> {
  await mkdir(dir, { recursive: true });
  const squad = JSON.parse(await readFile(dataPath, "utf8")) as SquadJson;
  const total = squad.data.reduce((n, a) => n + a.paragraphs.length, 0);
  let source = dataPath;
  let paragraphs = total;
  if (maxParagraphs !== undefined && maxParagraphs < total) {
    const perArticle = Math.ceil(maxParagraphs / squad.data.length);
    const data = squad.data.map((a) => ({ ...a, paragraphs: a.paragraphs.slice(0, perArticle) }));
    paragraphs = data.reduce((n, a) => n + a.paragraphs.length, 0);
    source = join(dir, "squad-subset.json");
    await writeFile(source, JSON.stringify({ ...squad, data }));
  }
  const prepared = await prepareSquad(source);
  const manifestPath = await writeCorpus(prepared, join(dir, "corpus"));
  return { manifestPath, paragraphs, questions: prepared.questions };
}

/** A fixed, seeded sample of question texts (answerable and unanswerable alike). */
export function sampleQuestions(questions: EvalQuestion[], count: number, seed = 7): string[] {
  const ordered = [...questions].sort((a, b) => (a.id < b.id ? -1 : 1));
  return shuffled(ordered, createRng(seed))
    .slice(0, count)
    .map((q) => q.question);
}
