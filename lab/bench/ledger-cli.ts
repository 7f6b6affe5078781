import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { loadConfig } from "../../src/config.ts";
import { createDeps } from "../../src/deps.ts";
import { ingestSources } from "../shared/ingest-sources.ts";
import { measureLedger } from "./ledger.ts";

/** Questions the sample corpus answers or refuses, asked in turn. */
const QUESTIONS = [
  "How much does the Basic plan cost?",
  "How long are deleted files kept in the trash?",
  "What is the minimum password length?",
  "Which payment cards are accepted?",
  "How many backup codes do I get with two-factor authentication?",
  "What is the capital of France?",
  "How much does the Premium plan cost?",
  "Which operating systems does the desktop client support?",
];

/**
 * `npm run bench:ledger [-- --database-url URL] [--rounds N] [--seconds S]`: the ledger's cost on
 * the sample corpus, on a fresh embedded store (or the PostgreSQL database named, which must be
 * empty or hold only this corpus): answer latency without and with the record, record appends
 * per second at 1, 16 and 64 concurrent writers, and whole answers per second at as many askers.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      "database-url": { type: "string" },
      rounds: { type: "string", default: "10" },
      seconds: { type: "string", default: "5" },
    },
  });
  const dir = await mkdtemp(join(tmpdir(), "verity-ledger-bench-"));
  const config = loadConfig({
    VERITY_DATA_DIR: dir,
    DATABASE_URL: values["database-url"] ?? "",
    LOG_LEVEL: "warn",
  });
  const deps = await createDeps(config);
  try {
    await ingestSources(deps, config.VERITY_MANIFEST, "bench");
    const questions = Array.from({ length: Number(values.rounds) }, () => QUESTIONS).flat();
    const report = await measureLedger(deps, questions, { appendSeconds: Number(values.seconds) });
    console.log(JSON.stringify({ store: deps.store, ...report }, null, 2));
  } finally {
    await deps.close();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
