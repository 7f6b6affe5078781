import { verifyCitation } from "../citations/verify.ts";
import { newId } from "../ids.ts";
import type { Metrics } from "../metrics/metrics.ts";
import type { ScoredSentence } from "../scoring/evidence.ts";
import { roundScore } from "./round.ts";
import type { Citation } from "./schema.ts";

/** A version's text and hash as the store holds them (the serving process keeps a copy). */
export type VersionText = { text: string; sha256: string };

/**
 * Citations for the selected sentences, each re-checked against the stored version text and the
 * chunk and version hashes first, aligned with the input: a sentence that fails any check gets
 * null and is never cited (and its failures are counted in `metrics`, when given).
 * `versionText` gives a version's stored text and hash, or nothing when it is no longer current.
 */
export function citeVerified(
  versionText: (versionId: string) => VersionText | undefined,
  selected: ScoredSentence[],
  threshold: number,
  metrics?: Pick<Metrics, "countVerificationFailures">,
): (Citation | null)[] {
  return selected.map((s) => {
    const version = versionText(s.candidate.versionId);
    if (!version) {
      metrics?.countVerificationFailures("answer", ["VERSION_MISSING"]);
      return null;
    }
    const { candidate } = s;
    const check = verifyCitation(
      {
        quote: s.quote,
        start: s.start,
        end: s.end,
        score: s.score,
        chunkSha256: candidate.sha256,
        versionSha256: version.sha256,
      },
      {
        versionText: version.text,
        versionSha256: version.sha256,
        chunk: {
          start: candidate.start,
          end: candidate.end,
          text: candidate.text,
          sha256: candidate.sha256,
        },
      },
      threshold,
    );
    if (!check.verified) {
      metrics?.countVerificationFailures("answer", check.failures);
      return null;
    }
    const citation: Citation = {
      id: newId("cit"),
      sourceId: candidate.sourceId,
      documentId: candidate.documentId,
      versionId: candidate.versionId,
      chunkId: candidate.chunkId,
      uri: candidate.uri,
      title: candidate.title,
      path: candidate.path,
      trust: candidate.trust,
      quote: s.quote,
      start: s.start,
      end: s.end,
      sha256: version.sha256,
      chunkSha256: candidate.sha256,
      score: roundScore(s.score),
      verified: true,
      suspectedInjection: candidate.suspectedInjection,
    };
    return citation;
  });
}
