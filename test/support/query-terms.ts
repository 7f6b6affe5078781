import type { QueryTerm } from "../../src/retrieval/lexical.ts";

/** A question term as analyseQuestion makes it, with no paraphrases: weight doubles as idf. */
export function queryTerm(lexeme: string, weight: number, entity = false): QueryTerm {
  return {
    lexeme,
    surface: lexeme,
    df: 1,
    idf: weight,
    weight,
    entity,
    paraphrases: new Map(),
    acronym: false,
  };
}
