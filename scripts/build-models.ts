/**
 * Build the project's default chat models from scratch (npm run build:models):
 *   world corpus (lib/world, seeded) → shared BPE tokenizer (ChatML) → llama-tiny and qwen2-tiny trained with
 *   tfjs (lib/train) → data/models/<name>/ (config.json, model.safetensors, tokenizer files,
 *   generation_config.json, training_report.json).
 *   → judges/: each concept's exchange success judge fitted for the default study (its seed; lib/metrics
 *   SHIPPED_JUDGES), so that \`npm run study\` does not refit them (the study still validates them every run).
 *   → behaviour_report.json: per concept, how often the model violates with and without the prompting
 *   baseline's instructions (lib/study/behaviour.ts, ONNX engine, seeded sampling).
 *   → steering_report.json: the teacher-forced steering check (lib/study/steerability.ts).
 * Same seed → same corpus, tokenizer, initialisation and batch order. Runs on the fastest tfjs backend present;
 * run scripts/setup-native-tfjs.sh first (minutes instead of hours).
 */
import { existsSync, renameSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { parseArgs, numberOpt, usage, UsageError, type OptionSpec } from "../lib/cli/args";
import { initTf } from "../lib/train/backend";
import { buildTokenizer, DEFAULT_RECIPES, recipeSpec, trainAndSave, type ChatCorpus, type ModelRecipe } from "../lib/train/default-models";
import { chatExamples } from "../lib/train/chat-data";
import { trainLM, DEFAULT_TRAIN } from "../lib/train/loop";
import { buildTfModel } from "../lib/train/model";
import { dataPath } from "../lib/util/paths";
import { buildCorpus, CONCEPTS, DEFAULT_MIX, DEFAULT_SEED, dialogue, renderChat, type CorpusMix } from "../lib/world/index";
import { loadModel } from "../lib/checkpoint/index";
import { createEngine, type Engine } from "../lib/engine/index";
import { measureAllBehaviour } from "../lib/study/behaviour";
import { checkpointContentId } from "../lib/study/identity";
import { conceptExchangeJudge, SHIPPED_JUDGES, shippedJudgeFile } from "../lib/metrics/index";
import { MARGIN_TARGET, measureSteerability, STEER_P, steerCaseLine, STRENGTH_LADDERS, STRENGTH_VALIDATION_PAIRS } from "../lib/study/steerability";
import { writeJsonAtomic } from "../lib/util/atomic";

const OPTIONS: Record<string, OptionSpec> = {
  seed: { type: "string", description: `master seed (default ${DEFAULT_SEED}, the world's default)` },
  dialogues: { type: "string", description: "training dialogues drawn from the world corpus (default 30000)" },
  "held-out": { type: "string", description: "held-out dialogues for eval loss / perplexity (default 1000)" },
  only: { type: "string", description: `build only this model (${DEFAULT_RECIPES.map((r) => r.name).join(", ")})` },
  "report-only": { type: "boolean", description: "only (re)fit the judges and (re)measure the reports (behaviour_report.json, steering_report.json) of the models already in --out" },
  reports: { type: "string", description: "which of judges, behaviour, steering to write (default all three, in that order)" },
  mix: { type: "string", description: "corpus mix overrides for experiments, e.g. violatingPerConcept=0.04,instructed=0.3 (keys of lib/world DEFAULT_MIX)" },
  dims: { type: "string", description: "size overrides for experiments (needs --only), e.g. hidden=256,nLayers=4,intermediate=688 (keys: hidden, nLayers, nHeads, nKvHeads, intermediate)" },
  "steps-scale": { type: "string", description: "multiply every recipe's step count (default 1; e.g. 0.05 for a smoke test)" },
  out: { type: "string", description: "output folder (default data/models)" },
  help: { type: "boolean", description: "show this help" },
};

const SUMMARY = "train the default chat models from the world corpus";

async function main(argv: string[]): Promise<number> {
  const args = parseArgs("build-models", argv, OPTIONS);
  if (args.help) { console.log(usage("build-models", SUMMARY, OPTIONS)); return 0; }
  const seed = numberOpt("build-models", "seed", args.seed, DEFAULT_SEED);
  const nTrain = numberOpt("build-models", "dialogues", args.dialogues, 30000);
  const nHeld = numberOpt("build-models", "held-out", args["held-out"], 1000);
  const scale = numberOpt("build-models", "steps-scale", args["steps-scale"], 1);
  const out = typeof args.out === "string" ? args.out : dataPath("models");
  const recipes = DEFAULT_RECIPES.filter((r) => args.only === undefined || r.name === args.only);
  if (recipes.length === 0) throw new UsageError(`build-models: --only ${args.only} names no model (known: ${DEFAULT_RECIPES.map((r) => r.name).join(", ")})`);
  const dims = parseDims(args.dims);
  if (Object.keys(dims).length > 0 && recipes.length !== 1) throw new UsageError("build-models: --dims needs --only (one model's sizes)");
  const t0 = Date.now();
  const reports = parseReports(args.reports);
  if (args["report-only"]) {
    for (const r of recipes) await writeReports(join(out, r.name), seed, reports);
    return 0;
  }

  // Held-out dialogues are the corpus's next indices: independent draws from the same distribution.
  const mix = parseMix(args.mix);
  const items = buildCorpus({ seed, dialogues: nTrain + nHeld, mix });
  const corpus: ChatCorpus = { train: items.slice(0, nTrain).map((i) => i.text), heldOut: items.slice(nTrain).map((i) => i.text) };
  console.error(`corpus: ${nTrain} training + ${nHeld} held-out dialogues (seed ${seed}, mix ${JSON.stringify({ ...DEFAULT_MIX, ...mix })})`);

  const tok = buildTokenizer(corpus);
  const probe = dialogue("Hello?", "Hi.", "Be brief.");
  if (tok.tokenizer.applyChatTemplate(probe) !== renderChat(probe))
    throw new Error("the tokenizer's chat template does not render dialogues as lib/world's renderChat does");

  const { tf, backend } = await initTf();
  const examples = chatExamples(tok.tokenizer, corpus.train);
  const meanLen = examples.reduce((a, e) => a + e.ids.length, 0) / examples.length;
  console.error(`tokenizer: vocab ${tok.tokenizer.vocabSize}, ${meanLen.toFixed(1)} tokens per dialogue on average`);

  const plan = recipes.map((r): ModelRecipe => ({ ...r, dims: { ...r.dims, ...dims }, train: { ...r.train, steps: Math.max(1, Math.round(r.train.steps * scale)) } }));
  let total = 0;
  for (const r of plan) {
    // Time a few steps on a throwaway copy (its own seed: the real run is unaffected).
    const probeModel = buildTfModel(tf, recipeSpec(r, tok.tokenizer), undefined, { seed: 1 });
    const timing = trainLM(tf, probeModel, examples.slice(0, r.train.batchSize * 5), examples.slice(0, 1),
      { ...DEFAULT_TRAIN, ...r.train, steps: 5, seed: 1, label: `timing ${r.name}` });
    probeModel.dispose();
    const est = timing.medianStepSeconds * r.train.steps;
    total += est;
    console.error(`plan: ${r.name}: ${r.train.steps} steps × ${r.train.batchSize} dialogues, ~${timing.medianStepSeconds.toFixed(2)} s/step on ${backend} → ~${(est / 60).toFixed(1)} min (+ held-out evals)`);
  }
  console.error(`plan: ~${(total / 60).toFixed(1)} min of training in all`);

  for (const r of plan) {
    const dir = join(out, r.name);
    const rep = trainAndSave(tf, backend, r, corpus, tok, seed, dir);
    console.error(`${r.name}: ${rep.parameters} parameters, train loss ${rep.finalTrainLoss.toFixed(3)}, held-out loss ${rep.evalLoss.toFixed(3)} (perplexity ${rep.heldOutPerplexity.toFixed(2)}), ${(rep.wallSeconds / 60).toFixed(1)} min → ${dir}`);
  }
  for (const r of plan) await writeReports(join(out, r.name), seed, reports);
  console.error(`done in ${((Date.now() - t0) / 60000).toFixed(1)} min`);
  return 0;
}

/**
 * `--<option> key=value,...` as numbers by key: every key must be one of `known` and every value pass `valid`
 * (`expected` says what passes, for the error).
 */
function parseOverrides<K extends string>(option: string, text: unknown, known: readonly K[], valid: (v: number) => boolean, expected: string): Partial<Record<K, number>> {
  if (text === undefined) return {};
  const out: Partial<Record<K, number>> = {};
  for (const part of String(text).split(",")) {
    const [key, value] = part.split("=");
    if (!(known as readonly string[]).includes(key)) throw new UsageError(`build-models: --${option}: unknown key '${key}' (known: ${known.join(", ")})`);
    const v = Number(value);
    if (value === undefined || !valid(v)) throw new UsageError(`build-models: --${option}: ${key} must be ${expected} (got ${JSON.stringify(value)})`);
    out[key as K] = v;
  }
  return out;
}

/** `--mix`: overrides of the corpus mix, each in [0, 1]. */
const parseMix = (text: unknown): Partial<CorpusMix> =>
  parseOverrides("mix", text, Object.keys(DEFAULT_MIX) as (keyof CorpusMix)[], (v) => Number.isFinite(v) && v >= 0 && v <= 1, "a number in [0, 1]");

/** `--dims`: size overrides of one recipe, each a positive integer. */
const parseDims = (text: unknown) =>
  parseOverrides("dims", text, ["hidden", "nLayers", "nHeads", "nKvHeads", "intermediate"] as const, (v) => Number.isInteger(v) && v >= 1, "a positive integer");

const REPORTS = ["judges", "behaviour", "steering"] as const;
type Report = (typeof REPORTS)[number];
/** `--reports`: a comma list of report names. */
function parseReports(text: unknown): Set<Report> {
  if (text === undefined) return new Set(REPORTS);
  const names = String(text).split(",").map((x) => x.trim());
  for (const n of names) if (!(REPORTS as readonly string[]).includes(n)) throw new UsageError(`build-models: --reports: unknown report '${n}' (known: ${REPORTS.join(", ")})`);
  return new Set(names as Report[]);
}

/** judges/, behaviour_report.json and/or steering_report.json of the model in dir (judges first: the behaviour report reads them). */
async function writeReports(dir: string, seed: number, reports: ReadonlySet<Report>): Promise<void> {
  const engine = await createEngine(await loadModel(dir));
  try {
    const name = dir.split(/[\\/]/).pop()!;
    if (reports.has("judges")) await writeJudges(engine, name, dir);
    if (reports.has("behaviour")) await writeBehaviour(engine, name, dir);
    if (reports.has("steering")) await writeSteering(engine, name, dir, seed);
  } finally {
    await engine.dispose();
  }
}

/**
 * Each concept's exchange judge as the default study fits it (seed DEFAULT_SEED, keyed by the checkpoint's
 * content identity), into judges/: fitted into a fresh folder that then replaces the old one, so judges of an
 * earlier checkpoint never linger beside the new ones and an interrupted run leaves the old folder whole.
 */
async function writeJudges(engine: Engine, name: string, dir: string): Promise<void> {
  const final = join(dir, SHIPPED_JUDGES), tmp = `${final}.tmp-${process.pid}`, old = `${final}.old-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  const modelId = checkpointContentId(dir);
  for (const concept of CONCEPTS) {
    await conceptExchangeJudge(engine, concept, { seed: DEFAULT_SEED, modelId, cacheDir: tmp, shipped: false });
    console.error(`${name} / ${concept}: judge fitted → ${relative(dir, shippedJudgeFile(dir, concept, modelId, DEFAULT_SEED))}`);
  }
  if (existsSync(final)) renameSync(final, old);
  renameSync(tmp, final);
  rmSync(old, { recursive: true, force: true });
}

async function writeBehaviour(engine: Engine, name: string, dir: string): Promise<void> {
  const file = await measureAllBehaviour(engine, CONCEPTS);
  writeJsonAtomic(join(dir, "behaviour_report.json"), file);
  for (const c of file.concepts)
    console.error(`${name} / ${c.concept}: violating ${pct(c.plain.rate)} plain → ${pct(c.instructed.rate)} instructed (mean judge score ${c.plain.meanScore.toFixed(2)} → ${c.instructed.meanScore.toFixed(2)}, p = ${c.pValue.toFixed(4)}, n = ${c.samples}; on topic ${pct(c.plain.onTopic)} plain, ${pct(c.topicality.real)} of real replies)`);
}

/** The teacher-forced steering check of tests/steering/default-models.test.ts, recorded with the model. */
async function writeSteering(engine: Engine, name: string, dir: string, seed: number): Promise<void> {
  const cases = [];
  for (const concept of CONCEPTS) cases.push(...await measureSteerability(engine, name, concept, { seed }));
  writeJsonAtomic(join(dir, "steering_report.json"), { model: name, seed, ladders: STRENGTH_LADDERS, validationPairs: STRENGTH_VALIDATION_PAIRS, marginTarget: MARGIN_TARGET, p: STEER_P, cases });
  for (const c of cases) console.error(steerCaseLine(name, c));
  console.error(`${name}: ${cases.filter((c) => c.steers).length}/${cases.length} cases steer both ways (p < ${STEER_P}), ${cases.filter((c) => c.margin).length}/${cases.length} with margin ≥ ${MARGIN_TARGET} nats`);
}
const pct = (x: number): string => `${Math.round(100 * x)} %`;

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err instanceof UsageError ? err.message : err);
    process.exit(err instanceof UsageError ? 2 : 1);
  },
);
