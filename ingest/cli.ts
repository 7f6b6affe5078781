import { hostname, userInfo } from "node:os";
import { parseArgs } from "node:util";
import { loadConfig, ConfigError } from "../src/config.ts";
import { readCorpusState } from "../src/db/corpus-state.ts";
import { createDeps, openConfiguredDatabase } from "../src/deps.ts";
import { loadManifest, ManifestError } from "./manifest.ts";
import { ingestManifest } from "./pipeline.ts";
import { createProgressReporter, formatSummary } from "./report.ts";

const USAGE = `Usage: npm run ingest -- [--manifest PATH] [--by NAME] [--if-empty]

  --manifest PATH  sources manifest (default: $VERITY_MANIFEST or sources/sources.json)
  --by NAME        who is ingesting, recorded on every version (default: user@host)
  --if-empty       do nothing when the store already holds documents (used by npm start)
`;

/** `npm run ingest`: index the manifest's sources into the store, then refresh the vector index. */
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      manifest: { type: "string" },
      by: { type: "string" },
      "if-empty": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const config = loadConfig();
  const manifest = await loadManifest(values.manifest ?? config.VERITY_MANIFEST);
  const database = await openConfiguredDatabase(config);
  try {
    await database.migrate();
    if (values["if-empty"] && (await readCorpusState(database.db)).chunkCount > 0) {
      console.log(
        "Store already holds documents; skipping ingestion (run `npm run ingest` to update it).",
      );
      return 0;
    }
    const deps = await createDeps(config, { database });
    try {
      const progress = createProgressReporter(process.stderr);
      const summary = await ingestManifest({
        db: deps.db,
        embedder: deps.embedder,
        manifest,
        ingestedBy: values.by ?? `${userInfo().username}@${hostname()}`,
        onEvent: progress.onEvent,
      });
      progress.stop();
      const t = performance.now();
      await deps.index.refresh();
      const searchable = deps.index.current();
      console.log(
        formatSummary(summary, {
          indexedChunks: searchable.index.state.count,
          rebuilt: searchable.rebuilt,
          indexMs: performance.now() - t,
        }),
      );
      return summary.files.failed > 0 ? 2 : 0;
    } finally {
      await deps.close();
    }
  } finally {
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const known = error instanceof ConfigError || error instanceof ManifestError;
    console.error(known ? (error as Error).message : error);
    process.exit(1);
  },
);
