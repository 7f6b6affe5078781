import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { readFile } from "node:fs/promises";
import { z } from "zod";
import { answerQuestion } from "../../src/answer/compose.ts";
import { loadConfig } from "../../src/config.ts";
import { createDeps } from "../../src/deps.ts";
import { ingestSources } from "../shared/ingest-sources.ts";
import { DEFAULT_TENANT } from "../../src/auth/keys.ts";

/**
 * `npm run eval:own-words`: the sample corpus asked in people's own words (lab/fixtures/
 * own-words.json), through the same answerQuestion as POST /v1/answers at the policy in force.
 * A check of paraphrase handling on questions nothing was fitted to: it prints each outcome and
 * the counts, and writes nothing but its own store.
 */
const QuestionSet = z.object({
  answerable: z.array(z.object({ question: z.string(), expect: z.string() })),
  unanswerable: z.array(z.string()),
});

const { values } = parseArgs({
  options: {
    questions: { type: "string", default: "lab/fixtures/own-words.json" },
    store: { type: "string", default: ".verity-eval/own-words" },
    manifest: { type: "string", default: "sources/sources.json" },
    policy: { type: "string" },
  },
});

const set = QuestionSet.parse(JSON.parse(await readFile(values.questions, "utf8")));
const config = loadConfig({
  ...(values.policy ? { VERITY_POLICY: values.policy } : {}),
  VERITY_DATA_DIR: resolve(values.store),
  LOG_LEVEL: "warn",
});
const deps = await createDeps(config);
try {
  await ingestSources(deps, values.manifest, "eval");
  const tally = { correct: 0, wrong: 0, refused: 0, rightlyRefused: 0, wronglyAnswered: 0 };
  const line = (mark: string, support: number | null, question: string, detail: string) =>
    console.log(`${mark} ${(support ?? 0).toFixed(2).padStart(5)}  ${question}  ${detail}`);
  for (const { question, expect } of set.answerable) {
    const { answer } = await answerQuestion(deps, { question, tenant: DEFAULT_TENANT });
    const quotes = answer.citations.map((c) => c.quote);
    if (answer.status === "refused") {
      tally.refused += 1;
      line("·", answer.reason?.bestScore ?? null, question, `refused ${answer.reason?.code}`);
    } else if (quotes.some((q) => q.includes(expect))) {
      tally.correct += 1;
      line("✓", answer.support, question, `(${answer.status})`);
    } else {
      tally.wrong += 1;
      line("✗", answer.support, question, `cited: ${quotes[0]?.slice(0, 80)}`);
    }
  }
  for (const question of set.unanswerable) {
    const { answer } = await answerQuestion(deps, { question, tenant: DEFAULT_TENANT });
    if (answer.status === "refused") {
      tally.rightlyRefused += 1;
      line("✓", answer.reason?.bestScore ?? null, question, `refused ${answer.reason?.code}`);
    } else {
      tally.wronglyAnswered += 1;
      line("✗", answer.support, question, `answered: ${answer.answer?.slice(0, 80)}`);
    }
  }
  const n = set.answerable.length;
  const answered = tally.correct + tally.wrong + tally.wronglyAnswered;
  console.log(
    `\nanswerable ${n}: ${tally.correct} correct, ${tally.wrong} wrong, ${tally.refused} refused ` +
      `(coverage ${((tally.correct + tally.wrong) / n).toFixed(2)})\n` +
      `unanswerable ${set.unanswerable.length}: ${tally.rightlyRefused} refused, ${tally.wronglyAnswered} answered\n` +
      `answered precision ${answered > 0 ? (tally.correct / answered).toFixed(2) : "n/a"} at threshold ${deps.policy.threshold}`,
  );
} finally {
  await deps.close();
}
