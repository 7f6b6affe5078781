import { loadScifact } from "./scifact.ts";
import { prepareSquad } from "./squad.ts";
import type { Dataset, PreparedCorpus } from "./types.ts";

/** Which dataset files make a corpus: SQuAD's one JSON file, or SciFact's claims and abstracts. */
export type CorpusSpec =
  | { dataset: Extract<Dataset, "squad2">; data: string }
  | { dataset: Extract<Dataset, "scifact">; data: string; corpus: string };

/** A dataset as files, manifest and questions in memory (nothing written yet). */
export function prepareCorpus(spec: CorpusSpec): Promise<PreparedCorpus> {
  return spec.dataset === "squad2" ? prepareSquad(spec.data) : loadScifact(spec.corpus, spec.data);
}
