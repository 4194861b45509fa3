import { siteKey, type SteerSite } from "../arch/index";
import { type Engine, captureActivations, type ReadPolicy } from "../engine/index";
import { heldOutSplit } from "../math/index";
import type { EncodedPair } from "./dataset";
import { pairLogRatios } from "./effect";
import { createMethod, type LayerFit, type MethodOptions, type PairedActivations, type SteeringMethod } from "./methods/index";
import { createVector, modelIdentity, type ModelIdentity, type SteeringVector } from "./vector";

/**
 * The extraction pipeline, as stages usable on their own (steering-vectors style):
 *   capturePairs  (activations of both sides of every pair at a site, under a reading policy)
 *   → method.fit  (aggregate: layer → vector at strength 1)
 *   → method.refine, for methods that have one (a choice by measured steering effect, e.g. ITI's heads)
 *   → createVector (the value, with model identity, method, reading policy and dataset fingerprint).
 * extractVector composes the three.
 */
export interface CapturePairsOptions {
  site: SteerSite;
  layers: number[];
  read: ReadPolicy;
  batchSize?: number;
}

/** layer → paired activations ([n, width] per side). */
export async function capturePairs(engine: Engine, pairs: readonly EncodedPair[], opts: CapturePairsOptions): Promise<Map<number, PairedActivations>> {
  if (pairs.length === 0) throw new Error("capturePairs: no pairs");
  const texts = [...pairs.map((p) => p.positive), ...pairs.map((p) => p.negative)];
  const acts = await captureActivations(engine, texts, { sites: [opts.site], layers: opts.layers, read: opts.read, batchSize: opts.batchSize, label: `capture ${opts.site}` });
  const n = pairs.length;
  const out = new Map<number, PairedActivations>();
  for (const layer of opts.layers) {
    const rows = acts.get(siteKey(layer, opts.site))!;
    const width = rows.length / (2 * n);
    out.set(layer, { positive: rows.subarray(0, n * width), negative: rows.subarray(n * width), n, width });
  }
  return out;
}

/** Resolve "all" or an explicit layer list against the model (0-based). */
export function resolveLayers(layers: number[] | "all", nLayers: number): number[] {
  if (layers === "all") return Array.from({ length: nLayers }, (_, l) => l);
  if (layers.length === 0) throw new Error("layers: expected at least one layer");
  for (const l of layers)
    if (!Number.isInteger(l) || l < 0 || l >= nLayers) throw new Error(`layers: layer ${l} does not exist (the model has layers 0..${nLayers - 1})`);
  if (new Set(layers).size !== layers.length) throw new Error(`layers: duplicates in ${layers.join(",")}`);
  return [...layers].sort((a, b) => a - b);
}

export interface ExtractOptions {
  /** A built-in method's name, or any SteeringMethod (e.g. a user descriptor's create()). */
  method: string | SteeringMethod;
  methodOptions?: MethodOptions;
  layers: number[] | "all";
  read: ReadPolicy;
  /** Fingerprint of the contrast data (datasetFingerprint of the pairs before encoding). */
  dataset: string;
  /** Name recorded in the vector's model identity (default: the checkpoint folder's name). */
  modelName?: string;
  seed?: number;
  batchSize?: number;
}

export async function extractVector(engine: Engine, pairs: readonly EncodedPair[], opts: ExtractOptions): Promise<SteeringVector> {
  const spec = engine.model.spec;
  const method = typeof opts.method === "string" ? createMethod(opts.method, opts.methodOptions) : opts.method;
  const layers = resolveLayers(opts.layers, spec.nLayers);
  const model = modelIdentity(opts.modelName ?? (engine.model.dir.split(/[\\/]/).filter(Boolean).pop() ?? "model"), spec);
  const acts = await capturePairs(engine, pairs, { site: method.site, layers, read: opts.read, batchSize: opts.batchSize });
  return vectorWithEffect(engine, acts, method, pairs, { model, read: opts.read, dataset: opts.dataset, seed: opts.seed, batchSize: opts.batchSize });
}

