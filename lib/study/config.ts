import { readFileSync } from "node:fs";
import { WEIGHT_FORMATS, type WeightFormat } from "../engine/index";
import { methodRegistry, type MethodDescriptor } from "../steering/index";
import { MAX_SEED } from "../util/index";

/**
 * The study configuration: what to run (concepts × models × methods × layers × strengths) and how (samples,
 * sampling, judges, detector, seeds). JSON, validated up front with errors that name the file and the field
 * (format: lib/study/README.md).
 */

export interface StudyModel {
  /** Short name used in results (e.g. "llama-tiny"). */
  name: string;
  /** Checkpoint folder, relative to the repository root or absolute. */
  path: string;
  /** Layers to steer: explicit 0-based list, or "auto" (steering/choose-layer per concept). */
  layers: number[] | "auto";
  /** Inference weight format (engine option `weights`): fp32 (default), or int8/int4 weight-only quantized. */
  weights: WeightFormat;
}

export interface MethodConfig {
  /** Strength grid in the method's units (lib/steering/README.md, "Strength units"), in the order listed. */
  strengths: number[];
  /** Also run the strength lib/study/tune chooses (config: "tuned" in the strengths list, or "strengths": "tuned"). */
  tuned: boolean;
  /** Token-reading policy for extraction. */
  read: "last" | "answer" | "mean";
  /** The method named by the entry's key: a built-in, or a descriptor given to parseStudyConfig. */
  method: MethodDescriptor;
}

export interface StudyConfig {
  /** The file it was read from (for error messages; not part of any fingerprint). */
  file: string;
  name: string;
  seed: number;
  concepts: string[];
  models: StudyModel[];
  /** Method name → its settings, in the config's order. */
  methods: Record<string, MethodConfig>;
  /** Generations per configuration (also the number of violating examples a detector is trained on). */
  samples: number;
  sampling: { maxNewTokens: number; temperature: number; topP: number; topK: number; window: "generated" | "all" | "prompt" };
  /** success: exchange (reads user turn + response; default) | classifier (response n-grams). coherence: lib/metrics/coherence-judge. */
  judges: { success: "exchange" | "classifier"; coherence: "perplexity" };
  /** sample: a per-response field of lib/metrics SampleDiversity; set: a diversity axis name (lib/metrics/aggregate). */
  diversity: { sample: SampleDiversityField; set: string };
  detector: {
    kind: "probe" | "finetune";
    /** Probe head. */
    head: "logistic" | "mlp";
    /** Layer whose resid_post the probe pools (fine-tune: whose hidden states the head reads); null = default. */
    layer: number | null;
    /**
     * Violating examples in a detector's training set: real ones for the `real` baseline, and exactly as many
     * generated ones replacing them for prompting and steering. Scarce by default (the paper's premise).
     */
    positives: number;
    /** Negatives (compliant) kept from the concept's detector_train split. */
    negatives: number;
    seeds: number;
    /** Bootstrap iterations for the AUROC CI. */
    bootstrap: number;
  };
  /** How tuned strengths are searched (lib/study/tune), per (concept, model, method, layer). */
  tuning: TuningConfig;
}

/** What a tuning run maximises (lib/study/tune): HM(success, coherence, set diversity), HM(success, coherence), success. */
export const OBJECTIVES = ["hm_scd", "hm_sc", "success"] as const;
export type Objective = (typeof OBJECTIVES)[number];

export interface TuningConfig {
  objective: Objective;
  /** Generations per tuning run. */
  budget: number;
  /** Strengths per round. */
  points: number;
  /** Generations per evaluated strength. */
  samplesPerPoint: number;
}

/** Violating examples per detector training set when the config does not say. */
export const DEFAULT_POSITIVES = 16;
export const DEFAULT_TUNING: TuningConfig = { objective: "hm_scd", budget: 80, points: 5, samplesPerPoint: 8 };

/** Per-response diversity fields in [0, 1] that can stand for the sample-diversity axis. */
export const SAMPLE_DIVERSITY_FIELDS = ["distinct_1", "distinct_2", "distinct_3", "distinct_4"] as const;
export type SampleDiversityField = (typeof SAMPLE_DIVERSITY_FIELDS)[number];
/** Set-level axes the runner computes (the embedding-based ones need an embedder it does not load). */
const SET_AXES = ["distinct-1", "distinct-2", "distinct-3", "distinct-4", "self-bleu", "vendi-ngram", "compression"] as const;

