import { cp, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { discoverFiles } from "../../ingest/discover.ts";
import { loadManifest } from "../../ingest/manifest.ts";
import { createRng, type Rng } from "../../src/rng.ts";
import { ingestReference } from "./corpus-invariants.ts";
import { ROOT } from "./ingest-process.ts";
import { createThrowawayDatabase } from "../shared/throwaway-database.ts";
import {
  checkAfterRerun,
  killIngest,
  rerunIngest,
  STAGES,
  type Estimates,
  type FaultStore,
  type Landed,
  type Stage,
} from "./kill-rerun.ts";

const USAGE = `Usage: npm run faults:kill -- [--cycles N] [--seed S] [--stores pglite,postgres]

Kill \`npm run ingest\` with SIGKILL at seeded random points (model load, embedding, persisting)
on a copy of the sample corpus that changes every cycle, rerun it to the end, and check the
store against a clean ingest of the same files. PostgreSQL: a throwaway database on
$VERITY_TEST_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test).
`;

const DIMENSION = 512;

async function main() {
  const { values } = parseArgs({
    options: {
      cycles: { type: "string", default: "10" },
      seed: { type: "string", default: "20261130" },
      stores: { type: "string", default: "pglite,postgres" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) return void process.stdout.write(USAGE);
  const cycles = Number(values.cycles);
  const kinds = values.stores.split(",") as FaultStore["kind"][];
  let failed = 0;
  for (const kind of kinds) failed += await runStore(kind, cycles, Number(values.seed));
  process.exitCode = failed > 0 ? 1 : 0;
}

async function runStore(kind: FaultStore["kind"], cycles: number, seed: number): Promise<number> {
  const rng = createRng(seed + (kind === "postgres" ? 1 : 0));
  const dir = await mkdtemp(join(tmpdir(), `verity-faults-${kind}-`));
  await cp(join(ROOT, "sources"), join(dir, "sources"), { recursive: true });
  const database = kind === "postgres" ? await createThrowawayDatabase("verity_faults") : null;
  const store: FaultStore = {
    kind,
    dataDir: join(dir, "data"),
    manifestPath: join(dir, "sources", "sources.json"),
    databaseUrl: database?.url,
  };
  const estimates: Estimates = { readyMs: 6_000, firstFileMs: 10_000 };
  const aimed: Record<string, number> = {};
  const landed: Record<string, number> = {};
  let violations = 0;
  try {
    for (let cycle = 1; cycle <= cycles; cycle++) {
      const stage = STAGES[(cycle - 1) % STAGES.length]!;
      // Embedding runs on worker threads (how a kill there is told from one while loading)
      // when a source has more than one batch of new chunks: change every page for it.
      const changed =
        cycle === 1 ? await allFiles(store) : await changeCorpus(store, rng, cycle, stage);
      const at = 0.1 + 0.8 * rng.next();
      const t = Date.now();
      const kill = await killIngest(store, stage, at, estimates, changed);
      const rerun = await rerunIngest(store);
      if (rerun.readyMs) estimates.readyMs = rerun.readyMs;
      // Not firstFileMs: a rerun's first file is often one it finds unchanged, read at once.
      const expected = await ingestReference(store.manifestPath);
      const result = await checkAfterRerun(store, [kill], rerun, {
        expected,
        dimension: DIMENSION,
      });
      const where: Landed = result.landed[0]!;
      aimed[stage] = (aimed[stage] ?? 0) + 1;
      landed[where] = (landed[where] ?? 0) + 1;
      violations += result.violations.length;
      console.log(
        `${kind} cycle ${cycle}: aimed at ${stage} (${at.toFixed(2)}), landed in ${where}; ` +
          `${changed.length} files changed, ${kill.filesDone} done at the kill; rerun indexed ` +
          `${rerun.indexedChunks} chunks; ${result.violations.length} violations ` +
          `(${Math.round((Date.now() - t) / 1000)} s)`,
      );
      for (const v of result.violations) console.log(`  VIOLATION ${v}`);
    }
  } finally {
    await database?.drop();
    await rm(dir, { recursive: true, force: true });
  }
  console.log(
    `${kind}: ${cycles} kill/rerun cycles; aimed ${JSON.stringify(aimed)}; ` +
      `landed ${JSON.stringify(landed)}; invariant violations ${violations}`,
  );
  return violations;
}

/** Every file of the manifest as `source:path`, the way the progress bar names them. */
async function allFiles(store: FaultStore): Promise<string[]> {
  const { manifest, baseDir } = await loadManifest(store.manifestPath);
  const files: string[] = [];
  for (const source of manifest.sources)
    for (const path of await discoverFiles(source, baseDir)) files.push(`${source.id}:${path}`);
  return files;
}

/**
 * Edit about half the text files (a new version each), add a page every other cycle and delete
 * an earlier one now and then: the killed run has updates, additions and removals to make.
 */
async function changeCorpus(
  store: FaultStore,
  rng: Rng,
  cycle: number,
  stage: Stage,
): Promise<string[]> {
  const base = join(store.manifestPath, "..");
  const editable = (await allFiles(store)).filter((f) => /\.(md|txt|html)$/.test(f));
  const changed: string[] = [];
  for (const file of editable.filter(() => stage === "embedding" || rng.next() < 0.5)) {
    const path = join(base, file.slice(file.indexOf(":") + 1));
    const note = `Revision ${cycle} note: the maintenance window is ${rng.int(50) + 2} minutes long.`;
    let text = await readFile(path, "utf8");
    // Aimed at embedding: a word in nearly every sentence, so nearly every chunk is new and the
    // run embeds several batches; otherwise one sentence, inside the text a loader keeps.
    if (stage === "embedding") text = text.replaceAll(" the ", ` the r${cycle} `);
    await writeFile(
      path,
      text.includes("<main")
        ? text.replace("<p>", `<p>${note} `)
        : text.replace(/^(# [^\n]*\n)?/, (title) => `${title}\n${note}\n\n`),
    );
    changed.push(file);
  }
  const community = join(base, "community");
  if (cycle % 2 === 0) {
    const name = `extra-${cycle}.md`;
    await writeFile(
      join(community, name),
      `# Extra tip ${cycle}\n\nTip ${cycle}: restart the sync client after ${rng.int(9) + 1} failed attempts.\n`,
    );
    changed.push(`community-tips:community/${name}`);
  }
  const extras = (await readdir(community)).filter(
    (f) => f.startsWith("extra-") && f !== `extra-${cycle}.md`,
  );
  if (extras.length > 1 && rng.next() < 0.5)
    await rm(join(community, extras[rng.int(extras.length)]!));
  return changed;
}

await main();
