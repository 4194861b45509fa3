/**
 * lib/study — the study end to end.
 *   config     schema-validated study config (errors name file and field)
 *   grid       deterministic enumeration of units and configurations; sharding (--shard, Slurm, Kubernetes)
 *   store      content-addressed, atomic artefact store (resumable after kill -9)
 *   identity   checkpoint content identity
 *   intrinsic  success, coherence, diversity and harmonic means of one configuration's texts
 *   runner     StudyRunner: baselines and steering groups → rows
 *   columns    the results table's columns and their types (one schema for CSV, Arrow and Parquet)
 *   parquet    results.parquet written and read (hyparquet-writer / hyparquet)
 *   results    results table (CSV + Arrow + Parquet), shards and merge, summary
 *   table      loadResults: any results file or folder → a typed arquero table (ResultsTable)
 */
export * from "./config";
export * from "./grid";
export * from "./store";
export * from "./identity";
export * from "./intrinsic";
export * from "./runner";
export * from "./columns";
export * from "./parquet";
export * from "./results";
export * from "./table";
