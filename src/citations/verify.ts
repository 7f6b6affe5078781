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

/** A stored citation and the stored rows it cites, as the database returns them. */
export type StoredCitation = {
  citation: CitationUnderCheck;
  chunk: StoredEvidence["chunk"];
  version: { text: string; textSha256: string };
};

/** verifyCitation of a stored citation against the rows it points at now. */
export function verifyStoredCitation(stored: StoredCitation, threshold: number): Verification {
  const { citation, chunk, version } = stored;
  return verifyCitation(
    {
      quote: citation.quote,
      start: citation.start,
      end: citation.end,
      score: citation.score,
      chunkSha256: citation.chunkSha256,
      versionSha256: citation.versionSha256,
    },
    {
      versionText: version.text,
      versionSha256: version.textSha256,
      chunk: { start: chunk.start, end: chunk.end, text: chunk.text, sha256: chunk.sha256 },
    },
    threshold,
  );
}
