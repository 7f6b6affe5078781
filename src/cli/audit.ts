import { createWriteStream, existsSync, readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { ConfigError, ledgerKeyPath, loadConfig, type Config } from "../config.ts";
import type { Database } from "../db/client.ts";
import { StoreLockedError } from "../db/store-lock.ts";
import { openConfiguredDatabase } from "../deps.ts";
import { verifySources, type LoadSourceText } from "../audit/source-files.ts";
import { verifyAnswerProof } from "../ledger/answer-proof.ts";
import { exportLedger, verifyExtract } from "../ledger/extract.ts";
import { createLedger, DEFAULT_LEDGER_ORIGIN, type Ledger } from "../ledger/ledger.ts";
import {
  LedgerKeyError,
  loadLedgerPublicKey,
  loadLedgerSigningKey,
  writeLedgerKeyFiles,
} from "../ledger/signing-key.ts";
import { latestCheckpoint } from "../ledger/records.ts";
import { verifyLedger } from "../ledger/verify-ledger.ts";
import { runCli } from "./run.ts";

const USAGE = `Usage: npm run audit -- keygen [--out PATH] [--name ORIGIN]
       npm run audit -- verify [--public-key PUB] [--witness FILE]
       npm run audit -- verify-sources [--all] [--manifest PATH]
       npm run audit -- verify-answer FILE [--public-key PUB]
       npm run audit -- checkpoint
       npm run audit -- export --from N --to M [--out FILE]
       npm run audit -- verify-export FILE [--public-key PUB]

  keygen         make the Ed25519 key that signs ledger checkpoints: PATH (default VERITY_LEDGER_KEY,
                 else <VERITY_DATA_DIR>/ledger.key) and PATH.pub, the public key reviewers verify with
  verify         recompute the ledger from its records: exit 1 naming the first bad record when a
                 record was changed, deleted, inserted or reordered, a checkpoint does not verify
                 or does not match, an answer row differs from its record, or a stored version or
                 chunk no longer hashes to what its ingest run recorded. --witness FILE keeps the
                 checkpoints this command has verified before and proves the log still extends
                 them (a history re-signed since is caught)
  verify-sources re-read each current version's source file and compare it with the stored file
                 hash and text (a rewrite of versions and chunks in the database, hashes and all, is
                 caught here too): exit 1 when a current version's file changed, is missing, or no
                 longer gives the stored text. --all adds superseded versions (reported, and failing
                 only on a text mismatch); --manifest reads the files beside PATH instead of where
                 each run recorded its manifest
  verify-answer  check offline an answer proof saved from GET /v1/audit/proof/:answerId
  checkpoint     sign a checkpoint over the whole ledger now
  export         records N..M-1 as JSON lines, with a checkpoint and each record's inclusion proof
  verify-export  check such an extract offline, with the public key alone

--public-key defaults to the configured key's .pub file. Commands that read the store open the one
DATABASE_URL or VERITY_DATA_DIR names; an embedded store must not be in use by a running server.
Exit codes: 0 verified (or done), 1 a check failed or the command could not run (reason printed).
`;

class UsageError extends Error {
  override name = "UsageError";
}

const OPTIONS = {
  out: { type: "string" },
  name: { type: "string" },
  "public-key": { type: "string" },
  witness: { type: "string" },
  all: { type: "boolean", default: false },
  manifest: { type: "string" },
  from: { type: "string" },
  to: { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const;

type Values = ReturnType<
  typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>
>["values"];

/** What the audit CLI needs from the pipeline (ingest/), which src/ never imports. */
export type AuditPorts = { loadText: LoadSourceText };

/** `npm run audit`: prove the ledger intact, and check proofs and extracts offline. */
export function runAuditCli(ports: AuditPorts): void {
  runCli(() => main(ports), EXPLAINED);
}

async function main(ports: AuditPorts): Promise<number> {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: OPTIONS });
  const [command, ...rest] = positionals;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const config = loadConfig();
  const publicKey = () =>
    loadLedgerPublicKey(values["public-key"] ?? `${ledgerKeyPath(config)}.pub`);
  switch (command) {
    case "keygen": {
      const made = writeLedgerKeyFiles(
        values.out ?? ledgerKeyPath(config),
        values.name ?? DEFAULT_LEDGER_ORIGIN,
      );
      console.log(`Made ledger key ${made.name}/${made.keyId}:`);
      console.log(
        `  private ${made.privatePath} (keep it where the database's operators cannot write)`,
      );
      console.log(`  public  ${made.publicPath} (give it to reviewers)`);
      return 0;
    }
    case "verify-answer": {
      const file = single(rest, "verify-answer takes one proof file");
      const result = verifyAnswerProof(JSON.parse(readFileSync(file, "utf8")), publicKey());
      for (const check of result.checks)
        console.log(
          `${check.ok ? "ok  " : "FAIL"} ${check.name}${check.detail ? `: ${check.detail}` : ""}`,
        );
      console.log(result.ok ? "The answer is in the ledger, as sent." : "The proof does not hold.");
      return result.ok ? 0 : 1;
    }
    case "verify-export": {
      const file = single(rest, "verify-export takes one extract file");
      const { records, problems } = verifyExtract(
        readFileSync(file, "utf8").split("\n"),
        publicKey(),
      );
      for (const problem of problems) console.log(`FAIL ${problem}`);
      console.log(
        problems.length === 0 ? `${records} records verified.` : `${problems.length} problem(s).`,
      );
      return problems.length === 0 ? 0 : 1;
    }
    case "verify":
      return withStore(config, (db) => verify(db, publicKey(), values));
    case "verify-sources":
      return withStore(config, async (db) => {
        const report = await verifySources(
          { db, loadText: ports.loadText },
          { all: values.all, manifestPath: values.manifest },
        );
        for (const v of report.versions.filter((v) => v.status !== "matches"))
          console.log(
            `${v.status.padEnd(13)} ${v.sourceId}/${v.path} v${v.version}${v.current ? "" : " (superseded)"}${v.detail ? `: ${v.detail}` : ""}`,
          );
        const { checked, matches, problems } = report.summary;
        console.log(
          `${checked} versions checked, ${matches} match their source files, ${problems} problem(s).`,
        );
        return report.ok ? 0 : 1;
      });
    case "checkpoint":
      return withStore(config, async (db, ledger) => {
        const checkpoint = await ledger.checkpointCovering(Number.MAX_SAFE_INTEGER);
        console.log(checkpoint ? checkpoint.note : "The ledger is empty: nothing to sign.");
        return 0;
      });
    case "export":
      return withStore(config, (db, ledger) => exportRange(db, ledger, values));
    default:
      throw new UsageError(command ? `Unknown command ${command}.\n\n${USAGE}` : USAGE);
  }
}

function single(args: string[], message: string): string {
  if (args.length !== 1) throw new UsageError(`${message}.`);
  return args[0]!;
}

/** Open the configured store (and the signing key, when there is one) for one command. */
async function withStore(
  config: Config,
  command: (db: Database, ledger: Ledger) => Promise<number>,
): Promise<number> {
  const keyPath = ledgerKeyPath(config);
  const signer = existsSync(keyPath) ? loadLedgerSigningKey(keyPath) : null;
  const database = await openConfiguredDatabase(config, "audit");
  try {
    await database.migrate();
    return await command(database.db, createLedger({ db: database.db, signer }));
  } finally {
    await database.close();
  }
}

async function verify(
  db: Database,
  publicKey: ReturnType<typeof loadLedgerPublicKey>,
  values: Values,
): Promise<number> {
  const witnessFile = values.witness;
  const witnessed: string[] =
    witnessFile && existsSync(witnessFile) ? JSON.parse(readFileSync(witnessFile, "utf8")) : [];
  const report = await verifyLedger(db, { publicKey, witnessed });
  console.log(
    `${report.records} records, ${report.checkpoints} checkpoints, ${report.answers} answers, ` +
      `${report.versions.checked} versions checked (${report.versions.unvouched} stored before the ledger)`,
  );
  console.log(`root ${report.root}`);
  const [first] = report.problems;
  if (first) {
    const where = first.index === null ? "" : `record ${first.index}: `;
    console.log(`FAIL first bad: ${where}${first.problem}`);
    for (const p of report.problems.slice(1))
      console.log(`FAIL ${p.index === null ? "" : `record ${p.index}: `}${p.problem}`);
    return 1;
  }
  if (witnessFile) {
    // Remember what was verified: a later run proves the log still extends it.
    const latest = (await latestCheckpoint(db))?.note;
    if (latest && !witnessed.includes(latest)) witnessed.push(latest);
    writeFileSync(witnessFile, JSON.stringify(witnessed, null, 2) + "\n");
  }
  console.log("The ledger is intact.");
  return 0;
}

async function exportRange(db: Database, ledger: Ledger, values: Values): Promise<number> {
  const from = Number(values.from ?? "0");
  const to = Number(values.to);
  if (!Number.isSafeInteger(from) || !Number.isSafeInteger(to) || from < 0 || to <= from)
    throw new UsageError("export needs --from N --to M with 0 <= N < M.");
  if (!ledger.signer)
    throw new UsageError("export signs a checkpoint: VERITY_LEDGER_KEY is needed.");
  const size = (await ledger.tree()).size;
  if (to > size) throw new UsageError(`--to ${to}: the ledger holds ${size} records.`);
  const out = values.out ? createWriteStream(values.out) : process.stdout;
  for await (const line of exportLedger(db, ledger, { from, to })) out.write(line + "\n");
  if (values.out)
    await new Promise((done) => (out as ReturnType<typeof createWriteStream>).end(done));
  return 0;
}

/** Errors whose message says all a user needs; anything else is printed with its stack. */
const EXPLAINED = [ConfigError, StoreLockedError, LedgerKeyError, UsageError];
