import type { EvalQuestion } from "../corpora/types.ts";

/**
 * Cross-validation groups, so no fold is scored on text its model was trained on. Questions are
 * joined when they share a unit of text: a SQuAD article (the source of its paragraphs), or a
 * SciFact abstract (any cited or evidence document), transitively, like the datasets' own split
 * rules. The group's name is its smallest unit.
 */
export function groupQuestions(questions: EvalQuestion[]): Map<string, string> {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let root = x;
    while (parent.get(root) !== root) root = parent.get(root)!;
    for (let at = x; at !== root;) {
      const next = parent.get(at)!;
      parent.set(at, root);
      at = next;
    }
    return root;
  };
  const union = (a: string, b: string) => {
    const [x, y] = [find(a), find(b)];
    if (x !== y) parent.set(x < y ? y : x, x < y ? x : y);
  };
  const unitsOf = (q: EvalQuestion) => {
    const documents = [...q.goldDocuments, ...(q.goldSentences ?? []).map((s) => s.split("#")[0]!)];
    // SQuAD paragraphs are `squad-<article>:docs/...`: the article is the unit.
    return documents.map((d) => (d.startsWith("squad-") ? d.split(":")[0]! : d));
  };
  for (const q of questions) {
    const units = unitsOf(q);
    const own = units.length > 0 ? units : [`question:${q.id}`];
    for (const u of own) if (!parent.has(u)) parent.set(u, u);
    for (const u of own.slice(1)) union(own[0]!, u);
  }
  return new Map(
    questions.map((q) => {
      const units = unitsOf(q);
      return [q.id, find(units[0] ?? `question:${q.id}`)];
    }),
  );
}
