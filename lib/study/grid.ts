import type { MethodName, StudyConfig } from "./config";

/** One steering configuration of the study grid. `layer` is resolved (never "auto") before enumeration. */
export interface Configuration {
  concept: string;
  model: string;
  method: MethodName;
  layer: number;
  strength: number;
}

/** Stable identifier used in file names and logs. */
export const configId = (c: Configuration): string =>
  `${c.concept}__${c.model}__${c.method}__L${c.layer}__s${c.strength}`;

/**
 * Deterministic enumeration: concept, then model, then method (config key order), then layer, then strength
 * (as listed). `layersFor` resolves a model's layers for a concept ("auto" is decided by the caller, which
 * measures probe separation).
 */
export function enumerate(cfg: StudyConfig, layersFor: (concept: string, model: string) => number[]): Configuration[] {
  const out: Configuration[] = [];
  for (const concept of cfg.concepts)
    for (const m of cfg.models)
      for (const [method, mc] of Object.entries(cfg.methods) as [MethodName, NonNullable<StudyConfig["methods"][MethodName]>][])
        for (const layer of layersFor(concept, m.name))
          for (const strength of mc.strengths) out.push({ concept, model: m.name, method, layer, strength });
  return out;
}

/** Split work units over n shards: unit i goes to shard i mod n (interleaved, so shards get similar mixes). */
export function shardOf<T>(items: readonly T[], shard: { index: number; count: number }): T[] {
  return items.filter((_, i) => i % shard.count === shard.index);
}

/**
 * Parse `--shard i/n` (0-based i), falling back to Slurm's SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT
 * (and Kubernetes Indexed Jobs' JOB_COMPLETION_INDEX with STEERSYNTH_SHARDS); null = run everything.
 */
export function parseShard(arg: string | undefined, env: NodeJS.ProcessEnv = process.env): { index: number; count: number } | null {
  let index: number, count: number;
  if (arg !== undefined) {
    const m = /^(\d+)\/(\d+)$/.exec(arg);
    if (!m) throw new Error(`--shard must look like i/n with 0 ≤ i < n (got '${arg}')`);
    [index, count] = [Number(m[1]), Number(m[2])];
  } else if (env.SLURM_ARRAY_TASK_ID !== undefined && env.SLURM_ARRAY_TASK_COUNT !== undefined) {
    const min = Number(env.SLURM_ARRAY_TASK_MIN ?? 0);
    [index, count] = [Number(env.SLURM_ARRAY_TASK_ID) - min, Number(env.SLURM_ARRAY_TASK_COUNT)];
  } else if (env.JOB_COMPLETION_INDEX !== undefined && env.STEERSYNTH_SHARDS !== undefined) {
    [index, count] = [Number(env.JOB_COMPLETION_INDEX), Number(env.STEERSYNTH_SHARDS)];
  } else return null;
  if (!Number.isInteger(index) || !Number.isInteger(count) || count < 1 || index < 0 || index >= count)
    throw new Error(`shard ${index}/${count} is out of range (need 0 ≤ i < n)`);
  return { index, count };
}
