/**
 * Does steering work on a model, concept by concept and method by method? The teacher-forced check behind
 * tests/steering/default-models.test.ts and each default model's steering_report.json:
 *
 *   r_i(α) = log p(violating reply_i | user_i) − log p(compliant reply_i | user_i)   for held-out pair i,
 *   raise_i = r_i(+α) − r_i(0),   lower_i = r_i(0) − r_i(−α)   (both > 0 when steering works both ways).
 *
 * Vectors are fitted on the concept's first `extract` pairs (read "mean"), evaluated on the last `held` pairs
 * (never seen by the fit), at the layer the study's "auto" choice picks (lib/steering chooseLayer on the concept's
 * pairs, as stages/layers.ts does; ITI steers its own heads) and at one strength per case, chosen from the method's
 * ladder (STRENGTH_LADDERS) on validation pairs drawn from the fitting pairs — never from the held-out ones — and
 * written into the case with the validation effects behind it. Each direction's mean is tested against 0 with a
 * two-sided paired sign-flip test. No sampling, no judge: exact given the weights.
 */
import { heldOutSplit, mean } from "../math/index";
import type { Engine } from "../engine/index";
import { pairedSignFlipTest } from "../metrics/index";
import {
  capturePairs, chooseLayer, createMethod, datasetFingerprint, encodePairs, loadConceptPairs, METHOD_NAMES, modelIdentity,
  pairLogRatioRows, pairLogRatios, validateSpec, vectorWithEffect, type EncodedPair, type SteeringSpec,
} from "../steering/index";

/**
 * Candidate strengths of the check, in each method's units (lib/steering/README.md): resid_post methods in
 * multiples of the layer's typical norm, ITI in σ of each head. Each ladder doubles from a strength with a small
 * effect to one where the teacher-forced raise has fallen again on the default models (the violating replies copy
 * entity-specific text that a large shift breaks: lib/train/README.md), so the best strength lies inside it.
 * A case's strength is the gentlest rung whose smaller effect, min(raise, lower), reaches MARGIN_TARGET on the
 * validation pairs — the least push that steers both ways, since larger ones break the text sooner (lib/train/README:
 * "What high strength does") — else, where no rung reaches it, the rung with the largest min(raise, lower).
 */
export const STRENGTH_LADDERS: Readonly<Record<string, readonly number[]>> = {
  actadd: [0.5, 1, 2, 4], caa: [0.125, 0.25, 0.5, 1], pca: [0.125, 0.25, 0.5, 1], probe: [0.125, 0.25, 0.5, 1], iti: [1, 2, 4, 8],
};
/** Validation pairs of the strength choice, taken from the fitting pairs (a seeded split). */
export const STRENGTH_VALIDATION_PAIRS = 32;

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
  /** How `alpha` was chosen: the mean effects on the validation pairs (from the fitting pairs) of each rung measured, in ladder order. */
  choice: { pairs: number; rungs: { alpha: number; raise: number; lower: number }[] };
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
  /** Candidate strengths per method (default STRENGTH_LADDERS); a one-rung ladder fixes the strength. */
  ladders?: Readonly<Record<string, readonly number[]>>;
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
  const ladders = opts.ladders ?? STRENGTH_LADDERS;
  const validation = heldOutSplit(fit.length, Math.min(STRENGTH_VALIDATION_PAIRS, fit.length) / fit.length, opts.seed).val.map((i) => fit[i]);
  const model = modelIdentity(modelName, engine.model.spec);
  const out: SteerCase[] = [];
  for (const name of opts.methods ?? METHOD_NAMES) {
    const ladder = ladders[name];
    if (!ladder?.length || !ladder.every((a) => a > 0)) throw new Error(`steerability: method ${name} needs a ladder of positive strengths (ladders: ${JSON.stringify(ladders)})`);
    const method = createMethod(name);
    const vector = await vectorWithEffect(engine, acts[method.site], method, fit, { model, read: "mean", dataset: datasetFingerprint(fitRaw), seed: opts.seed });
    const resid = method.site === "resid_post";
    const spec = { terms: [resid ? { vector, layers: [layer] } : { vector }], window: "all" as const };
    validateSpec(spec, engine.model.spec);
    const choice = await chooseStrength(engine, validation, spec, ladder);
    const alpha = choice.alpha;
    const [minus, zero, plus] = await pairLogRatioRows(engine, held, spec, [-alpha, 0, alpha]);
    const up = pairedSignFlipTest(plus, zero, { seed: opts.seed }), down = pairedSignFlipTest(zero, minus, { seed: opts.seed });
    const steers = up.meanDifference > 0 && down.meanDifference > 0 && up.pValue < STEER_P && down.pValue < STEER_P;
    out.push({
      concept, method: name, layer: resid ? layer : null,
      ...(resid ? {} : { heads: [...vector.layerInfo].flatMap(([l, info]) => (info.heads as number[]).map((h): [number, number] => [l, h])) }),
      alpha, choice: { pairs: validation.length, rungs: choice.rungs }, n: held.length, r0: mean(zero), raise: up.meanDifference, lower: down.meanDifference, pRaise: up.pValue, pLower: down.pValue,
      steers, margin: steers && up.meanDifference >= MARGIN_TARGET && down.meanDifference >= MARGIN_TARGET,
    });
  }
  return out;
}

/**
 * The gentlest rung of `ladder` whose min(raise, lower) on `pairs` reaches the margin, else the one with the largest
 * (STRENGTH_LADDERS). Rungs are measured in order and the climb stops at the first that reaches the margin, so
 * `rungs` lists the rungs measured.
 */
async function chooseStrength(engine: Engine, pairs: readonly EncodedPair[], spec: SteeringSpec, ladder: readonly number[]) {
  const [zero] = await pairLogRatios(engine, pairs, spec, [0]);
  const score = (r: { raise: number; lower: number }) => Math.min(r.raise, r.lower);
  const rungs: { alpha: number; raise: number; lower: number }[] = [];
  for (const alpha of ladder) {
    const [minus, plus] = await pairLogRatios(engine, pairs, spec, [-alpha, alpha]);
    rungs.push({ alpha, raise: plus - zero, lower: zero - minus });
    if (score(rungs[rungs.length - 1]) >= MARGIN_TARGET) return { alpha, rungs };
  }
  return { alpha: rungs.reduce((b, r) => (score(r) > score(b) ? r : b)).alpha, rungs };
}

/** One line per case, for logs and reports. */
export const steerCaseLine = (model: string, c: SteerCase): string =>
  `${model} / ${c.concept} / ${c.method}@${c.layer === null ? `heads ${JSON.stringify(c.heads)}` : `L${c.layer}`} α ${c.alpha}: ` +
  `raise ${c.raise.toFixed(3)} (p ${c.pRaise.toFixed(4)}), lower ${c.lower.toFixed(3)} (p ${c.pLower.toFixed(4)}) over ${c.n} pairs` +
  ` → ${c.margin ? `margin ≥ ${MARGIN_TARGET}` : c.steers ? "steers, below the margin" : "does not steer both ways"}`;
