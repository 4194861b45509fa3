/**
 * The columns of the results table and their types: the one schema that results.csv, results.arrow and
 * results.parquet are written from and read back to. Contract columns are never renamed; more may follow.
 */

/** A column's type: what readers get (Parquet: DOUBLE, INT32, BOOLEAN, UTF-8 BYTE_ARRAY) and whether it can be null. */
export interface ColumnType {
  type: "double" | "int32" | "boolean" | "string";
  nullable: boolean;
}

const double = (nullable = false): ColumnType => ({ type: "double", nullable });
const int32 = (nullable = false): ColumnType => ({ type: "int32", nullable });
const string = (nullable = false): ColumnType => ({ type: "string", nullable });

export const CONTRACT_COLUMNS = [
  "concept", "model", "method", "layer", "strength", "success", "coherence", "diversity_sample", "diversity_set",
  "hm_scd", "hm_sc", "auroc", "auroc_ci_low", "auroc_ci_high", "beats_prompting",
] as const;
export const EXTRA_COLUMNS = ["violation_rate", "delta_vs_prompting", "p_vs_prompting", "aurocs", "n_train", "n_test", "empty_responses", "detector_note", "origin", "examples"] as const;
export type ResultColumn = (typeof CONTRACT_COLUMNS)[number] | (typeof EXTRA_COLUMNS)[number];
export const RESULT_COLUMNS: readonly ResultColumn[] = [...CONTRACT_COLUMNS, ...EXTRA_COLUMNS];

/**
 * layer and strength are null on baseline rows; the AUROC columns when a configuration had too few usable
 * generations to train a detector (detector_note says why); beats_prompting, delta and p on baselines too.
 * aurocs is "" without a detector (never null), examples a JSON array of strings.
 */
export const COLUMN_TYPES: Readonly<Record<ResultColumn, ColumnType>> = {
  concept: string(), model: string(), method: string(), layer: int32(true), strength: double(true),
  success: double(), coherence: double(), diversity_sample: double(), diversity_set: double(), hm_scd: double(), hm_sc: double(),
  auroc: double(true), auroc_ci_low: double(true), auroc_ci_high: double(true), beats_prompting: { type: "boolean", nullable: true },
  violation_rate: double(), delta_vs_prompting: double(true), p_vs_prompting: double(true), aurocs: string(), n_train: int32(), n_test: int32(),
  empty_responses: int32(), detector_note: string(true), origin: string(true), examples: string(),
};

/** Whether v is a value of the column: null (or undefined) only where the column is nullable; int32 in range. */
export function fitsColumn({ type, nullable }: ColumnType, v: unknown): boolean {
  if (v === null || v === undefined) return nullable;
  switch (type) {
    case "double": return typeof v === "number";
    case "int32": return Number.isInteger(v) && Math.abs(v as number) < 2 ** 31;
    case "boolean": return typeof v === "boolean";
    case "string": return typeof v === "string";
  }
}
