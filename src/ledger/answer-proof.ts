import { z } from "zod";
import { canonicalJson } from "./canonical-json.ts";
import { SignedCheckpoint, verifyCheckpoint, type CheckpointVerification } from "./checkpoint.ts";
import { parseEntry, type LedgerEntry } from "./entry.ts";
import { leafHash, verifyInclusion } from "./merkle.ts";
import type { LedgerPublicKey } from "./signing-key.ts";

const HexHash = z.string().regex(/^[0-9a-f]{64}$/);

/**
 * Everything a reviewer needs to check one answer offline with only the ledger's public key:
 * the body they were sent, the leaf that recorded it, and the path from that leaf to a signed
 * checkpoint root.
 */
export const AnswerProof = z.object({
  answerId: z.string().min(1),
  /** The exact response body the client received (canonical JSON). */
  body: z.string(),
  /** The ledger leaf text (canonical JSON of a LedgerEntry of kind "answer"). */
  entry: z.string(),
  leafIndex: z.number().int().min(0),
  treeSize: z.number().int().min(1),
  /** RFC 9162 inclusion path, deepest sibling first, as lowercase hex. */
  inclusion: z.array(HexHash),
  checkpoint: SignedCheckpoint,
});
export type AnswerProof = z.infer<typeof AnswerProof>;

export const PROOF_CHECKS = ["shape", "body", "entry", "response", "checkpoint", "inclusion"];
export type ProofCheck = { name: string; ok: boolean; detail?: string };
export type AnswerProofResult = { ok: boolean; checks: ProofCheck[] };

const pass = (name: string): ProofCheck => ({ name, ok: true });
const fail = (name: string, detail: string): ProofCheck => ({ name, ok: false, detail });
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/**
 * Runs every check and reports each, rather than stopping at the first failure, so a reviewer
 * sees at once whether the body, the leaf or the signature is what does not hold.
 * Takes `unknown` because a bundle arrives as JSON from someone the reviewer need not trust.
 */
export function verifyAnswerProof(proof: unknown, publicKey: LedgerPublicKey): AnswerProofResult {
  const shape = AnswerProof.safeParse(proof);
  if (!shape.success) {
    const detail = shape.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
    const checks = PROOF_CHECKS.map((name) =>
      name === "shape" ? fail(name, detail) : fail(name, "not run: the bundle is malformed"),
    );
    return { ok: false, checks };
  }
  const p = shape.data;
  let entry: LedgerEntry | null = null;
  let entryError = "";
  try {
    entry = parseEntry(p.entry);
  } catch (error) {
    entryError = message(error);
  }
  const signed = verifyCheckpoint(publicKey, p.checkpoint.note);
  const checks = [
    pass("shape"),
    checkBody(p),
    checkEntry(p, entry, entryError),
    checkResponse(p, entry),
    checkCheckpoint(p, signed),
    checkInclusion(p, signed),
  ];
  return { ok: checks.every((c) => c.ok), checks };
}

function checkBody(p: AnswerProof): ProofCheck {
  let body: unknown;
  try {
    body = JSON.parse(p.body);
  } catch (error) {
    return fail("body", `body is not JSON: ${message(error)}`);
  }
  // Canonical text is what makes "the same answer" a byte-for-byte question.
  if (canonicalJson(body) !== p.body) return fail("body", "body is not canonical JSON (RFC 8785)");
  const id = (body as { id?: unknown } | null)?.id;
  if (id !== p.answerId) return fail("body", `body id ${JSON.stringify(id)} is not ${p.answerId}`);
  return pass("body");
}

function checkEntry(p: AnswerProof, entry: LedgerEntry | null, error: string): ProofCheck {
  if (!entry) return fail("entry", error);
  const problems = [
    entry.kind !== "answer" && `kind is "${entry.kind}", not "answer"`,
    entry.subject !== p.answerId && `subject ${JSON.stringify(entry.subject)} is not ${p.answerId}`,
    entry.index !== p.leafIndex && `entry index ${entry.index} is not leaf ${p.leafIndex}`,
  ].filter((x): x is string => typeof x === "string");
  return problems.length ? fail("entry", problems.join("; ")) : pass("entry");
}

function checkResponse(p: AnswerProof, entry: LedgerEntry | null): ProofCheck {
  if (!entry) return fail("response", "not run: the entry did not parse");
  const response = entry.payload.response;
  if (response === undefined) return fail("response", "entry payload has no response");
  // The response was read back from JSON, so canonicalJson cannot throw on it.
  if (canonicalJson(response) !== p.body) {
    return fail("response", "the response recorded in the ledger is not the body");
  }
  return pass("response");
}

function checkCheckpoint(p: AnswerProof, signed: CheckpointVerification): ProofCheck {
  if (!signed.ok) return fail("checkpoint", signed.reason);
  const problems = [
    signed.treeSize !== p.treeSize &&
      `checkpoint is of a tree of ${signed.treeSize}, the proof of ${p.treeSize}`,
    p.leafIndex >= signed.treeSize &&
      `leaf ${p.leafIndex} is past the checkpoint's ${signed.treeSize} leaves`,
    // The JSON fields only restate the note; a reader shown them must not be shown other values.
    (p.checkpoint.treeSize !== signed.treeSize ||
      p.checkpoint.rootHash !== signed.root.toString("hex") ||
      p.checkpoint.origin !== signed.origin) &&
      "checkpoint fields disagree with its signed note",
  ].filter((x): x is string => typeof x === "string");
  return problems.length ? fail("checkpoint", problems.join("; ")) : pass("checkpoint");
}

function checkInclusion(p: AnswerProof, signed: CheckpointVerification): ProofCheck {
  if (!signed.ok) return fail("inclusion", "not run: no verified checkpoint root");
  const proof = p.inclusion.map((h) => Buffer.from(h, "hex"));
  // Checked against the signed size and root, never the bundle's own claim of them.
  const ok = verifyInclusion(leafHash(p.entry), p.leafIndex, signed.treeSize, proof, signed.root);
  return ok
    ? pass("inclusion")
    : fail(
        "inclusion",
        `entry is not leaf ${p.leafIndex} of the signed tree of ${signed.treeSize}`,
      );
}
