import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { askQuestion } from "../../src/answer/ask.ts";
import { answerQuestion } from "../../src/answer/compose.ts";
import { warmUpAnswering } from "../../src/answer/warm-up.ts";
import { DEFAULT_TENANT } from "../../src/auth/keys.ts";
import { loadConfig } from "../../src/config.ts";
import { createDeps } from "../../src/deps.ts";

/**
 * `node --cpu-prof --import tsx lab/bench/profile-answers.ts --store DIR --questions FILE
 * [--rounds N] [--record]`: open a PGlite store as the server does and ask the questions in FILE
 * (a JSON array of strings) one after another, N times over, composing each answer and, with
 * --record, recording it as POST /v1/answers does. Prints the mean time an answer took. Meant to
 * run under a profiler (--cpu-prof) or to compare two checkouts on a copy of the same store; the
 * figures the issues quote come from `npm run bench`.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      store: { type: "string" },
      questions: { type: "string" },
      rounds: { type: "string", default: "3" },
      record: { type: "boolean", default: false },
    },
  });
  if (!values.store || !values.questions) throw new Error("--store and --questions are required");
  const questions = JSON.parse(await readFile(values.questions, "utf8")) as string[];
  const config = loadConfig({
    ...process.env,
    DATABASE_URL: undefined,
    VERITY_DATA_DIR: values.store,
    LOG_LEVEL: "warn",
  });
  const deps = await createDeps(config);
  // As the server does before it listens: WordNet is read here, not inside the first answer.
  warmUpAnswering();
  try {
    const rounds = Number(values.rounds);
    const started = performance.now();
    for (let round = 0; round < rounds; round++) {
      for (const question of questions) {
        const input = { question, tenant: DEFAULT_TENANT };
        if (values.record) await askQuestion(deps, input);
        else await answerQuestion(deps, input);
      }
    }
    const n = rounds * questions.length;
    console.log(`${n} answers, ${((performance.now() - started) / n).toFixed(2)} ms each`);
  } finally {
    await deps.close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
