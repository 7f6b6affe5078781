import { hostname, userInfo } from "node:os";
import { resolve } from "node:path";
import { parseArgs } from "node:util";
import { loadConfig, ConfigError } from "../src/config.ts";
import { readCorpusState } from "../src/db/corpus-state.ts";
import { encoderModelId } from "../src/retrieval/encoders.ts";
import { IngestBusyError } from "../src/db/ingest-runs.ts";
import { StoreLockedError } from "../src/db/store-lock.ts";
import { createDeps, openConfiguredDatabase } from "../src/deps.ts";
import { loadManifest, ManifestError } from "./manifest.ts";
import { ingestManifest } from "./pipeline.ts";
import { indexRefresher } from "./refresh-index.ts";
import { ingestThroughServer, ServerRunError } from "./remote.ts";
import { removeSource, UnknownSourceError } from "./remove-source.ts";
import { createProgressReporter, formatRemoval, formatSummary } from "./report.ts";
import { runCli } from "../src/cli/run.ts";

const USAGE = `Usage: npm run ingest -- [--manifest PATH] [--by NAME] [--if-empty]
       npm run ingest -- --remove-source ID [--by NAME]
       npm run ingest -- --server URL [--manifest PATH | --remove-source ID] [--by NAME]

  --manifest PATH       sources manifest (default: $VERITY_MANIFEST or sources/sources.json);
                        its sources are added or updated, sources it does not list are kept
  --by NAME             who is ingesting, recorded on every version (default: user@host)
  --if-empty            do nothing when the store already holds documents embedded by this
                        encoder (used by npm start); if another encoder embedded them, ingest
  --remove-source ID    remove a whole source (recorded; its versions stay for old citations,
                        and a manifest listing it again restores it)
  --server URL          ingest through a running Verity server (e.g. http://127.0.0.1:3000),
                        sending the key in VERITY_API_KEY when it requires one (ingest scope),
                        instead of opening the store: the way to ingest while it serves from the
                        embedded store, which only its owner may open. The server reads the
                        manifest and its files from its own filesystem, so both must see them
                        at the same path (the manifest path is sent absolute).

Exit codes: 0 done, 2 done but some files failed, 1 could not run (the reason is printed).
`;

/** `npm run ingest`: index the manifest's sources into the store, then refresh the vector index. */
async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      manifest: { type: "string" },
      by: { type: "string" },
      "if-empty": { type: "boolean", default: false },
      "remove-source": { type: "string" },
      server: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const config = loadConfig();
  const by = values.by ?? `${userInfo().username}@${hostname()}`;
  if (values.server) {
    if (values["if-empty"]) throw new ServerRunError("--if-empty works on a local store only.");
    const removal = values["remove-source"];
    return ingestThroughServer(
      values.server,
      removal
        ? { removeSource: removal, by }
        : { manifest: resolve(values.manifest ?? config.VERITY_MANIFEST), by },
      { stdout: (line) => console.log(line), progress: process.stderr },
      { apiKey: config.VERITY_API_KEY },
    );
  }
  const manifest = values["remove-source"]
    ? null
    : await loadManifest(values.manifest ?? config.VERITY_MANIFEST);
  const database = await openConfiguredDatabase(config, "ingest");
  try {
    await database.migrate();
    if (values["if-empty"]) {
      const { chunkCount, models } = await readCorpusState(database.db);
      const model = encoderModelId(config.VERITY_ENCODER);
      const others = Object.keys(models).filter((m) => m !== model);
      if (chunkCount > 0 && others.length === 0) {
        console.log(
          "Store already holds documents; skipping ingestion (to update it: npm run ingest).",
        );
        return 0;
      }
      // Searched with this encoder, they would be found by BM25 alone: the run re-embeds them.
      if (others.length > 0)
        console.log(
          `Store's passages were embedded by ${others.join(", ")}, not ${model}: ingesting to re-embed them.`,
        );
    }
    const deps = await createDeps(config, { database, role: "ingest" });
    try {
      if (!manifest) {
        const removal = await removeSource(deps.db, values["remove-source"]!, by, {
          refreshIndex: indexRefresher(deps.index),
        });
        console.log(formatRemoval(removal));
        return 0;
      }
      const progress = createProgressReporter(process.stderr);
      const summary = await ingestManifest({
        db: deps.db,
        embedder: deps.embedder,
        manifest,
        ingestedBy: by,
        onEvent: progress.onEvent,
        refreshIndex: indexRefresher(deps.index),
        onVectorsWritten: deps.index.remember,
      }).finally(() => progress.stop());
      console.log(formatSummary(summary));
      return summary.files.failed > 0 ? 2 : 0;
    } finally {
      await deps.close();
    }
  } finally {
    await database.close();
  }
}

/** Errors whose message says all a user needs; anything else is printed with its stack. */
const EXPLAINED = [
  ConfigError,
  ManifestError,
  StoreLockedError,
  IngestBusyError,
  UnknownSourceError,
  ServerRunError,
];

runCli(main, EXPLAINED);
