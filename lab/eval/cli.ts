import { evaluateFromArgs, fail } from "./evaluate.ts";

/**
 * `npm run eval`: ingest a dataset into an isolated store through the real pipeline, ask every
 * question through the same answerQuestion as POST /v1/answers (threshold 0, so the refusal
 * decision can be replayed at every threshold), and report accuracy, retrieval and the sweep.
 */
evaluateFromArgs(process.argv.slice(2)).catch(fail);
