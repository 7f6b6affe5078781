import { relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root, whatever folder a script was started from. */
const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/**
 * The public evaluation sets, as the docs and recorded artefacts name them: relative to the
 * repository root. They live beside the repository (large, separately licensed, shared by every
 * checkout), never in it.
 */
export const DATASET_PATHS = {
  squad2: "../shared/datasets/squad2/public.json",
  scifactClaims: "../shared/datasets/scifact/claims_public.jsonl",
  scifactCorpus: "../shared/datasets/scifact/corpus.jsonl",
} as const;

export type DatasetFile = keyof typeof DATASET_PATHS;

/** A public set's absolute path, so a default is found whatever the working directory. */
export function resolveDataset(file: DatasetFile): string {
  return resolve(REPO_ROOT, DATASET_PATHS[file]);
}

/** `path` relative to the repository root, so a committed artefact names no one's home folder. */
export function relativeToRoot(path: string): string {
  return relative(REPO_ROOT, resolve(path));
}
