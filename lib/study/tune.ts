import { encodePrompts, type Engine, type SampleSteering, type SteerWindow } from "../engine/index";
import { bootstrap, combinedScores, diversityAxis, parseDiversityAxis, setDiversity, type Judge } from "../metrics/index";
import { buildSweep, type SteeringVector } from "../steering/index";
import { deriveSeed } from "../util/index";
import type { Objective, StudyConfig } from "./config";
import { sampleScores } from "./intrinsic";

/**
 * HM-targeted tuning, the paper's practical heuristic as a tool: find the steering strength (and, given several
 * candidate layers, the layer) that maximises an intrinsic objective — HM(success, coherence, set diversity),
 * HM(success, coherence) or success — without ever training a detector.
 * Search: successive refinement on a log scale under a generation budget. Round 1 evaluates `points` strengths
 * spaced geometrically over `range` at every candidate layer; each later round keeps the best layer only and
 * evaluates `points` new strengths geometrically inside the bracket around the best strength so far (its
 * evaluated neighbours; beyond an end of the range, a factor 2 past the end), until the budget is spent.
 * Every point of a round is one sample group of `samplesPerPoint` generations, and a round is one batch: each
 * sample carries its own layer and strength (lib/steering/sweep). All points share the same prompts and
 * per-sample seeds (common random numbers), so differences between points come from the steering.
 * The objective's CI at a point is a percentile bootstrap over its samples of success and coherence with the set
 * diversity held at the point's value (an approximation: resampling with replacement would duplicate texts and
 * lower set diversity artificially).
 */

/**
 * Round-1 brackets per method, in its units (lib/steering/README.md), for the default study's window `prompt`:
 * from about no measurable effect towards degraded text on the default models (the default grid's ranges).
 */
export const DEFAULT_TUNE_RANGES: Record<string, [number, number]> = {
  actadd: [0.5, 8], caa: [1, 16], pca: [1, 16], iti: [1, 16], probe: [1, 16],
};

/** Round 1's bracket for a method with a strength grid: the grid's span, else the method's default range. */
export function tuneRange(method: string, grid: readonly number[]): [number, number] {
  if (grid.length >= 2) return [Math.min(...grid), Math.max(...grid)];
  const r = DEFAULT_TUNE_RANGES[method];
  if (!r) throw new Error(`tune: method '${method}' has no default strength range; give it a grid of at least two strengths to tune within`);
  return r;
}

export interface TuneRequest {
  engine: Engine;
  /** Success judge of the concept. */
  judge: Judge;
  /** A vector holding a direction for every candidate layer. */
  vector: SteeringVector;
  /** Candidate layers; null = the whole vector at once (a method fitted over every layer, e.g. ITI's heads). */
  layers: readonly (number | null)[];
  /** User turns to generate for (rendered as chat turns); sample k uses prompt k mod length. */
  prompts: readonly string[];
  objective: Objective;
  /** Total generations allowed. */
  budget: number;
  /** Strength bracket of round 1, in the method's units, 0 < low < high. */
  range: [number, number];
  /** Strengths per round (default 5). */
  points?: number;
  /** Generations per evaluated point (default 8). */
  samplesPerPoint?: number;
  seed: number;
  sampling: { maxNewTokens: number; temperature: number; topP: number; topK: number };
  window: SteerWindow;
  /** Coherence judge of the unsteered model (lib/metrics/coherence-judge). */
  coherenceJudge: Judge;
  diversity: StudyConfig["diversity"];
  /** Bootstrap resamples for each point's CI (default 500). */
  bootstrap?: number;
  /** Called after each round (progress). */
  onRound?: (round: number, rounds: number) => void;
}

export interface CurvePoint {
  round: number;
  layer: number | null;
  strength: number;
  objective: number;
  low: number;
  high: number;
  success: number;
  coherence: number;
  diversity_set: number;
  samples: number;
}

export interface TuneResult {
  objective: Objective;
  layer: number | null;
  strength: number;
  /** The chosen point's objective. */
  value: number;
  /** Every evaluated point, in evaluation order. */
  curve: CurvePoint[];
  generations: number;
  rounds: number;
}

/** Strengths are kept to 3 significant digits: readable configuration ids, and refinement below that is noise. */
const round3 = (x: number): number => Number(x.toPrecision(3));

/** k strengths spaced geometrically over [lo, hi] (inclusive: both ends; else strictly inside), distinct after rounding. */
export function geometric(lo: number, hi: number, k: number, inclusive: boolean): number[] {
  const r = Math.log(hi / lo);
  return [...new Set(Array.from({ length: k }, (_, i) => round3(lo * Math.exp(r * (inclusive ? i / (k - 1) : (i + 1) / (k + 1))))))];
}

/** Round 1 at every layer, then rounds of `points` at the best layer, while the budget lasts. */
export function planRounds(budget: number, layers: number, points: number, samplesPerPoint: number): number {
  const first = layers * points * samplesPerPoint, later = points * samplesPerPoint;
  if (budget < first) throw new Error(`tune: a budget of ${budget} generations cannot cover round 1 (${layers} layer(s) × ${points} strengths × ${samplesPerPoint} samples = ${first})`);
  return 1 + Math.floor((budget - first) / later);
}

