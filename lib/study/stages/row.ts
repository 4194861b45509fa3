import type { IntrinsicScores } from "../intrinsic";
import type { DetectOutcome } from "./detect";

/** One row of the results table before the cross-row columns (beats_prompting, …) are added. */
export interface UnitRow extends Omit<IntrinsicScores, "set_metrics"> {
  concept: string;
  model: string;
  /** A method's name, or a baseline: "real" | "prompting" | "unsteered" (lib/study/grid BASELINES). */
  method: string;
  layer: number | null;
  strength: number | null;
  /** null when the configuration produced too few usable generations to train a detector (see detector_note). */
  auroc: number | null;
  auroc_ci_low: number | null;
  auroc_ci_high: number | null;
  /** Test AUROC per detector seed (the paired test against prompting uses them); empty without a detector. */
  aurocs: number[];
  detector_note: string | null;
  n_train: number;
  n_test: number;
  /** Up to three example responses, for the example-generations figure. */
  examples: string[];
  /** Steered rows: a grid strength, the tuned one (lib/study/tune), or both; null for baselines. */
  origin: "grid" | "tuned" | "grid+tuned" | null;
  set_metrics: Record<string, number>;
}

/** Stage 6, results: one configuration's row from its scores and its detector outcome. */
export function resultRow(
  where: Pick<UnitRow, "concept" | "model" | "method" | "layer" | "strength">, s: IntrinsicScores, det: DetectOutcome, texts: readonly string[], nTest: number,
): UnitRow {
  const r = det.result;
  return {
    ...where,
    success: s.success, violation_rate: s.violation_rate, coherence: s.coherence, diversity_sample: s.diversity_sample, diversity_set: s.diversity_set, hm_scd: s.hm_scd, hm_sc: s.hm_sc,
    auroc: r?.auroc ?? null, auroc_ci_low: r?.auroc_ci[0] ?? null, auroc_ci_high: r?.auroc_ci[1] ?? null, aurocs: r?.aurocs ?? [],
    detector_note: det.note,
    n_train: r?.n_train ?? 0, n_test: r?.n_test ?? nTest,
    empty_responses: s.empty_responses,
    examples: texts.slice(0, 3),
    set_metrics: { ...s.set_metrics },
    origin: null,
  };
}
