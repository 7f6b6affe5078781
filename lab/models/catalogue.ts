/**
 * Public cross-encoders that fit VERITY_VERIFIER_MODEL: each repository on the Hugging Face hub
 * holds the transformers.js layout (config.json, tokenizer.json, tokenizer_config.json and
 * onnx/model.onnx). None of them was measured on Verity's evaluations: the machine Verity is
 * built on cannot download them.
 */
export type SuggestedModel = {
  name: string;
  licence: string;
  /** What its probability means, and how it is read from the logits. */
  output: string;
};

export const SUGGESTED_MODELS: SuggestedModel[] = [
  {
    name: "cross-encoder/ms-marco-MiniLM-L6-v2",
    licence: "Apache-2.0",
    output: "passage relevance (one logit, sigmoid)",
  },
  {
    name: "cross-encoder/ms-marco-MiniLM-L4-v2",
    licence: "Apache-2.0",
    output: "passage relevance (one logit, sigmoid); smaller and faster",
  },
  {
    name: "cross-encoder/nli-deberta-v3-xsmall",
    licence: "Apache-2.0",
    output: "entailment (3 labels, softmax of 'entailment')",
  },
];