/** The bracket to refine next: the best strength's evaluated neighbours (a factor 2 past an end of the range). */
export function nextBracket(evaluated: readonly number[], best: number): [number, number] {
  const s = [...new Set(evaluated)].sort((a, b) => a - b);
  const i = s.indexOf(best);
  if (i < 0) throw new Error(`tune: strength ${best} was not evaluated`);
  return [i > 0 ? s[i - 1] : best / 2, i < s.length - 1 ? s[i + 1] : best * 2];
}

/** The objective from a point's scores. */
export function objectiveOf(objective: Objective, s: { success: number; coherence: number; diversity: number }): number {
  if (objective === "success") return s.success;
  const { hm3, hm2 } = combinedScores(s);
  return objective === "hm_scd" ? hm3 : hm2;
}

export async function tuneSteering(req: TuneRequest): Promise<TuneResult> {
  const points = req.points ?? 5, m = req.samplesPerPoint ?? 8;
  const [lo, hi] = req.range;
  if (!(lo > 0 && hi > lo)) throw new Error(`tune: the strength range must satisfy 0 < low < high (got [${lo}, ${hi}])`);
  if (!(Number.isInteger(points) && points >= 2)) throw new Error(`tune: points per round must be an integer ≥ 2 (got ${points})`);
  if (!(Number.isInteger(m) && m >= 2)) throw new Error(`tune: samples per point must be an integer ≥ 2 (got ${m})`);
  if (req.layers.length === 0) throw new Error("tune: no candidate layers");
  if (req.prompts.length === 0) throw new Error("tune: no prompts");
  for (const l of req.layers) if (l !== null && !req.vector.directions.has(l)) throw new Error(`tune: the vector has no direction for layer ${l} (it has ${[...req.vector.directions.keys()].join(", ")})`);
  const rounds = planRounds(req.budget, req.layers.length, points, m);
  const users = Array.from({ length: m }, (_, k) => req.prompts[k % req.prompts.length]);
  const seeds = users.map((_, k) => deriveSeed(req.seed, "tune", k));
  const ids = encodePrompts(req.engine.model, users, { chat: true });
  const axis = parseDiversityAxis(req.diversity.set);
  const curve: CurvePoint[] = [];

  const evaluate = async (round: number, todo: { layer: number | null; strength: number }[]): Promise<void> => {
    // One batch: per point, its m samples, each with the point's layer and strength.
    const batchIds: number[][] = [], steering: (SampleSteering | null)[] = [], batchSeeds: number[] = [];
    for (const p of todo) {
      const sweep = buildSweep(ids, [p.strength], { terms: [p.layer === null ? { vector: req.vector } : { vector: req.vector, layers: [p.layer] }], window: req.window });
      batchIds.push(...sweep.ids);
      steering.push(...sweep.steering);
      batchSeeds.push(...sweep.cells.map((c) => seeds[c.prompt]));
    }
    const gens = await req.engine.generate(batchIds, { ...req.sampling, seeds: batchSeeds, steering, batchSize: 64 });
    for (const [j, p] of todo.entries()) {
      const texts = gens.slice(j * m, (j + 1) * m).map((g) => g.text ?? "");
      const per = await sampleScores(req.judge, req.coherenceJudge, users, texts);
      const diversity = diversityAxis(setDiversity(texts), axis);
      const items = per.success.map((s, k) => [s, per.coherence[k]] as const);
      const at = (xs: readonly (readonly [number, number])[]) => objectiveOf(req.objective, {
        success: xs.reduce((a, x) => a + x[0], 0) / xs.length, coherence: xs.reduce((a, x) => a + x[1], 0) / xs.length, diversity,
      });
      const ci = bootstrap(items, at, { seed: deriveSeed(req.seed, "tune-ci", round, p.layer ?? "all", p.strength), iterations: req.bootstrap ?? 500 });
      curve.push({
        round, layer: p.layer, strength: p.strength, objective: ci.estimate, low: ci.low, high: ci.high,
        success: items.reduce((a, x) => a + x[0], 0) / m, coherence: items.reduce((a, x) => a + x[1], 0) / m, diversity_set: diversity, samples: m,
      });
    }
  };

  const best = (pts: readonly CurvePoint[]) => pts.reduce((b, p) => (p.objective > b.objective ? p : b));
  await evaluate(1, req.layers.flatMap((layer) => geometric(lo, hi, points, true).map((strength) => ({ layer, strength }))));
  req.onRound?.(1, rounds);
  const layer = best(curve).layer;
  for (let round = 2; round <= rounds; round++) {
    const here = curve.filter((p) => p.layer === layer);
    const [a, b] = nextBracket(here.map((p) => p.strength), best(here).strength);
    const seen = new Set(here.map((p) => p.strength));
    const todo = geometric(a, b, points, false).filter((s) => !seen.has(s));
    if (todo.length === 0) break; // the bracket is resolved to 3 significant digits
    await evaluate(round, todo.map((strength) => ({ layer, strength })));
    req.onRound?.(round, rounds);
  }
  const chosen = best(curve.filter((p) => p.layer === layer));
  return { objective: req.objective, layer, strength: chosen.strength, value: chosen.objective, curve, generations: curve.length * m, rounds: Math.max(...curve.map((p) => p.round)) };
}
