import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadModel } from "../../checkpoint/index";
import { createEngine, READ_POLICIES, type ReadPolicy } from "../../engine/index";
import { conceptExchangeJudge, defaultCoherenceJudge, rememberLast } from "../../metrics/index";
import { exportFigures, tuningCurveFigure } from "../../plot/index";
import {
  createMethod, datasetFingerprint, encodePairs, extractVector, loadConceptPairs, METHOD_NAMES, methodRegistry, saveVector, type SteeringVector,
} from "../../steering/index";
import { OBJECTIVES, tuneRange, tuneSteering, type Objective } from "../../study/index";
import { progress, writeJsonAtomic } from "../../util/index";
import { loadConcept, readPrompts } from "../../world/index";
import { numberOpt, parseArgs, usage, UsageError, type OptionSpec } from "../args";
import { SUMMARIES } from "../summaries";
import { PREPACK_OPTION, WEIGHTS_OPTION, weightsOpt } from "../weights";

const summary = SUMMARIES["tune"];

/** The default study's reading policy per built-in method (others: mean). */
const DEFAULT_READ: Record<string, ReadPolicy> = { actadd: "last", caa: "answer", pca: "mean", iti: "mean", probe: "mean" };

const OPTIONS: Record<string, OptionSpec> = {
  model: { type: "string", required: true, description: "checkpoint folder (Hugging Face layout)" },
  concept: { type: "string", required: true, description: "concept name (data/concepts/<name>.json) or path to a concept .json" },
  method: { type: "string", required: true, description: `steering method: ${METHOD_NAMES.join("|")}` },
  layer: { type: "string", description: "a 0-based layer, or auto = search every layer in round 1 (default auto)" },
  objective: { type: "string", description: `${OBJECTIVES.join("|")} (default hm_scd)` },
  budget: { type: "string", description: "generations allowed in all (default 200)" },
  range: { type: "string", description: "round-1 strength bracket LOW,HIGH in the method's units (default per method, e.g. caa 1,16, for the prompt window)" },
  points: { type: "string", description: "strengths per round (default 5)" },
  samples: { type: "string", description: "generations per evaluated strength (default 8)" },
  read: { type: "string", description: `extraction reading policy: ${READ_POLICIES.join("|")} (default: the study's per method)` },
  "max-new-tokens": { type: "string", description: "generation length (default 32)" },
  seed: { type: "string", description: "seed (default 20261128)" },
  out: { type: "string", required: true, description: "output folder: vector.safetensors (+ .json provenance), tune.json, tune-curve.html" },
  weights: WEIGHTS_OPTION,
  "no-prepack": PREPACK_OPTION,
  help: { type: "boolean", description: "show this help" },
};

export async function run(argv: string[]): Promise<number> {
  if (argv.includes("--help")) { console.log(usage("tune", summary, OPTIONS)); return 0; }
  const a = parseArgs("tune", argv, OPTIONS);
  const method = String(a.method);
  if (!METHOD_NAMES.includes(method)) throw new UsageError(`tune: --method must be one of ${METHOD_NAMES.join(", ")}, got '${a.method}'`);
  const objective = String(a.objective ?? "hm_scd") as Objective;
  if (!OBJECTIVES.includes(objective)) throw new UsageError(`tune: --objective must be one of ${OBJECTIVES.join(", ")}, got '${a.objective}'`);
  const read = String(a.read ?? DEFAULT_READ[method] ?? "mean") as ReadPolicy;
  if (!READ_POLICIES.includes(read)) throw new UsageError(`tune: --read must be one of ${READ_POLICIES.join(", ")}, got '${a.read}'`);
  const int = (name: string, fallback: number, min: number): number => {
    const n = numberOpt("tune", name, a[name], fallback);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`tune: --${name} must be an integer ≥ ${min}, got '${a[name]}'`);
    return n;
  };
  let range = tuneRange(method, []);
  if (a.range !== undefined) {
    const parts = String(a.range).split(",").map(Number);
    if (parts.length !== 2 || !parts.every(Number.isFinite) || !(parts[0] > 0 && parts[1] > parts[0])) throw new UsageError(`tune: --range must be LOW,HIGH with 0 < LOW < HIGH, got '${a.range}'`);
    range = [parts[0], parts[1]];
  }
  const seed = int("seed", 20261128, 0);
  const model = await loadModel(String(a.model));
  const descriptor = methodRegistry().find((d) => d.name === method)!;
  const layerArg = String(a.layer ?? "auto");
  if (descriptor.allLayers && layerArg !== "auto") throw new UsageError(`tune: --layer does not apply to ${method}: it chooses its own sites over every layer`);
  // null: the whole vector, fitted over every layer (the method's own sites).
  const layers: (number | null)[] = descriptor.allLayers ? [null] : layerArg === "auto" ? Array.from({ length: model.spec.nLayers }, (_, l) => l) : [int("layer", 0, 0)];
  if (layers.some((l) => l !== null && l >= model.spec.nLayers)) throw new UsageError(`tune: --layer ${layerArg} does not exist (the model has layers 0..${model.spec.nLayers - 1})`);
  const concept = loadConcept(String(a.concept));
  const engine = await createEngine(model, weightsOpt("tune", a));
  try {
    const raw = loadConceptPairs(String(a.concept), read);
    const extract = (ls: number[] | "all"): Promise<SteeringVector> =>
      extractVector(engine, encodePairs(model.tokenizer, raw), { method: createMethod(method), layers: ls, read, dataset: datasetFingerprint(raw), seed });
    const vector = await extract(descriptor.allLayers ? "all" : (layers as number[]));
    // The study's default judges (fitted on the concept's judge split, never on detector_test).
    const judge = rememberLast(await conceptExchangeJudge(engine, concept.name, { seed, modelId: model.dir }));
    const coherenceJudge = await defaultCoherenceJudge(engine, concept.name, judge);
    const budget = int("budget", 200, 1);
    const bar = progress(`tune ${concept.name}/${method}`, 1);
    const result = await tuneSteering({
      engine, judge, coherenceJudge, vector, layers,
      prompts: readPrompts(concept.paths.prompts).map((p) => p.user), objective, budget, range,
      points: int("points", 5, 2), samplesPerPoint: int("samples", 8, 2), seed,
      sampling: { maxNewTokens: int("max-new-tokens", 32, 1), temperature: 0.9, topP: 0.95, topK: 0 },
      window: descriptor.window ?? "prompt", diversity: { sample: "distinct_2", set: "vendi-ngram" }, // the default study's window
      onRound: (r, n) => { bar.label(`round ${r}/${n}`); },
    });
    bar.tick();
    bar.done();
    const out = resolve(String(a.out));
    mkdirSync(out, { recursive: true });
    saveVector(join(out, "vector.safetensors"), layers.length === 1 ? vector : await extract([result.layer!]));
    writeJsonAtomic(join(out, "tune.json"), { concept: concept.name, model: model.dir, method, read, range, budget, ...result });
    await exportFigures([{ name: "tune-curve", fig: tuningCurveFigure(result) }], out, { formats: ["html"] });
    console.log(`${concept.name} / ${method}: ${objective} ${result.value.toFixed(3)} at ${result.layer === null ? "its own sites over every layer" : `layer ${result.layer}`}, strength ${result.strength.toPrecision(4)} ` +
      `(${result.curve.length} points, ${result.generations} generations, ${result.rounds} rounds) → ${out}`);
    return 0;
  } finally {
    await engine.dispose();
  }
}