export class ConfigError extends Error {}

/** Field-path validation helpers: each failure names the file and the JSON path. */
function validator(file: string) {
  const fail = (path: string, expected: string, got: unknown): never => {
    throw new ConfigError(`${file}: ${path} must be ${expected} (got ${JSON.stringify(got)})`);
  };
  const obj = (v: unknown, path: string): Record<string, unknown> =>
    v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : fail(path, "an object", v);
  const str = (v: unknown, path: string): string => (typeof v === "string" && v.length > 0 ? v : fail(path, "a non-empty string", v));
  const num = (v: unknown, path: string, min = -Infinity, max = Infinity): number =>
    typeof v === "number" && Number.isFinite(v) && v >= min && v <= max ? v : fail(path, `a number in [${min}, ${max}]`, v);
  const int = (v: unknown, path: string, min = 0, max = Number.MAX_SAFE_INTEGER): number =>
    Number.isInteger(v) && (v as number) >= min && (v as number) <= max ? (v as number) : fail(path, max === Number.MAX_SAFE_INTEGER ? `an integer ≥ ${min}` : `an integer in [${min}, ${max}]`, v);
  const oneOf = <T extends string>(v: unknown, path: string, options: readonly T[]): T =>
    options.includes(v as T) ? (v as T) : fail(path, `one of ${options.join(", ")}`, v);
  const list = <T>(v: unknown, path: string, item: (x: unknown, p: string) => T, minLength = 1): T[] =>
    Array.isArray(v) && v.length >= minLength ? v.map((x, i) => item(x, `${path}[${i}]`)) : fail(path, `a list of at least ${minLength}`, v);
  const unique = <T>(xs: T[], path: string): T[] => (new Set(xs).size === xs.length ? xs : fail(path, "a list without duplicates", xs));
  const noExtra = (o: Record<string, unknown>, path: string, allowed: string[]): void => {
    for (const k of Object.keys(o))
      if (!allowed.includes(k)) fail(path ? `${path}.${k}` : k, `absent (allowed fields: ${allowed.join(", ")})`, o[k]);
  };
  return { fail, obj, str, num, int, oneOf, list, unique, noExtra };
}

/** A name that becomes a file or folder name: letters, digits, '.', '_', '-', and not '.' or '..' (never a path). */
function safeName(v: ReturnType<typeof validator>, raw: unknown, path: string): string {
  const name = v.str(raw, path);
  if (!/^[A-Za-z0-9._-]+$/.test(name) || name === "." || name === "..")
    v.fail(path, "made of letters, digits, '.', '_' or '-', and not '.' or '..' (it names a folder or file)", name);
  return name;
}

