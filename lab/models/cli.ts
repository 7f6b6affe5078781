import { parseArgs } from "node:util";
import { loadCrossEncoder } from "../../src/scoring/cross-encoder.ts";
import { SUGGESTED_MODELS } from "./catalogue.ts";
import { fetchModel, HUB } from "./fetch.ts";

const USAGE = `Usage:
  npm run models -- list                                   suggested cross-encoders and licences
  npm run models -- fetch NAME [--dir models/] [--endpoint ${HUB}] [--revision main]
                                                           download one, for VERITY_VERIFIER_MODEL
`;

function list(): void {
  const width = Math.max(...SUGGESTED_MODELS.map((m) => m.name.length));
  console.log("Cross-encoders for VERITY_VERIFIER_MODEL (npm run models -- fetch NAME):");
  for (const m of SUGGESTED_MODELS)
    console.log(`  ${m.name.padEnd(width)}  ${m.licence.padEnd(10)}  ${m.output}`);
  console.log("Any hub repository in the same layout works; none was measured on Verity's evals.");
}

async function fetchOne(args: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      dir: { type: "string", default: "models" },
      endpoint: { type: "string", default: HUB },
      revision: { type: "string", default: "main" },
    },
  });
  const [name, ...extra] = positionals;
  if (!name || extra.length > 0) throw new Error(`fetch takes one model name\n${USAGE}`);
  const dir = await fetchModel({
    name,
    dir: values.dir,
    endpoint: values.endpoint,
    revision: values.revision,
    log: (message) => console.error(message),
  });
  // Load it as the server will, so a model in an unusable layout is caught now, not at start-up.
  const encoder = await loadCrossEncoder(dir);
  console.log(`${encoder.id} is ready: VERITY_VERIFIER_MODEL=${dir}`);
}

/** `npm run models`: list the suggested cross-encoders, or fetch one from the hub. */
async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command === "list") return list();
  if (command === "fetch") return fetchOne(rest);
  if (command === undefined || command === "help" || command === "--help") {
    process.stdout.write(USAGE);
    return;
  }
  throw new Error(`unknown command "${command}"\n${USAGE}`);
}

// A user sees one line saying what failed (no network, no such model), not a stack trace.
main(process.argv.slice(2)).catch((error: unknown) => {
  console.error(`models: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
