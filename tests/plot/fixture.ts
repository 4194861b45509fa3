import { createRng } from "../../lib/util/rng";
import type { ResultRow } from "../../lib/plot";

/**
 * A small synthetic results table: 2 concepts × 2 models, methods caa (layers 2 and 4), actadd and pca (layer 3),
 * strengths 1, 2, 4 — 48 steered rows — plus prompting and real baselines for every (concept, model) except
 * ("toxic", "m2"), which has no real row. Scores are seeded uniforms so that ties are (almost surely) absent.
 */
export const CONCEPTS = ["toxic", "sycophant"];
export const MODELS = ["m1", "m2"];
export const METHOD_LAYERS: [string, number][] = [["caa", 2], ["caa", 4], ["actadd", 3], ["pca", 3]];
export const STRENGTHS = [4, 1, 2]; // deliberately unsorted: builders must sort by strength

export function syntheticResults(seed = 11): ResultRow[] {
  const rng = createRng(seed);
  const u = () => Math.round(rng.next() * 1e6) / 1e6;
  const rows: ResultRow[] = [];
  for (const concept of CONCEPTS) for (const model of MODELS) {
    for (const [method, layer] of METHOD_LAYERS) for (const strength of STRENGTHS) {
      const auroc = 0.5 + u() / 2;
      rows.push({
        concept, model, method, layer, strength,
        success: u(), coherence: u(), diversity_sample: u(), diversity_set: u(), hm_scd: u(), hm_sc: u(),
        auroc, auroc_ci_low: auroc - 0.05, auroc_ci_high: Math.min(1, auroc + 0.04), beats_prompting: auroc > 0.75,
      });
    }
    for (const method of ["prompting", "real"]) {
      if (method === "real" && concept === "toxic" && model === "m2") continue;
      rows.push({
        concept, model, method, layer: null, strength: null,
        success: u(), coherence: u(), diversity_sample: u(), diversity_set: u(), hm_scd: u(), hm_sc: u(),
        auroc: 0.75, auroc_ci_low: 0.7, auroc_ci_high: 0.8, beats_prompting: null,
      });
    }
  }
  return rows;
}
