import { analyseText, type LexemePositions } from "../text/analyse.ts";
import { evidenceUnits, type EvidenceUnit } from "../text/evidence-units.ts";
import { createLru } from "../text/lru.ts";

/** A retrieved passage as sentence scoring reads it: its evidence units and everyone's lexemes. */
export type PassageAnalysis = {
  units: EvidenceUnit[];
  /** unitLexemes[i] belongs to units[i]. */
  unitLexemes: LexemePositions[];
  passageLexemes: LexemePositions;
};

/**
 * Passages whose analysis is kept (~10-20 kB each). Popular passages come back question after
 * question; cutting one into sentences and stemming every word was about a tenth of an answer's
 * CPU at 100k chunks.
 */
const PASSAGES_KEPT = 4096;
/** Contexts (title, source name, heading) are few and short. */
const CONTEXTS_KEPT = 4096;

const passages = createLru<string, PassageAnalysis>(PASSAGES_KEPT);
const contexts = createLru<string, LexemePositions>(CONTEXTS_KEPT);

/**
 * The analysis of a passage, by its text: the same text always gives the same units and lexemes
 * (analyseText is PostgreSQL's english configuration, evidenceUnits a pure function of the text),
 * so the text itself is the key and a stored row altered in place is analysed afresh. Callers
 * must not change what they get: it is shared.
 */
export function analysePassage(text: string): PassageAnalysis {
  let analysis = passages.get(text);
  if (!analysis) {
    const units = evidenceUnits(text);
    analysis = {
      units,
      unitLexemes: units.map((u) => analyseText(u.text)),
      passageLexemes: analyseText(text),
    };
    passages.set(text, analysis);
  }
  return analysis;
}

/** analyseText of a short context text, kept like passages (shared: do not change it). */
export function analyseContext(text: string): LexemePositions {
  let lexemes = contexts.get(text);
  if (!lexemes) {
    lexemes = analyseText(text);
    contexts.set(text, lexemes);
  }
  return lexemes;
}
