import { basename } from "node:path";
import { loadModel } from "../../checkpoint/index";
import { createEngine, READ_POLICIES, type ReadPolicy } from "../../engine/index";
import {
  createMethod, datasetFingerprint, encodeControlVector, encodePairs, extractVector, loadConceptPairs, METHOD_NAMES, METHODS,
  readPairsJsonl, vectorFiles, provenancePath,
} from "../../steering/index";
import { checkFileTarget, writeFilesAtomic } from "../../util/index";
import { intOpt, parseArgs, seedOpt, usage, UsageError, type OptionSpec } from "../args";
import { SUMMARIES } from "../summaries";
import { PREPACK_OPTION, WEIGHTS_OPTION, weightsOpt } from "../weights";

const summary = SUMMARIES["extract"];

const OPTIONS: Record<string, OptionSpec> = {
  model: { type: "string", required: true, description: "checkpoint folder (Hugging Face layout)" },
  concept: { type: "string", description: "a concept of data/concepts (its pairs, or its A/B items with --read answer), rendered with the chat template" },
  pairs: { type: "string", description: "JSON lines {positive, negative} texts or {positive_ids, negative_ids} token ids (used as given)" },
  method: { type: "string", required: true, description: `extraction method: ${METHOD_NAMES.join("|")}` },
  layers: { type: "string", required: true, description: "all, or a comma-separated list of 0-based layers (e.g. 3,5)" },
  read: { type: "string", description: `token-reading policy: ${READ_POLICIES.join("|")} (default last)` },
  out: { type: "string", required: true, description: "output V.safetensors (direction.<layer> float32 tensors); the provenance goes to V.json beside it" },
  gguf: { type: "string", description: "also export a GGUF control vector (llama.cpp / repeng; resid_post methods, layers ≥ 1)" },
  "batch-size": { type: "string", description: "sequences per forward pass (default 16); results never depend on it" },
  seed: { type: "string", description: "seed for held-out splits (iti) (default 0)" },
  // Each method's own options, from its descriptor.
  ...Object.fromEntries(METHODS.flatMap((d) => d.flags.map((f) => [f.flag, { type: f.type === "boolean" ? "boolean" : "string", description: f.description } as OptionSpec]))),
  weights: WEIGHTS_OPTION,
  "no-prepack": PREPACK_OPTION,
  help: { type: "boolean", description: "show this help" },
};

function parseLayers(value: string): number[] | "all" {
  if (value === "all") return "all";
  const parts = value.split(",");
  if (parts.some((p) => !/^\d+$/.test(p.trim()))) throw new UsageError(`extract: --layers must be 'all' or 0-based integers separated by commas, got '${value}'`);
  return parts.map((p) => Number(p.trim()));
}

export async function run(argv: string[]): Promise<number> {
  if (argv.includes("--help")) { console.log(usage("extract", summary, OPTIONS)); return 0; }
  const a = parseArgs("extract", argv, OPTIONS);
  if ((a.concept === undefined) === (a.pairs === undefined)) throw new UsageError("extract: give exactly one of --concept and --pairs");
  const method = a.method as string;
  if (!METHOD_NAMES.includes(method)) throw new UsageError(`extract: --method must be one of ${METHOD_NAMES.join(", ")}, got '${a.method}'`);
  const read = ((a.read as string | undefined) ?? "last") as ReadPolicy;
  if (!READ_POLICIES.includes(read)) throw new UsageError(`extract: --read must be one of ${READ_POLICIES.join(", ")}, got '${a.read}'`);
  const out = a.out as string;
  if (!out.endsWith(".safetensors")) throw new UsageError(`extract: --out must end in .safetensors, got '${out}'`);
  const layers = parseLayers(a.layers as string);
  const int = (name: string, fallback: number, min: number): number => intOpt("extract", name, a[name], fallback, min);
  const methodOptions: Record<string, unknown> = {};
  for (const d of METHODS)
    for (const f of d.flags) {
      if (a[f.flag] === undefined) continue;
      if (method !== d.name) throw new UsageError(`extract: --${f.flag} applies to --method ${d.name} only`);
      methodOptions[f.option] = f.type === "boolean" ? Boolean(a[f.flag]) : int(f.flag, 0, f.min ?? 0);
    }
  const steeringMethod = createMethod(method, { [method]: methodOptions });
  if (a.gguf !== undefined && steeringMethod.site !== "resid_post")
    throw new UsageError(`extract: --gguf needs a resid_post method (GGUF control vectors are added to block outputs; ${method} works at ${steeringMethod.site})`);
  if (a.gguf !== undefined && (layers === "all" || layers.includes(0)))
    throw new UsageError("extract: --gguf cannot hold layer 0 (llama.cpp rejects direction.0): list the layers explicitly, without 0");

  for (const target of [out, provenancePath(out), ...(a.gguf !== undefined ? [a.gguf as string] : [])]) checkFileTarget(target);

  const model = await loadModel(a.model as string);
  const raw = a.pairs !== undefined ? readPairsJsonl(a.pairs as string) : loadConceptPairs(a.concept as string, read);
  const pairs = encodePairs(model.tokenizer, raw);
  const engine = await createEngine(model, weightsOpt("extract", a));
  try {
    const vector = await extractVector(engine, pairs, {
      method: steeringMethod, layers, read, dataset: datasetFingerprint(raw),
      modelName: basename(model.dir),
      seed: seedOpt("extract", a.seed, 0),
      batchSize: int("batch-size", 16, 1),
    });
    // All outputs or none: V.safetensors, V.json and the GGUF file are written together.
    writeFilesAtomic([...vectorFiles(out, vector), ...(a.gguf !== undefined ? [{ path: a.gguf as string, data: encodeControlVector(vector) }] : [])]);
    const norms = [...vector.directions].map(([l, d]) => `${l}:${Math.hypot(...d).toFixed(3)}`).join(" ");
    console.log(`wrote ${out} and ${provenancePath(out)}${a.gguf !== undefined ? ` and ${a.gguf}` : ""}: ${method} at ${vector.site}, ${pairs.length} pairs, read ${read}, |vector| per layer ${norms}`);
    return 0;
  } finally {
    await engine.dispose();
  }
}
