/** A question of an evaluation set, with what counts as a correct outcome. */
export type EvalQuestion = {
  id: string;
  question: string;
  answerable: boolean;
  /** Texts one of which a cited quote must contain (SQuAD). */
  goldAnswers: string[];
  /** `sourceId:path` of the documents holding the answer, for retrieval metrics. */
  goldDocuments: string[];
};

export type EvalCorpus = { manifestPath: string; questions: EvalQuestion[] };
