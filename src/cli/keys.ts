import { hostname, userInfo } from "node:os";
import { parseArgs } from "node:util";
import pino from "pino";
import { CREATE_KEY_HINT } from "../auth/access.ts";
import { generateApiKey, parseScopes, TENANT_PATTERN } from "../auth/keys.ts";
import { createApiKey, KeyNotFoundError, revokeApiKey, type KeyDeps } from "../auth/manage.ts";
import { ConfigError, loadConfig } from "../config.ts";
import { listApiKeys } from "../db/api-keys.ts";
import type { ApiKeyRow } from "../db/schema/index.ts";
import { StoreLockedError } from "../db/store-lock.ts";
import { openConfiguredDatabase } from "../deps.ts";
import { createLogger } from "../logger.ts";
import { runCli } from "./run.ts";

const USAGE = `Usage: npm run keys -- create --tenant T --scopes answer,ingest,audit,admin [--name N] [--by WHO]
       npm run keys -- list [--tenant T]
       npm run keys -- revoke ID [--by WHO]
       npm run keys -- generate

  create     make a key and print it, this once, on stdout (only its sha256 is stored);
             admin implies every other scope
  list       every key with its tenant, scopes, name and dates (never a secret)
  revoke     stop a key authenticating (it stays listed)
  generate   print a new key without storing it, for VERITY_BOOTSTRAP_KEY
  --by WHO   who made or revoked the key, for the record (default: user@host)

Opens the store DATABASE_URL or VERITY_DATA_DIR names; an embedded store must not be in use by a
running server. Exit codes: 0 done, 1 could not (the reason is printed).
`;

class UsageError extends Error {
  override name = "UsageError";
}

/** `npm run keys`: manage API keys in the configured store. */
async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      tenant: { type: "string" },
      scopes: { type: "string" },
      name: { type: "string" },
      by: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (!command) throw new UsageError(USAGE);
  if (command === "generate") {
    console.log(generateApiKey().token);
    return 0;
  }
  const by = values.by ?? `${userInfo().username}@${hostname()}`;
  const config = loadConfig();
  // stdout carries the command's result (a new key's secret): log lines go to stderr.
  const logger = createLogger(config.LOG_LEVEL, pino.destination(2));
  const run = async (verb: (deps: KeyDeps) => Promise<void>) => {
    const database = await openConfiguredDatabase(config, "keys");
    try {
      await database.migrate();
      await verb({ db: database.db, logger });
    } finally {
      await database.close();
    }
  };
  if (command === "create") {
    const input = createInput(values);
    await run(async (deps) => {
      const { key, token } = await createApiKey(deps, { ...input, by });
      process.stderr.write(
        `Created ${key.id} (tenant ${key.tenant}, scopes ${key.scopes.join(",")}). ` +
          "Its secret follows, shown this once: only its hash is stored.\n" +
          "Send it as: Authorization: Bearer <key>\n",
      );
      console.log(token);
    });
    return 0;
  }
  if (command === "list") {
    await run(async ({ db }) => console.log(formatKeys(await listApiKeys(db, values.tenant))));
    return 0;
  }
  if (command === "revoke") {
    const id = rest[0];
    if (!id || rest.length > 1) throw new UsageError("revoke takes one key id (key_…).");
    await run(async (deps) => {
      const { key, revokedNow } = await revokeApiKey(deps, id, by);
      console.log(
        revokedNow
          ? `Revoked ${key.id}: it no longer authenticates.`
          : `${key.id} was revoked already, at ${key.revokedAt!.toISOString()}.`,
      );
    });
    return 0;
  }
  throw new UsageError(`Unknown command ${command}.\n\n${USAGE}`);
}

function createInput(values: { tenant?: string; scopes?: string; name?: string }) {
  if (!values.tenant || !TENANT_PATTERN.test(values.tenant))
    throw new UsageError(
      "--tenant is required: letters, digits, - and _, starting with a letter or digit.",
    );
  const scopes = parseScopes(values.scopes ?? "");
  if ("error" in scopes) throw new UsageError(`--scopes: ${scopes.error}.`);
  const name = values.name?.trim() || undefined;
  if (name && name.length > 100) throw new UsageError("--name: at most 100 characters.");
  return { tenant: values.tenant, scopes: scopes.scopes, name };
}

/** One line per key, in columns; a secret is never stored, so never shown. */
function formatKeys(keys: ApiKeyRow[]): string {
  if (keys.length === 0) return `No API keys. Create one: ${CREATE_KEY_HINT}`;
  const rows = [
    ["id", "tenant", "scopes", "name", "created", "revoked"],
    ...keys.map((k) => [
      k.id,
      k.tenant,
      k.scopes.join(","),
      k.name ?? "-",
      k.createdAt.toISOString(),
      k.revokedAt?.toISOString() ?? "-",
    ]),
  ];
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => cell.padEnd(widths[i]!))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** Errors whose message says all a user needs; anything else is printed with its stack. */
const EXPLAINED = [ConfigError, StoreLockedError, KeyNotFoundError, UsageError];

runCli(main, EXPLAINED);
