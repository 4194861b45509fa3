import { createRng, deriveSeed } from "../util/index";
import type { LabelledRow } from "../world/index";

/**
 * Training data for a detector: the concept's real detector_train split, with its violating (positive)
 * examples optionally replaced by generated ones (steered, or prompted as the baseline). Every example keeps
 * its provenance so a trained detector can be traced back to the exact generations it saw.
 */
export type Source = "real" | "steered" | "prompting" | "unsteered";

export interface Example {
  user: string;
  response: string;
  /** 1 = violating (the concept), 0 = compliant. */
  label: 0 | 1;
  source: Source;
  provenance: Record<string, string | number | null>;
}

/** A concept's real labelled split (detector_train / detector_test) as examples, with their provenance. */
export const realExamples = (rows: readonly LabelledRow[], split: string): Example[] =>
  rows.map((r, i) => ({ user: r.user, response: r.response, label: r.label, source: "real", provenance: { split, index: i, template: r.template ?? null } }));

/** Generated responses that stand in for the real positives. */
export interface Replacement {
  source: Exclude<Source, "real">;
  items: { user: string; text: string; provenance: Record<string, string | number | null> }[];
}

export interface CompositionOptions {
  positives: number;
  negatives: number;
  seed: number;
  replacement?: Replacement;
}

/**
 * Compose a training set: `negatives` compliant real examples (drawn with a seed that does not depend on the
 * replacement, so every data source trains against exactly the same negatives) plus `positives` violating ones,
 * real or generated. Generations with empty text are unusable; if fewer than `positives` remain, this is an
 * error (policy: never train on a silently smaller set).
 */
export function composeTrainingSet(real: readonly Example[], opts: CompositionOptions): Example[] {
  const { positives, negatives, seed, replacement } = opts;
  const realPos = real.filter((e) => e.label === 1), realNeg = real.filter((e) => e.label === 0);
  if (realNeg.length < negatives)
    throw new Error(`detector training set: needs ${negatives} compliant examples but the real split has ${realNeg.length}`);
  const neg = createRng(deriveSeed(seed, "negatives")).shuffle(realNeg).slice(0, negatives);
  let pos: Example[];
  if (!replacement) {
    if (realPos.length < positives)
      throw new Error(`detector training set: needs ${positives} violating examples but the real split has ${realPos.length}`);
    pos = createRng(deriveSeed(seed, "positives")).shuffle(realPos).slice(0, positives);
  } else {
    const usable = replacement.items.filter((g) => g.text.trim().length > 0);
    if (usable.length < positives)
      throw new Error(`detector training set: ${replacement.source} data has ${usable.length} usable generations (non-empty text) of ${replacement.items.length}, but ${positives} are needed; generate more samples`);
    pos = createRng(deriveSeed(seed, "replacement")).shuffle(usable).slice(0, positives).map((g) => ({
      user: g.user, response: g.text, label: 1 as const, source: replacement.source, provenance: g.provenance,
    }));
  }
  return [...neg, ...pos];
}
