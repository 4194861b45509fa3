import type { StudyConfig } from "./config";

/**
 * The study grid. A configuration is one (concept, model, method, layer, strength); the runner's work units are
 *   baseline  (concept, model, "real" | "prompting" | "unsteered"): one row each;
 *   group     (concept, model, method, layer): one steering vector whose strengths are generated in one sweep
 *             batch, one row per strength. layer is null for a method fitted over every layer (its descriptor's
 *             allLayers, e.g. ITI's heads): one group per (concept, model), whatever the model's layers.
 * Enumeration is deterministic: concept, model (config order), the three baselines, then method (config key
 * order), layer, strength (as listed; a tuned strength after the grid's). Shards take units by index, so every
 * process agrees on the split.
 */
export interface Configuration {
  concept: string;
  model: string;
  method: string;
  /** null: the method's own sites over every layer (MethodDescriptor.allLayers). */
  layer: number | null;
  strength: number;
}

/**
 * The reference rows of every (concept, model): `real` = the concept's own violating examples, `prompting` =
 * generations under the concept's instructions, `unsteered` = generations with neither instruction nor steering
 * (the model's own behaviour: what "steering raises violations" is measured against).
 */
export const BASELINES = ["real", "prompting", "unsteered"] as const;
export type Baseline = (typeof BASELINES)[number];
/** Whether a results row's method names a baseline rather than a steering method. */
export const isBaselineMethod = (method: string): method is Baseline => (BASELINES as readonly string[]).includes(method);

export type Unit =
  | { kind: "baseline"; concept: string; model: string; source: Baseline }
  | { kind: "group"; concept: string; model: string; method: string; layer: number | null; strengths: number[]; tuned: boolean };

/** Stable identifier of a configuration, used in provenance and logs. */
export const configId = (c: Configuration): string =>
  `${c.concept}__${c.model}__${c.method}__L${c.layer ?? "all"}__s${c.strength}`;

/** "caa L2 ×0.5" for tables; no layer for a method fitted over every layer. */
export const configurationLabel = (c: { method: string; layer: number | null; strength: number | null }): string =>
  `${c.method}${c.layer === null ? "" : ` L${c.layer}`} ×${c.strength}`;

export const unitId = (u: Unit): string =>
  u.kind === "group" ? `${u.concept}/${u.model}/${u.method}/L${u.layer ?? "all"}` : `${u.concept}/${u.model}/${u.source}`;

/**
 * Rows a unit produces at most (the progress bar counts rows, so its ETA weighs a group by its strengths); a
 * tuned strength that equals a grid strength shares that row.
 */
export const unitRows = (u: Unit): number => (u.kind === "group" ? u.strengths.length + (u.tuned ? 1 : 0) : 1);

/** All units in the fixed order. `layersFor` resolves a model's layers for a concept ("auto" is decided by the caller). */
export function enumerateUnits(cfg: StudyConfig, layersFor: (concept: string, model: string) => readonly number[]): Unit[] {
  const out: Unit[] = [];
  for (const concept of cfg.concepts)
    for (const m of cfg.models) {
      for (const source of BASELINES) out.push({ kind: "baseline", concept, model: m.name, source });
      const layers = layersFor(concept, m.name);
      for (const [method, mc] of Object.entries(cfg.methods))
        for (const layer of mc.method.allLayers ? [null] : layers) out.push({ kind: "group", concept, model: m.name, method, layer, strengths: [...mc.strengths], tuned: mc.tuned });
    }
  return out;
}

/** The steering configurations of a list of units, in order. */
export const configurations = (units: readonly Unit[]): Configuration[] =>
  units.flatMap((u) => (u.kind === "group" ? u.strengths.map((strength) => ({ concept: u.concept, model: u.model, method: u.method, layer: u.layer, strength })) : []));

export interface Shard { index: number; count: number }

/**
 * The indices of the units shard i of n runs: unit k goes to shard k mod n (interleaved, so shards get similar
 * mixes of baselines and groups).
 */
export const shardIndices = (total: number, shard: Shard | null): number[] =>
  Array.from({ length: total }, (_, k) => k).filter((k) => !shard || k % shard.count === shard.index);

/**
 * Parse `--shard i/n` (0-based i), falling back to Slurm's SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT (minus
 * SLURM_ARRAY_TASK_MIN, so `--array=1-4` works) and to Kubernetes Indexed Jobs' JOB_COMPLETION_INDEX with
 * STEERSYNTH_SHARDS; null = run everything. Array steps (`--array=0-6:2`) are not supported: ids must be
 * consecutive.
 */
export function parseShard(arg: string | undefined, env: NodeJS.ProcessEnv = process.env): Shard | null {
  let index: number, count: number, from: string;
  if (arg !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(arg);
    if (!m) throw new Error(`--shard must look like i/n with 0 ≤ i < n (got '${arg}')`);
    [index, count, from] = [Number(m[1]), Number(m[2]), "--shard"];
  } else if (env.SLURM_ARRAY_TASK_ID !== undefined && env.SLURM_ARRAY_TASK_COUNT !== undefined) {
    const min = Number(env.SLURM_ARRAY_TASK_MIN ?? 0);
    [index, count, from] = [Number(env.SLURM_ARRAY_TASK_ID) - min, Number(env.SLURM_ARRAY_TASK_COUNT), "SLURM_ARRAY_TASK_ID/SLURM_ARRAY_TASK_COUNT"];
  } else if (env.JOB_COMPLETION_INDEX !== undefined && env.STEERSYNTH_SHARDS !== undefined) {
    [index, count, from] = [Number(env.JOB_COMPLETION_INDEX), Number(env.STEERSYNTH_SHARDS), "JOB_COMPLETION_INDEX/STEERSYNTH_SHARDS"];
  } else return null;
  if (!Number.isInteger(index) || !Number.isInteger(count) || count < 1 || index < 0 || index >= count)
    throw new Error(`${from}: shard ${index}/${count} is out of range (need integers with 0 ≤ i < n)`);
  return { index, count };
}
