import { existsSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { answerQuestion } from "../src/answer/compose.ts";
import { FEATURE_NAMES } from "../src/answer/features.ts";
import { predictAnswerable, type VerifierModel } from "../src/answer/verifier.ts";
import { loadConfig } from "../src/config.ts";
import { createDeps } from "../src/deps.ts";
import { sha256 } from "../src/hash.ts";
import { loadManifest } from "../ingest/manifest.ts";
import { ingestManifest } from "../ingest/pipeline.ts";
import { prepareSquad } from "../eval/squad.ts";
import { fitLogistic } from "./verifier/logistic.ts";

/** Candidate sentences per question kept for training (by heuristic rank). */
const TOP_K = 5;
const FOLDS = 5;
const TARGETS = [0.8, 0.85, 0.9, 0.95];

type Example = {
  question: string;
  group: string;
  answerable: boolean;
  candidates: { x: number[]; y: number }[];
};

const squash = (s: string) => s.replace(/\s+/g, " ").trim().toLowerCase();

/**
 * `npm run train-verifier`: collect evidence features for every public SQuAD 2.0 question through
 * the real answering path, fit logistic regression with article-level cross-validation (folds
 * never share an article), report held-out figures, and write the model artefact.
 */
async function main() {
  const { values } = parseArgs({
    options: {
      squad: { type: "string", default: "../shared/datasets/squad2/public.json" },
      store: { type: "string", default: ".verity-eval/train-squad2" },
      out: { type: "string", default: "src/answer/verifier-model.json" },
    },
  });
  const examples = await collectSquad(values.squad!, resolve(values.store!));
  const cv = crossValidate(examples);
  console.log(`cross-validated (${FOLDS} article folds, ${examples.length} questions):`);
  for (const p of cv.points) {
    console.log(
      `  target precision ${p.targetPrecision}: threshold ${p.threshold.toFixed(3)} -> accuracy ${p.accuracy.toFixed(3)}, answered precision ${p.precision.toFixed(3)}, coverage ${p.coverage.toFixed(3)}`,
    );
  }
  console.log(
    `  best accuracy ${cv.best.accuracy.toFixed(3)} at threshold ${cv.best.threshold.toFixed(3)} (precision ${cv.best.precision.toFixed(3)})`,
  );
  const all = examples.flatMap((e) => e.candidates);
  const fit = fitLogistic(
    all.map((c) => c.x),
    all.map((c) => c.y),
  );
  const model: VerifierModel = {
    version: `lr-${sha256(JSON.stringify(fit)).slice(0, 10)}`,
    kind: "logistic-regression",
    features: [...FEATURE_NAMES],
    ...fit,
    operatingPoints: cv.points.map((p) => ({
      targetPrecision: p.targetPrecision,
      threshold: round(p.threshold),
    })),
    trainedOn: [values.squad!],
    crossValidation: {
      folds: FOLDS,
      grouping: "article",
      questions: examples.length,
      points: cv.points,
      best: cv.best,
    },
    createdAt: new Date().toISOString(),
  };
  await writeFile(values.out!, `${JSON.stringify(model, null, 2)}\n`);
  console.log(`wrote ${values.out} (${model.version})`);
}

async function collectSquad(dataPath: string, store: string): Promise<Example[]> {
  const cache = join(store, "verifier-examples.json");
  const corpus = await prepareSquad(dataPath, join(store, "corpus"));
  const key = sha256(FEATURE_NAMES.join(",") + (await readFile(dataPath, "utf8")).length);
  if (existsSync(cache)) {
    const cached = JSON.parse(await readFile(cache, "utf8")) as {
      key: string;
      examples: Example[];
    };
    if (cached.key === key) return cached.examples;
  }
  await mkdir(store, { recursive: true });
  const deps = await createDeps(loadConfig({ VERITY_DATA_DIR: store, LOG_LEVEL: "warn" }));
  try {
    await ingestManifest({
      db: deps.database.db,
      embedder: deps.embedder,
      manifest: await loadManifest(corpus.manifestPath),
      ingestedBy: "train-verifier",
    });
    await deps.index.refresh();
    const examples: Example[] = [];
    for (const [i, q] of corpus.questions.entries()) {
      let scored: { text: string; features: number[] }[] = [];
      await answerQuestion(
        {
          db: deps.database.db,
          embedder: deps.embedder,
          searchable: deps.index.current,
          policy: { ...deps.policy, threshold: 0 },
          verifier: null,
        },
        { question: q.question },
        (evidence) => (scored = evidence.scored),
      );
      const seen = new Set<string>();
      const candidates = [];
      for (const s of scored) {
        if (seen.has(s.text) || candidates.length >= TOP_K) continue;
        seen.add(s.text);
        const y =
          q.answerable && q.goldAnswers.some((g) => squash(s.text).includes(squash(g))) ? 1 : 0;
        candidates.push({ x: s.features, y });
      }
      examples.push({
        question: q.id,
        group: q.goldDocuments[0]!.split(":")[0]!,
        answerable: q.answerable,
        candidates,
      });
      if ((i + 1) % 500 === 0)
        console.error(`features for ${i + 1}/${corpus.questions.length} questions`);
    }
    await writeFile(cache, JSON.stringify({ key, examples }));
    return examples;
  } finally {
    await deps.close();
  }
}

type Point = {
  targetPrecision: number;
  threshold: number;
  accuracy: number;
  precision: number;
  coverage: number;
};

/** Article-grouped k-fold: each fold's model never saw the articles it is scored on. */
function crossValidate(examples: Example[]) {
  const groups = [...new Set(examples.map((e) => e.group))].sort();
  const foldOf = new Map(groups.map((g) => [g, parseInt(sha256(g).slice(0, 8), 16) % FOLDS]));
  const decided: { best: number; correct: boolean; answerable: boolean }[] = [];
  for (let fold = 0; fold < FOLDS; fold++) {
    const train = examples.filter((e) => foldOf.get(e.group) !== fold).flatMap((e) => e.candidates);
    const fit = fitLogistic(
      train.map((c) => c.x),
      train.map((c) => c.y),
    );
    for (const e of examples.filter((e) => foldOf.get(e.group) === fold)) {
      const probs = e.candidates.map((c) => predictAnswerable(fit, c.x));
      const top = probs.reduce((bi, p, i) => (p > probs[bi]! ? i : bi), 0);
      decided.push({
        best: probs.length ? probs[top]! : -1,
        correct: e.candidates[top]?.y === 1,
        answerable: e.answerable,
      });
    }
  }
  const at = (t: number) => {
    let correct = 0;
    let answered = 0;
    let answeredCorrect = 0;
    for (const d of decided) {
      const answers = d.best >= t;
      if (answers) {
        answered += 1;
        if (d.correct) answeredCorrect += 1;
      }
      if (answers ? d.correct : !d.answerable) correct += 1;
    }
    return {
      threshold: t,
      accuracy: correct / decided.length,
      precision: answered ? answeredCorrect / answered : 1,
      coverage: answered / decided.length,
    };
  };
  const sweep = Array.from({ length: 1000 }, (_, i) => at(i / 1000));
  const best = sweep.reduce((b, p) => (p.accuracy > b.accuracy ? p : b));
  const points: Point[] = TARGETS.map((target) => {
    const ok = sweep.filter((p) => p.precision >= target && p.coverage > 0);
    const chosen = ok.length
      ? ok.reduce((b, p) => (p.accuracy > b.accuracy ? p : b))
      : sweep[sweep.length - 1]!;
    return { targetPrecision: target, ...chosen };
  });
  return { points, best };
}

function round(x: number) {
  return Math.round(x * 10000) / 10000;
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
