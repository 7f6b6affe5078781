import { sha256 } from "../hash.ts";

/** Why a citation cannot be trusted; each names one check of `verifyCitation`. */
export type VerificationFailure =
  | "VERSION_HASH_MISMATCH"
  | "CHUNK_HASH_MISMATCH"
  | "CHUNK_OFFSETS_MISMATCH"
  | "QUOTE_OUTSIDE_CHUNK"
  | "QUOTE_MISMATCH"
  | "BELOW_THRESHOLD";

export type CitationUnderCheck = {
  quote: string;
  start: number;
  end: number;
  score: number;
  /** Hash the chunk had when it was cited (or, before citing, the hash stored with the chunk). */
  chunkSha256: string;
  /** Hash the version had when it was cited (or the one stored with the version). */
  versionSha256: string;
};

export type StoredEvidence = {
  versionText: string;
  versionSha256: string;
  chunk: { start: number; end: number; text: string; sha256: string };
};

export type Verification = { verified: boolean; failures: VerificationFailure[] };

/**
 * Check a citation against what is stored: the version text still hashes to its recorded
 * digest, the chunk still hashes to its digest and sits at its offsets, the quote is exactly
 * the version text at the citation's offsets inside the chunk, and its support clears the
 * threshold. Every check runs, so a reviewer sees all that is wrong, not just the first.
 */
export function verifyCitation(
  citation: CitationUnderCheck,
  stored: StoredEvidence,
  threshold: number,
): Verification {
  const failures: VerificationFailure[] = [];
  const { versionText, chunk } = stored;
  const versionDigest = sha256(versionText);
  if (versionDigest !== stored.versionSha256 || versionDigest !== citation.versionSha256) {
    failures.push("VERSION_HASH_MISMATCH");
  }
  const chunkDigest = sha256(chunk.text);
  if (chunkDigest !== chunk.sha256 || chunkDigest !== citation.chunkSha256) {
    failures.push("CHUNK_HASH_MISMATCH");
  }
  if (versionText.slice(chunk.start, chunk.end) !== chunk.text)
    failures.push("CHUNK_OFFSETS_MISMATCH");
  if (!(
    chunk.start <= citation.start &&
    citation.start < citation.end &&
    citation.end <= chunk.end
  )) {
    failures.push("QUOTE_OUTSIDE_CHUNK");
  }
  if (versionText.slice(citation.start, citation.end) !== citation.quote)
    failures.push("QUOTE_MISMATCH");
  if (!(citation.score >= threshold)) failures.push("BELOW_THRESHOLD");
  return { verified: failures.length === 0, failures };
}
