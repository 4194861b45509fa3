import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadModel } from "../../checkpoint/index";
import { defaultProbeLayer, composeTrainingSet, realExamples, type Replacement, evaluateDetector, type DetectorConfig, DEFAULT_FINETUNE, DEFAULT_HEAD } from "../../detect/index";
import { generatePrompting, ArtefactStore, checkpointContentId } from "../../study/index";
import { createEngine } from "../../engine/index";
import { readGenerations } from "../../metrics/index";
import { writeJsonAtomic, dataPath, repoRoot, deriveSeed } from "../../util/index";
import { loadConcept, readBaseline, readLabelled, readPrompts } from "../../world/index";
import { intOpt, numberOpt, parseArgs, seedOpt, usage, UsageError } from "../args";
import { SUMMARIES } from "../summaries";
import { PREPACK_OPTION, WEIGHTS_OPTION, weightsOpt } from "../weights";

const summary = SUMMARIES["train"];

const OPTIONS = {
  concept: { type: "string", required: true, description: "concept name (data/concepts/<name>.json) or path to a concept .json" },
  data: { type: "string", required: true, description: "real | prompting | GENERATIONS.jsonl (lines with `text`, optional `prompt`): the violating examples" },
  detector: { type: "string", description: "probe (default) | finetune" },
  seeds: { type: "string", description: "detector seeds (default 3)" },
  out: { type: "string", required: true, description: "R.json: auroc, auroc_ci, aurocs, n_train, n_test, detector, data" },
  model: { type: "string", description: "checkpoint for features / fine-tuning (and prompting generation); default data/models/llama-tiny" },
  layer: { type: "string", description: "probe: layer whose resid_post is pooled (default: two thirds of the depth); finetune: layer the head reads (default: the final norm)" },
  positives: { type: "string", description: "violating examples in the training set (default: all generations for a file, else 96)" },
  negatives: { type: "string", description: "compliant real examples kept (default 400)" },
  seed: { type: "string", description: "base seed (default 20261128)" },
  bootstrap: { type: "string", description: "bootstrap iterations for the CI (default 1000)" },
  "max-new-tokens": { type: "string", description: "prompting generation length (default 40)" },
  temperature: { type: "string", description: "prompting sampling temperature (default 0.9)" },
  "top-p": { type: "string", description: "prompting nucleus mass (default 0.95)" },
  cache: { type: "string", description: "cache folder for features and detector runs (default .cache/detect)" },
  weights: WEIGHTS_OPTION,
  "no-prepack": PREPACK_OPTION,
  help: { type: "boolean", description: "show this help" },
} as const;

export async function run(argv: string[]): Promise<number> {
  if (argv.includes("--help")) { console.log(usage("train", summary, OPTIONS)); return 0; }
  const a = parseArgs("train", argv, OPTIONS);
  const kind = String(a.detector ?? "probe");
  if (kind !== "probe" && kind !== "finetune") throw new UsageError(`train: --detector must be probe or finetune (got '${kind}')`);
  // Every option is checked before the model loads: a bad count must never silently change the training set.
  const seed = seedOpt("train", a.seed, 20261128);
  const engineOpts = weightsOpt("train", a), weights = engineOpts.weights;
  const nSeeds = intOpt("train", "seeds", a.seeds, 3, 1);
  const positivesOpt = a.positives === undefined ? undefined : intOpt("train", "positives", a.positives, undefined, 1);
  const negatives = intOpt("train", "negatives", a.negatives, 400, 1);
  const bootstrap = intOpt("train", "bootstrap", a.bootstrap, 1000, 10);
  const layerOpt = a.layer === undefined ? undefined : intOpt("train", "layer", a.layer, undefined, 0);
  const sampling = {
    maxNewTokens: intOpt("train", "max-new-tokens", a["max-new-tokens"], 40, 1), temperature: numberOpt("train", "temperature", a.temperature, 0.9),
    topP: numberOpt("train", "top-p", a["top-p"], 0.95), topK: 0,
  };
  const modelDir = resolve(String(a.model ?? dataPath("models", "llama-tiny")));
  const concept = loadConcept(String(a.concept));
  const train = realExamples(readLabelled(concept.paths.detector_train), "detector_train");
  const test = realExamples(readLabelled(concept.paths.detector_test), "detector_test");

  const loaded = await loadModel(modelDir);
  const engine = await createEngine(loaded, engineOpts);
  try {
    const data = String(a.data);
    let replacement: Replacement | undefined;
    let positives = positivesOpt ?? 96;
    if (layerOpt !== undefined && layerOpt >= loaded.spec.nLayers)
      throw new UsageError(`train: --layer ${layerOpt} does not exist (${modelDir} has layers 0..${loaded.spec.nLayers - 1})`);
    if (data === "prompting") {
      replacement = await generatePrompting({
        engine, concept: concept.name, samples: positives, seed,
        prompts: readPrompts(concept.paths.prompts).map((p) => p.user), systems: readBaseline(concept.paths.baseline).map((b) => b.system),
        sampling,
      });
    } else if (data !== "real") {
      if (!existsSync(data)) throw new UsageError(`train: --data must be real, prompting or an existing GENERATIONS.jsonl (no file '${data}')`);
      const rows = readGenerations(data);
      replacement = { source: "steered", items: rows.map((r, i) => ({ user: r.prompt ?? "", text: r.text, provenance: { file: data, line: i + 1 } })) };
      if (positivesOpt === undefined) positives = replacement.items.filter((g) => g.text.trim()).length;
    }
    const detector: DetectorConfig = kind === "probe"
      ? { kind, layer: layerOpt ?? defaultProbeLayer(loaded.spec.nLayers), head: DEFAULT_HEAD }
      : { kind, config: layerOpt === undefined ? DEFAULT_FINETUNE : { ...DEFAULT_FINETUNE, layer: layerOpt } };
    const cacheDir = resolve(String(a.cache ?? join(repoRoot(), ".cache", "detect")));
    const result = await evaluateDetector({
      engine, modelId: checkpointContentId(modelDir, weights), detector,
      trainingSet: (s) => composeTrainingSet(train, { positives, negatives, seed: s, ...(replacement ? { replacement } : {}) }),
      test, seeds: Array.from({ length: nSeeds }, (_, i) => deriveSeed(seed, "detector", i)),
      bootstrapIterations: bootstrap,
      data, store: new ArtefactStore(cacheDir),
    });
    writeJsonAtomic(resolve(String(a.out)), { ...result, concept: concept.name, model: modelDir });
    console.log(`concept ${concept.name} · data ${data} · detector ${result.detector} · n_train ${result.n_train} · n_test ${result.n_test}`);
    console.log("seed        AUROC");
    result.seeds.forEach((s, i) => console.log(`${String(s).padEnd(11)} ${result.aurocs[i].toFixed(4)}`));
    console.log(`mean        ${result.auroc.toFixed(4)}  (95% CI ${result.auroc_ci[0].toFixed(4)}–${result.auroc_ci[1].toFixed(4)})`);
    return 0;
  } finally {
    await engine.dispose();
  }
}
