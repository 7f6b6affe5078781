import { Gauge, Registry } from "prom-client";
import { countAnswersByOutcome } from "../answer/record.ts";
import type { Database } from "../db/client.ts";
import { countSuspectedInjections } from "../db/documents.ts";
import {
  countCitationsBySource,
  countReviewVerdicts,
  readCheckpointAge,
  readLedgerSize,
} from "../db/monitoring.ts";

/**
 * Gauges read from the store at scrape time, so every server process reports the same totals and
 * a restart loses nothing. A ratio or an age with nothing to measure (no answer yet, no
 * checkpoint yet) has no sample at all rather than a NaN or a made-up 0.
 */
export function createStoreRegistry(db: Database): Registry {
  const registry = new Registry();
  new Gauge({
    name: "verity_answers_recorded",
    help: "Answers recorded, by status and refusal code",
    labelNames: ["status", "reason"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await countAnswersByOutcome(db)) {
        this.set({ status: row.status, reason: row.reasonCode ?? "none" }, row.n);
      }
    },
  });
  new Gauge({
    name: "verity_answers_refusal_ratio",
    help: "Share of recorded answers that were refused outright (a partial answer is not); absent before the first answer",
    registers: [registry],
    async collect() {
      const rows = await countAnswersByOutcome(db);
      const total = rows.reduce((sum, r) => sum + r.n, 0);
      const refused = rows.filter((r) => r.status === "refused").reduce((sum, r) => sum + r.n, 0);
      if (total > 0) this.set(refused / total);
      else this.remove({});
    },
  });
  new Gauge({
    name: "verity_chunks_suspected_injection",
    help: "Searchable chunks flagged at ingest as reading like instructions to a model",
    registers: [registry],
    async collect() {
      this.set(await countSuspectedInjections(db));
    },
  });
  new Gauge({
    name: "verity_citations_recorded",
    help: "Citations recorded in answers, by the source they quote",
    labelNames: ["source"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const row of await countCitationsBySource(db)) this.set({ source: row.sourceId }, row.n);
    },
  });
  new Gauge({
    name: "verity_reviews_recorded",
    help: "Reviewers' verdicts on answers, by verdict",
    labelNames: ["verdict"] as const,
    registers: [registry],
    async collect() {
      this.reset();
      for (const [verdict, n] of await countReviewVerdicts(db)) this.set({ verdict }, n);
    },
  });
  new Gauge({
    name: "verity_ledger_records",
    help: "Records in the audit ledger (its Merkle tree size)",
    registers: [registry],
    async collect() {
      this.set(await readLedgerSize(db));
    },
  });
  new Gauge({
    name: "verity_ledger_checkpoint_age_seconds",
    help: "Seconds since the latest signed ledger checkpoint; absent while none exists",
    registers: [registry],
    async collect() {
      const age = await readCheckpointAge(db);
      if (age === null) this.remove({});
      else this.set(age);
    },
  });
  return registry;
}
