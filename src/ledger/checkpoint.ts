import { sign, verify } from "node:crypto";
import { z } from "zod";
import { HASH_SIZE } from "./merkle.ts";
import type { LedgerPublicKey, LedgerSigningKey } from "./signing-key.ts";

/**
 * Checkpoints as C2SP tlog-checkpoint bodies inside C2SP signed notes, so any tool that reads
 * transparency-log checkpoints (Go's sumdb/note, the transparency-dev witnesses) reads ours:
 *
 *   verity.local/ledger          origin (= the key name)
 *   1234                         tree size
 *   <base64 root hash>
 *   time 2025-01-01T00:00:00Z    extension line: when it was signed
 *
 *   — verity.local/ledger <base64(4-byte key id || Ed25519 signature)>
 */
export const SignedCheckpoint = z.object({
  origin: z.string().min(1),
  treeSize: z.number().int().min(0),
  rootHash: z.string().regex(/^[0-9a-f]{64}$/),
  /** The signing time, as in the note's `time` line (ISO 8601). */
  time: z.string(),
  /** The whole signed note: the only part a verifier trusts; the fields above restate it. */
  note: z.string(),
  keyId: z.string().regex(/^[0-9a-f]{8}$/),
  /** Base64 of the 64-byte Ed25519 signature over the note's body. */
  signature: z.string(),
});
export type SignedCheckpoint = z.infer<typeof SignedCheckpoint>;

export type CheckpointVerification =
  | { ok: true; origin: string; treeSize: number; root: Buffer; time: string | null }
  | { ok: false; reason: string };

const TIME_LINE = "time ";
/** Go's note.Open refuses more; a log's own checkpoint carries one or a few cosignatures. */
const MAX_SIGNATURES = 100;

/** Base64 that decodes and re-encodes to itself: Buffer.from alone skips junk silently. */
function strictBase64(text: string): Buffer | null {
  const bytes = Buffer.from(text, "base64");
  return bytes.toString("base64") === text ? bytes : null;
}

export function checkpointBody(
  origin: string,
  treeSize: number,
  root: Buffer,
  extensions: string[] = [],
): string {
  if (!origin || /\s/.test(origin)) throw new Error(`checkpoint origin ${JSON.stringify(origin)}`);
  if (!Number.isSafeInteger(treeSize) || treeSize < 0) throw new Error(`tree size ${treeSize}`);
  if (root.length !== HASH_SIZE) throw new Error(`a root hash is ${HASH_SIZE} bytes`);
  if (extensions.some((line) => !line || line.includes("\n"))) {
    throw new Error("checkpoint extension lines are non-empty single lines");
  }
  return [origin, String(treeSize), root.toString("base64"), ...extensions, ""].join("\n");
}

/** A C2SP signed note: `text`, a blank line, and this key's signature line. */
export function signNote(key: LedgerSigningKey, text: string): string {
  if (!text.endsWith("\n") || /[\x00-\x09\x0b-\x1f]|\p{Cs}/u.test(text)) {
    throw new Error("a note's text ends with a newline and has no control characters");
  }
  const signature = sign(null, Buffer.from(text, "utf8"), key.privateKey);
  const line = Buffer.concat([Buffer.from(key.keyId, "hex"), signature]).toString("base64");
  return `${text}\n— ${key.name} ${line}\n`;
}

type Parsed<T> = ({ ok: true } & T) | { ok: false; reason: string };
type NoteSignature = { name: string; keyId: string; signature: Buffer };
const fail = (reason: string) => ({ ok: false as const, reason });

/** Splits a note at its last blank line into text and well-formed signature lines. */
function parseNote(note: string): Parsed<{ text: string; signatures: NoteSignature[] }> {
  if (/[\x00-\x09\x0b-\x1f]|\p{Cs}/u.test(note)) return fail("note holds a control character");
  const split = note.lastIndexOf("\n\n");
  if (split < 0 || !note.endsWith("\n")) return fail("note has no blank line before signatures");
  const lines = note.slice(split + 2, -1).split("\n");
  if (lines.length > MAX_SIGNATURES) return fail(`note has over ${MAX_SIGNATURES} signatures`);
  const signatures: NoteSignature[] = [];
  for (const line of lines) {
    const match = /^— ([^\s+]+) (\S+)$/u.exec(line);
    const bytes = match ? strictBase64(match[2]!) : null;
    if (!match || !bytes || bytes.length < 5) return fail(`malformed signature line "${line}"`);
    const keyId = bytes.subarray(0, 4).toString("hex");
    signatures.push({ name: match[1]!, keyId, signature: bytes.subarray(4) });
  }
  return { ok: true, text: note.slice(0, split + 1), signatures };
}

