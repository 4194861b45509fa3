/**
 * lib/study — the study end to end.
 *   config     schema-validated study config (errors name file and field)
 *   grid       deterministic enumeration of units and configurations; sharding (--shard, Slurm, Kubernetes)
 *   store      content-addressed, atomic artefact store (resumable after kill -9)
 *   identity   checkpoint content identity
 *   intrinsic  success, coherence, diversity and harmonic means of one configuration's texts
 *   runner     StudyRunner: baselines and steering groups → rows
 *   results    results table (CSV + Arrow), shards and merge, summary
 */
export * from "./config";
export * from "./grid";
export * from "./store";
export * from "./identity";
export * from "./intrinsic";
export * from "./runner";
export * from "./results";