interface VectorOptions { model: ModelIdentity; read: ReadPolicy; dataset: string; seed?: number }

/** The aggregate → vector stages on activations already captured (at the method's site), e.g. shared by several methods. */
export function vectorFromActivations(acts: ReadonlyMap<number, PairedActivations>, method: SteeringMethod, opts: VectorOptions): SteeringVector {
  if (method.refine) throw new Error(`${method.name}: this method refines its fit by steering effect, which needs the model: use vectorWithEffect (or extractVector)`);
  return toVector(method.fit(acts, { model: opts.model, seed: opts.seed ?? 0 }), acts, method, opts);
}

/** Held-out pairs on which a method's refine stage measures steering effects: a seeded quarter, at most 32. */
export const REFINE_PAIRS = 32;

/**
 * vectorFromActivations plus the method's refine stage (if any), scored by the teacher-forced effect on a seeded
 * held-out subset of `pairs` (the pairs the activations were captured from, in the same order). The fit itself
 * saw every pair, so the score is a choice among candidates, not an independent evaluation: evaluate on other pairs.
 */
export async function vectorWithEffect(
  engine: Engine, acts: ReadonlyMap<number, PairedActivations>, method: SteeringMethod, pairs: readonly EncodedPair[],
  opts: VectorOptions & { batchSize?: number },
): Promise<SteeringVector> {
  const seed = opts.seed ?? 0;
  const fits = method.fit(acts, { model: opts.model, seed });
  if (!method.refine) return toVector(fits, acts, method, opts);
  const n = [...acts.values()][0]?.n ?? 0;
  if (n !== pairs.length) throw new Error(`${method.name}: ${pairs.length} pairs given for activations of ${n} pairs`);
  const nVal = Math.max(1, Math.min(REFINE_PAIRS, Math.floor(n / 4)));
  const held = heldOutSplit(n, nVal / n, seed).val.map((i) => pairs[i]);
  // Texts that are all response (PAIRS.jsonl texts / ids) have no prompt to condition on: no effect to measure.
  const measurable = held.every((p) => p.positive.responseStart >= 1 && p.negative.responseStart >= 1);
  let zero: number | undefined;
  const score = async (candidate: ReadonlyMap<number, LayerFit>, alpha: number): Promise<number> => {
    const vector = toVector(candidate, acts, method, opts);
    const spec = { terms: [{ vector }], window: "all" as const };
    const [minus, plus] = await pairLogRatios(engine, held, spec, [-alpha, alpha], { batchSize: opts.batchSize });
    zero ??= (await pairLogRatios(engine, held, spec, [0], { batchSize: opts.batchSize }))[0];
    return Math.min(plus - zero, zero - minus);
  };
  const refinedBy = measurable ? `effect on ${held.length} held-out pairs` : "none: the pairs have no prompt tokens, so the method's model-free choice was kept";
  return toVector(await method.refine(fits, measurable ? score : null), acts, method, opts, refinedBy);
}

function toVector(fits: ReadonlyMap<number, LayerFit>, acts: ReadonlyMap<number, PairedActivations>, method: SteeringMethod, opts: VectorOptions, refinedBy?: string): SteeringVector {
  if (fits.size === 0) throw new Error(`${method.name}: no layer produced a vector`);
  const first = [...acts.values()][0];
  return createVector({
    model: opts.model, site: method.site, method: method.name, read: opts.read, dataset: opts.dataset,
    directions: new Map([...fits].map(([l, f]) => [l, f.vector])),
    layerInfo: new Map([...fits].map(([l, f]) => [l, f.info])),
    details: { options: method.options, pairs: first?.n ?? 0, seed: opts.seed ?? 0, layersRequested: [...acts.keys()], ...(refinedBy ? { refinedBy } : {}) },
  });
}