/**
 * Opens a signed note with one trusted key: signature lines from other keys are ignored (the
 * spec lets witnesses add theirs), but a line with this key's name and id must be there and
 * must verify.
 */
export function verifyNote(key: LedgerPublicKey, note: string): Parsed<{ text: string }> {
  const parsed = parseNote(note);
  if (!parsed.ok) return parsed;
  const ours = parsed.signatures.filter((s) => s.name === key.name && s.keyId === key.keyId);
  if (ours.length === 0) {
    const seen = parsed.signatures.map((s) => `${s.name}/${s.keyId}`).join(", ");
    return fail(`not signed by ${key.name}/${key.keyId} (signed by ${seen})`);
  }
  const text = Buffer.from(parsed.text, "utf8");
  if (!ours.every((s) => verify(null, text, key.publicKey, s.signature))) {
    return fail(`signature by ${key.name}/${key.keyId} does not verify`);
  }
  return { ok: true, text: parsed.text };
}

function parseBody(text: string): Parsed<Omit<CheckpointVerification & { ok: true }, "ok">> {
  const lines = text.slice(0, -1).split("\n");
  if (lines.length < 3 || lines.includes("")) return fail("checkpoint body is not 3+ lines");
  const [origin, size, rootText, ...extensions] = lines as [string, string, string, ...string[]];
  const treeSize = Number(size);
  if (!/^(0|[1-9][0-9]*)$/.test(size) || !Number.isSafeInteger(treeSize)) {
    return fail(`checkpoint tree size "${size}" is not a decimal count`);
  }
  const root = strictBase64(rootText);
  if (!root || root.length !== HASH_SIZE) return fail("checkpoint root is not a base64 SHA-256");
  // Other extension lines are opaque by the spec; only our own `time` line is read.
  const timeLine = extensions.find((line) => line.startsWith(TIME_LINE));
  const time = timeLine ? timeLine.slice(TIME_LINE.length) : null;
  if (time !== null && Number.isNaN(Date.parse(time))) return fail(`checkpoint time "${time}"`);
  return { ok: true, origin, treeSize, root, time };
}

export function signCheckpoint(
  key: LedgerSigningKey,
  treeSize: number,
  root: Buffer,
  time = new Date(),
): SignedCheckpoint {
  const iso = time.toISOString();
  const body = checkpointBody(key.name, treeSize, root, [TIME_LINE + iso]);
  return toSignedCheckpoint(signNote(key, body));
}

/** Verifies the signature first: per signed-note, an unverified body must not be read. */
export function verifyCheckpoint(publicKey: LedgerPublicKey, note: string): CheckpointVerification {
  const opened = verifyNote(publicKey, note);
  if (!opened.ok) return opened;
  const body = parseBody(opened.text);
  if (body.ok && body.origin !== publicKey.name) {
    return fail(`checkpoint origin "${body.origin}" is not the key's name "${publicKey.name}"`);
  }
  return body;
}

/**
 * The JSON shape of a note this log signed (read back from storage), WITHOUT verifying it:
 * for serving checkpoints, never for trusting one. Throws on a note that is not one of ours.
 */
export function toSignedCheckpoint(note: string): SignedCheckpoint {
  const parsed = parseNote(note);
  const body = parsed.ok ? parseBody(parsed.text) : parsed;
  if (!body.ok) throw new Error(`not a checkpoint note: ${body.reason}`);
  const own = parsed.ok && parsed.signatures.find((s) => s.name === body.origin);
  if (!own) throw new Error(`checkpoint note has no signature by its origin ${body.origin}`);
  if (body.time === null) throw new Error("checkpoint note has no time line");
  return {
    origin: body.origin,
    treeSize: body.treeSize,
    rootHash: body.root.toString("hex"),
    time: body.time,
    note,
    keyId: own.keyId,
    signature: own.signature.toString("base64"),
  };
}
