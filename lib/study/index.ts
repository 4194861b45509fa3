/**
 * lib/study — the study end to end.
 *   config     schema-validated study config (errors name file and field)
 *   grid       deterministic enumeration of units and configurations; sharding (--shard, Slurm, Kubernetes)
 *   store      content-addressed, atomic artefact store (resumable after kill -9)
 *   identity   checkpoint content identity
 *   intrinsic  success, coherence, diversity and harmonic means of one configuration's texts
 *   stages/    the runner's stages, each a function of its inputs and the store: layers → extract →
 *              generate (steered | prompting) → replacement → score → detect → row
 *   runner     StudyRunner: loads models and concepts, walks the units, composes the stages
 *   behaviour  how a chat model behaves with and without the prompting baseline's instructions
 *   steerability  teacher-forced check that each method steers each concept both ways (margins, p-values)
 *   columns    the results table's columns and their types (one schema for CSV, Arrow and Parquet)
 *   parquet    results.parquet written and read (hyparquet-writer / hyparquet)
 *   results    results table (CSV + Arrow + Parquet), shards and merge, summary
 *   table      loadResults: any results file or folder → a typed arquero table (ResultsTable)
 *   analysis   trends and correlations with bootstrap CIs, the paper's claims, tuned vs grid (analysis.json)
 *   tune       HM-targeted search of steering strength (and layer) under a generation budget
 */
export * from "./config";
export * from "./grid";
export * from "./store";
export * from "./identity";
export * from "./intrinsic";
export * from "./runner";
export * from "./stages/handles";
export * from "./stages/layers";
export * from "./stages/extract";
export * from "./stages/generate-prompting";
export * from "./stages/generate-steered";
export * from "./stages/replacement";
export * from "./stages/judges";
export * from "./stages/score";
export * from "./stages/detect";
export * from "./stages/row";
export * from "./behaviour";
export * from "./steerability";
export * from "./columns";
export * from "./parquet";
export * from "./results";
export * from "./table";
export * from "./analysis";
export * from "./tune";
