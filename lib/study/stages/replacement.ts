import { composeTrainingSet, type Example, type Replacement } from "../../detect/index";
import { deriveSeed } from "../../util/index";
import type { StudyConfig } from "../config";
import type { ConceptHandle, StoredGenerations } from "./handles";

/**
 * Between generation and scoring: the violating examples a row stands for (a Replacement of generated texts,
 * or null for the real ones), the detector's training set per seed, and the texts its intrinsic scores use.
 */

/** A group's generations at one strength, as the replacement of the real violating examples. */
export function steeredReplacement(gens: StoredGenerations, strength: number, config: string): Replacement {
  const cells = gens.texts.flatMap((_, i) => (gens.strengths![i] === strength ? [i] : []));
  return {
    source: "steered",
    items: cells.map((i, k) => ({ user: gens.prompts[i], text: gens.texts[i], provenance: { config, sample: k, seed: gens.seeds[i] } })),
  };
}

/** A generated baseline's texts as the replacement: prompting (stored with its system prompts) or unsteered. */
export function promptingReplacement(gens: StoredGenerations, config: string): Replacement {
  const systems = gens.systems;
  return {
    source: systems ? "prompting" : "unsteered",
    items: gens.texts.map((text, k) => ({ user: gens.prompts[k], text, provenance: { config, sample: k, seed: gens.seeds[k], ...(systems ? { system: systems[k] } : {}) } })),
  };
}

/** The detector's seeds (one training run each). */
export const detectorSeeds = (cfg: StudyConfig): number[] => Array.from({ length: cfg.detector.seeds }, (_, i) => deriveSeed(cfg.seed, "detector", i));

/**
 * The detector's training set for one seed: `detector.positives` violating examples (replaced or real; scarce,
 * the paper's premise) and `detector.negatives` real compliant ones.
 */
export const trainingSetFor = (cfg: StudyConfig, c: ConceptHandle, replacement: Replacement | null) => (seed: number): Example[] =>
  composeTrainingSet(c.train, { positives: cfg.detector.positives, negatives: cfg.detector.negatives, seed, ...(replacement ? { replacement } : {}) });

/**
 * The texts the intrinsic scores read: the first `samples` generations, empty ones included (they count in
 * empty_responses); for the real data, `samples` real violating examples (a seeded draw), so that set
 * diversity compares sets of one size.
 */
export function textsToScore(cfg: StudyConfig, c: ConceptHandle, replacement: Replacement | null): { prompts: string[]; texts: string[] } {
  if (replacement) {
    const first = replacement.items.slice(0, cfg.samples);
    return { prompts: first.map((x) => x.user), texts: first.map((x) => x.text) };
  }
  const real = composeTrainingSet(c.train, { positives: cfg.samples, negatives: cfg.detector.negatives, seed: detectorSeeds(cfg)[0] }).filter((e) => e.label === 1);
  return { prompts: real.map((e) => e.user), texts: real.map((e) => e.response) };
}
