import { mkdir, rm, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";
import type { PreparedCorpus } from "./types.ts";

/** Replace `dir` with the corpus's files and its manifest; returns the manifest's path. */
export async function writeCorpus(corpus: PreparedCorpus, dir: string): Promise<string> {
  await rm(dir, { recursive: true, force: true });
  for (const file of corpus.files) {
    await mkdir(dirname(join(dir, file.path)), { recursive: true });
    await writeFile(join(dir, file.path), file.text);
  }
  const manifestPath = join(dir, "sources.json");
  await writeFile(manifestPath, JSON.stringify(corpus.manifest, null, 2));
  return manifestPath;
}