/** `extraMethods`: descriptors of methods defined outside lib/ that the config may name, besides the built-ins. */
export function parseStudyConfig(json: unknown, file: string, extraMethods: readonly MethodDescriptor[] = []): StudyConfig {
  const registry = methodRegistry(extraMethods);
  const v = validator(file);
  const root = v.obj(json, "(root)");
  v.noExtra(root, "", ["name", "seed", "concepts", "models", "methods", "samples", "sampling", "judges", "diversity", "detector", "tuning", "$comment"]);
  const names = new Set<string>();
  const models = v.list(root.models, "models", (m, p) => {
    const o = v.obj(m, p);
    v.noExtra(o, p, ["name", "path", "layers", "weights"]);
    const name = safeName(v, o.name, `${p}.name`);
    if (names.has(name)) v.fail(`${p}.name`, "unique across models", name);
    names.add(name);
    const layers = o.layers === "auto" ? "auto" as const : v.unique(v.list(o.layers, `${p}.layers`, (x, q) => v.int(x, q)), `${p}.layers`);
    const weights = o.weights === undefined ? "fp32" : v.oneOf(o.weights, `${p}.weights`, WEIGHT_FORMATS);
    return { name, path: v.str(o.path, `${p}.path`), layers, weights };
  });
  const methodsObj = v.obj(root.methods, "methods");
  const methods: StudyConfig["methods"] = {};
  for (const [k, m] of Object.entries(methodsObj)) {
    const name = v.oneOf(k, `methods.${k}`, registry.map((d) => d.name));
    const o = v.obj(m, `methods.${k}`);
    v.noExtra(o, `methods.${k}`, ["strengths", "read"]);
    // A list of strengths, optionally with "tuned" among them, or "tuned" alone.
    const listed: (number | "tuned")[] = o.strengths === "tuned" ? ["tuned"]
      : v.list(o.strengths, `methods.${k}.strengths`, (x, p): number | "tuned" => (x === "tuned" ? x : v.num(x, p)));
    methods[name] = {
      strengths: v.unique(listed.filter((x): x is number => x !== "tuned"), `methods.${k}.strengths`),
      tuned: listed.includes("tuned"),
      read: v.oneOf(o.read, `methods.${k}.read`, ["last", "answer", "mean"] as const),
      method: registry.find((d) => d.name === name)!,
    };
  }
  if (Object.keys(methods).length === 0) v.fail("methods", "a non-empty object", methodsObj);
  const s = v.obj(root.sampling, "sampling");
  v.noExtra(s, "sampling", ["maxNewTokens", "temperature", "topP", "topK", "window"]);
  const j = v.obj(root.judges, "judges");
  v.noExtra(j, "judges", ["success", "coherence"]);
  const d = v.obj(root.diversity, "diversity");
  v.noExtra(d, "diversity", ["sample", "set"]);
  const set = v.oneOf(d.set, "diversity.set", SET_AXES);
  const det = v.obj(root.detector, "detector");
  v.noExtra(det, "detector", ["kind", "head", "layer", "positives", "negatives", "seeds", "bootstrap"]);
  const tun = root.tuning === undefined ? {} : v.obj(root.tuning, "tuning");
  v.noExtra(tun, "tuning", ["objective", "budget", "points", "samplesPerPoint"]);
  const samples = v.int(root.samples, "samples", 2);
  const positives = det.positives === undefined ? DEFAULT_POSITIVES : v.int(det.positives, "detector.positives", 1);
  if (positives > samples) v.fail("detector.positives", `at most samples (${samples}): a configuration's detector takes its violating examples from its generations`, positives);
  const concepts = v.unique(v.list(root.concepts, "concepts", (x, p) => v.str(x, p)), "concepts");
  return {
    file,
    name: safeName(v, root.name, "name"),
    seed: v.int(root.seed, "seed", 0, MAX_SEED),
    concepts,
    models,
    methods,
    // Set diversity compares each response with the others: at least 2.
    samples,
    sampling: {
      maxNewTokens: v.int(s.maxNewTokens, "sampling.maxNewTokens", 1),
      temperature: v.num(s.temperature, "sampling.temperature", 0),
      topP: v.num(s.topP, "sampling.topP", 0, 1),
      topK: v.int(s.topK, "sampling.topK", 0),
      window: v.oneOf(s.window, "sampling.window", ["generated", "all", "prompt"] as const),
    },
    judges: {
      success: v.oneOf(j.success, "judges.success", ["exchange", "classifier"] as const),
      coherence: v.oneOf(j.coherence, "judges.coherence", ["perplexity"] as const),
    },
    diversity: { sample: v.oneOf(d.sample, "diversity.sample", SAMPLE_DIVERSITY_FIELDS), set },
    detector: {
      kind: v.oneOf(det.kind, "detector.kind", ["probe", "finetune"] as const),
      head: det.head === undefined ? "logistic" : v.oneOf(det.head, "detector.head", ["logistic", "mlp"] as const),
      layer: det.layer === undefined || det.layer === null ? null : v.int(det.layer, "detector.layer"),
      positives,
      negatives: v.int(det.negatives, "detector.negatives", 1),
      seeds: v.int(det.seeds, "detector.seeds", 1),
      bootstrap: v.int(det.bootstrap, "detector.bootstrap", 10),
    },
    tuning: {
      objective: tun.objective === undefined ? DEFAULT_TUNING.objective : v.oneOf(tun.objective, "tuning.objective", OBJECTIVES),
      budget: tun.budget === undefined ? DEFAULT_TUNING.budget : v.int(tun.budget, "tuning.budget", 1),
      points: tun.points === undefined ? DEFAULT_TUNING.points : v.int(tun.points, "tuning.points", 2),
      samplesPerPoint: tun.samplesPerPoint === undefined ? DEFAULT_TUNING.samplesPerPoint : v.int(tun.samplesPerPoint, "tuning.samplesPerPoint", 2),
    },
  };
}

export function loadStudyConfig(file: string, methods: readonly MethodDescriptor[] = []): StudyConfig {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    throw new ConfigError(`${file}: cannot read the study config`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${file}: not valid JSON (${(e as Error).message})`);
  }
  return parseStudyConfig(json, file, methods);
}
