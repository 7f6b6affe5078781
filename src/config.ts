import { z } from "zod";
import { API_KEY_PATTERN } from "./auth/keys.ts";

/** A plain decimal number ("3000", "0.7"): no hex, exponents or blanks turning into 0. */
const decimal = z
  .string()
  .regex(/^\d+(\.\d+)?$/, "must be a decimal number")
  .transform(Number);

/** Every setting Verity reads from the environment; nothing else touches process.env. */
export const Config = z.object({
  PORT: decimal.pipe(z.number().int().min(0).max(65535)).default(3000),
  HOST: z.string().min(1).default("127.0.0.1"),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL")
    .optional(),
  VERITY_DATA_DIR: z.string().min(1).default("./.verity"),
  VERITY_MANIFEST: z.string().min(1).default("sources/sources.json"),
  VERITY_POLICY: z.string().min(1).default("policy/default.json"),
  /**
   * The sentence encoder: `use-lite` (the default: USE-lite's weights on onnxruntime, ~1.5 ms a
   * question), `use-lite-tfjs` (the same model on TF.js/WASM, ~20 ms a question, ~20 sentences/s
   * per core; its vectors equal the default's to float32 rounding, so both share one model id
   * and one store) or `static`, a distilled token table (policy/encoders/, `npm run
   * encoder:build`). Every chunk records its model id and search skips vectors of another model,
   * so a store switches to `static` by re-ingesting into a new data dir. Unset: use-lite.
   */
  VERITY_ENCODER: z.enum(["use-lite", "use-lite-tfjs", "static"]).optional(),
  /** Overrides the policy file's refusal threshold, e.g. to try a stricter one without editing it. */
  VERITY_THRESHOLD: decimal.pipe(z.number().min(0).max(1)).optional(),
  /** The answered precision the verifier's operating point aims for (the policy's one knob). */
  VERITY_TARGET_PRECISION: decimal.pipe(z.number().min(0.5).max(1)).optional(),
  /**
   * A cross-encoder model directory (transformers.js layout, `npm run models -- fetch`) that
   * re-scores the best sentences; unset, scoring stays lexical. Loaded from disk only.
   */
  VERITY_VERIFIER_MODEL: z.string().min(1).optional(),
  /** The refusal threshold on the cross-encoder's probability (DEFAULT_VERIFIER_THRESHOLD). */
  VERITY_VERIFIER_THRESHOLD: decimal.pipe(z.number().min(0).max(1)).optional(),
  /** The largest request body accepted, in bytes (DEFAULT_MAX_BODY_BYTES); larger ones get 413. */
  VERITY_MAX_BODY_BYTES: decimal.pipe(z.number().int().min(1)).optional(),
  /** Requests one API key may make per minute (the anonymous loopback caller is not limited). */
  VERITY_RATE_LIMIT_PER_MINUTE: decimal.pipe(z.number().int().min(1)).optional(),
  /** How long a request body may take to arrive, in ms (DEFAULT_BODY_TIMEOUT_MS); then 408. */
  VERITY_BODY_TIMEOUT_MS: decimal.pipe(z.number().int().min(1)).optional(),
  /**
   * An admin key of tenant `default` made (or accepted, when it exists) at start-up, for
   * deployments that cannot run `npm run keys` first. Its presence alone makes keys required.
   */
  VERITY_BOOTSTRAP_KEY: z
    .string()
    .regex(
      API_KEY_PATTERN,
      "must be a key of the form vk_<16 hex>_<43 base64url> (npm run keys -- generate)",
    )
    .optional(),
  /** The key `npm run ingest -- --server` sends, for a server that requires one. */
  VERITY_API_KEY: z.string().regex(API_KEY_PATTERN, "must be a key of the form vk_…_…").optional(),
  /**
   * The Ed25519 key that signs ledger checkpoints (`npm run audit -- keygen`), kept where the
   * database's operators cannot write. Unset, a server uses (and on first start makes)
   * <VERITY_DATA_DIR>/ledger.key.
   */
  VERITY_LEDGER_KEY: z.string().min(1).optional(),
  /** How often a serving process signs a checkpoint when the ledger has grown, in seconds. */
  VERITY_CHECKPOINT_INTERVAL_S: decimal.pipe(z.number().int().min(1)).default(60),
  /**
   * Where lexical search runs: `memory` (the default: an in-process BM25 index loaded from the
   * store and following it, question and sentence analysis in process too) or `sql` (BM25 in the
   * database, per question: smaller memory, slower as the corpus grows).
   */
  VERITY_LEXICAL: z.enum(["sql", "memory"]).default("memory"),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
});
export type Config = z.infer<typeof Config>;

/**
 * The cross-encoder's refusal threshold when VERITY_VERIFIER_THRESHOLD is unset: even odds, as
 * nothing here measured a better one (no cross-encoder could be fetched where Verity is built).
 * Applied by createDeps rather than as a schema default, so that a configuration without a
 * cross-encoder carries no setting for one.
 */
export const DEFAULT_VERIFIER_THRESHOLD = 0.5;

/**
 * Request limits when their variables are unset, applied by createApp (as the verifier threshold
 * is by createDeps). Every request body the API takes is a small JSON object: a question is at most
 * 2,000 characters, an ingest run names a path; 64 KiB leaves room for escapes and source filters.
 */
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;
export const DEFAULT_BODY_TIMEOUT_MS = 10_000;

/** Where the ledger's signing key is: VERITY_LEDGER_KEY, else beside the data. */
export const ledgerKeyPath = (config: Config) =>
  config.VERITY_LEDGER_KEY ?? `${config.VERITY_DATA_DIR}/ledger.key`;

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Parse the environment; a bad value stops start-up with a message naming the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable means "unset": `DATABASE_URL= npm start` should fall back to PGlite.
  const present = Object.fromEntries(
    Object.entries(env).filter(([, v]) => v !== undefined && v !== ""),
  );
  const parsed = Config.safeParse(present);
  if (parsed.success) return parsed.data;
  throw new ConfigError(`Invalid configuration:\n${z.prettifyError(parsed.error)}`);
}
