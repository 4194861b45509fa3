/**
 * Does steering work on a model, concept by concept and method by method? The teacher-forced check behind
 * tests/steering/default-models.test.ts and each default model's steering_report.json:
 *
 *   r_i(α) = log p(violating reply_i | user_i) − log p(compliant reply_i | user_i)   for held-out pair i,
 *   raise_i = r_i(+α) − r_i(0),   lower_i = r_i(0) − r_i(−α)   (both > 0 when steering works both ways).
 *
 * Vectors are fitted on the concept's first `extract` pairs (read "mean"), evaluated on the last `held` pairs
 * (never seen by the fit), at the layer the study's "auto" choice picks (lib/steering chooseLayer on the concept's
 * pairs, as stages/layers.ts does; ITI steers its own heads) and at one documented strength per method
 * (STEER_STRENGTHS). Each direction's mean is tested against 0 with a two-sided paired sign-flip test.
 * No sampling, no judge: exact given the weights.
 */
import { mean } from "../math/index";
import type { Engine } from "../engine/index";
import { pairedSignFlipTest } from "../metrics/index";
import {
  capturePairs, chooseLayer, createMethod, datasetFingerprint, encodePairs, loadConceptPairs, METHOD_NAMES, modelIdentity,
  pairLogRatioRows, validateSpec, vectorWithEffect,
} from "../steering/index";

/**
 * Strengths of the check, in each method's units (lib/steering/README.md): resid_post methods in multiples of
 * the layer's typical norm, ITI in σ of each head. The smallest strengths of the default study's grid at which
 * the raise is largest on the default models (it falls again above: text starts to break, README).
 */
export const STEER_STRENGTHS: Readonly<Record<string, number>> = { actadd: 0.5, caa: 0.25, pca: 0.25, probe: 0.25, iti: 2 };

/** The issue-12 target: each direction moves r by this many nats on average. */
export const MARGIN_TARGET = 0.5;
/** Significance level of "steers both ways". */
export const STEER_P = 0.01;

export interface SteerCase {
  concept: string;
  method: string;
  /** resid_post layer steered; null for ITI (heads below). */
  layer: number | null;
  /** ITI: [layer, head] steered. */
  heads?: [number, number][];
  alpha: number;
  /** Held-out pairs. */
  n: number;
  /** Mean r(0). */
  r0: number;
  raise: number;
  lower: number;
  pRaise: number;
  pLower: number;
  /** Both directions right with p < STEER_P. */
  steers: boolean;
  /** steers, and both mean effects ≥ MARGIN_TARGET. */
  margin: boolean;
}

export interface SteerabilityOptions {
  /** Seed of the layer choice (the study's seed) and of the tests. */
  seed: number;
  /** Fitting pairs: the first `extract` (default 176). */
  extract?: number;
  /** Held-out pairs: the last `held` (default 64). */
  held?: number;
  strengths?: Readonly<Record<string, number>>;
  methods?: readonly string[];
}

export async function measureSteerability(engine: Engine, modelName: string, concept: string, opts: SteerabilityOptions): Promise<SteerCase[]> {
  const tok = engine.model.tokenizer;
  const raw = loadConceptPairs(concept, "mean");
  const nExtract = opts.extract ?? 176, nHeld = opts.held ?? 64;
  if (raw.length < nExtract + nHeld) throw new Error(`${concept}: pairs.jsonl has ${raw.length} pairs; the steerability check needs ${nExtract} + ${nHeld}`);
  const fitRaw = raw.slice(0, nExtract);
  const fit = encodePairs(tok, fitRaw), held = encodePairs(tok, raw.slice(raw.length - nHeld));
  const all = Array.from({ length: engine.model.spec.nLayers }, (_, l) => l);
  const acts = {
    resid_post: await capturePairs(engine, fit, { site: "resid_post", layers: all, read: "mean" }),
    attn_out: await capturePairs(engine, fit, { site: "attn_out", layers: all, read: "mean" }),
  };
  const layer = (await chooseLayer(engine, encodePairs(tok, raw), { read: "mean", seed: opts.seed })).layer;
  const strengths = opts.strengths ?? STEER_STRENGTHS;
  const model = modelIdentity(modelName, engine.model.spec);
  const out: SteerCase[] = [];
  for (const name of opts.methods ?? METHOD_NAMES) {
    const alpha = strengths[name];
    if (!(alpha > 0)) throw new Error(`steerability: no strength for method ${name} (strengths: ${JSON.stringify(strengths)})`);
    const method = createMethod(name);
    const vector = await vectorWithEffect(engine, acts[method.site], method, fit, { model, read: "mean", dataset: datasetFingerprint(fitRaw), seed: opts.seed });
    const resid = method.site === "resid_post";
    const spec = { terms: [resid ? { vector, layers: [layer] } : { vector }], window: "all" as const };
    validateSpec(spec, engine.model.spec);
    const [minus, zero, plus] = await pairLogRatioRows(engine, held, spec, [-alpha, 0, alpha]);
    const up = pairedSignFlipTest(plus, zero, { seed: opts.seed }), down = pairedSignFlipTest(zero, minus, { seed: opts.seed });
    const steers = up.meanDifference > 0 && down.meanDifference > 0 && up.pValue < STEER_P && down.pValue < STEER_P;
    out.push({
      concept, method: name, layer: resid ? layer : null,
      ...(resid ? {} : { heads: [...vector.layerInfo].flatMap(([l, info]) => (info.heads as number[]).map((h): [number, number] => [l, h])) }),
      alpha, n: held.length, r0: mean(zero), raise: up.meanDifference, lower: down.meanDifference, pRaise: up.pValue, pLower: down.pValue,
      steers, margin: steers && up.meanDifference >= MARGIN_TARGET && down.meanDifference >= MARGIN_TARGET,
    });
  }
  return out;
}

/** One line per case, for logs and reports. */
export const steerCaseLine = (model: string, c: SteerCase): string =>
  `${model} / ${c.concept} / ${c.method}@${c.layer === null ? `heads ${JSON.stringify(c.heads)}` : `L${c.layer}`} α ${c.alpha}: ` +
  `raise ${c.raise.toFixed(3)} (p ${c.pRaise.toFixed(4)}), lower ${c.lower.toFixed(3)} (p ${c.pLower.toFixed(4)}) over ${c.n} pairs` +
  ` → ${c.margin ? `margin ≥ ${MARGIN_TARGET}` : c.steers ? "steers, below the margin" : "does not steer both ways"}`;
