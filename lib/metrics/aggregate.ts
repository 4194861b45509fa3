import type { SetDiversity } from "./diversity";

/**
 * The study's axes, each mapped to [0, 1] (higher = better), and their harmonic means.
 * - success: mean per-response judge score (already in [0, 1]);
 * - coherence: mean per-response coherence (already in [0, 1]);
 * - diversity: one set-level metric, chosen by DiversityAxis:
 *   "distinct-n"   corpus distinct-n (already in [0, 1]);
 *   "self-bleu"    1 − Self-BLEU;
 *   "vendi-ngram"  (Vendi − 1) / (n − 1): 0 when all responses are identical, 1 when all are orthogonal;
 *   "vendi-embedding" the same with the embedding kernel;
 *   "compression"  min(1, 1 / gzip ratio): a ratio ≤ 1 (incompressible) maps to 1;
 *   "embedding-distance" mean pairwise cosine distance, clipped to [0, 1] (anti-correlated embeddings are rare
 *                  and are counted as maximally diverse).
 */
export type DiversityAxis =
  | { metric: "distinct"; n: 1 | 2 | 3 | 4 }
  | { metric: "self-bleu" | "vendi-ngram" | "vendi-embedding" | "compression" | "embedding-distance" };

export const DEFAULT_DIVERSITY_AXIS: DiversityAxis = { metric: "distinct", n: 2 };

const clip01 = (x: number): number => Math.min(1, Math.max(0, x));

export function diversityAxis(set: SetDiversity, axis: DiversityAxis = DEFAULT_DIVERSITY_AXIS): number {
  const need = (v: number | undefined, field: string): number => {
    if (v === undefined) throw new Error(`diversity axis '${axis.metric}' needs set-level '${field}' (compute embeddings first)`);
    return v;
  };
  switch (axis.metric) {
    case "distinct": return set[`distinct_${axis.n}`];
    case "self-bleu": return 1 - set.self_bleu;
    case "vendi-ngram": return clip01((set.vendi_ngram - 1) / (set.responses - 1));
    case "vendi-embedding": return clip01((need(set.vendi_embedding, "vendi_embedding") - 1) / (set.responses - 1));
    case "compression": return Math.min(1, 1 / set.compression_ratio);
    case "embedding-distance": return clip01(need(set.mean_pairwise_cosine_distance, "mean_pairwise_cosine_distance"));
  }
}

/** Harmonic mean of axis values in [0, 1]; 0 if any is 0 (a configuration failing one axis fails overall). */
export function harmonicMean(values: readonly number[]): number {
  if (values.length === 0) throw new Error("harmonicMean: needs at least one value");
  values.forEach((v, i) => {
    if (!(v >= 0 && v <= 1)) throw new Error(`harmonicMean: value ${i} must be in [0, 1], got ${v}`);
  });
  if (values.some((v) => v === 0)) return 0;
  return values.length / values.reduce((s, v) => s + 1 / v, 0);
}

export interface Axes { success: number; coherence: number; diversity: number }

/** HM(success, coherence, diversity) and HM(success, coherence). */
export const combinedScores = (a: Axes): { hm3: number; hm2: number } => ({
  hm3: harmonicMean([a.success, a.coherence, a.diversity]),
  hm2: harmonicMean([a.success, a.coherence]),
});

/** Parse "distinct-2", "self-bleu", "vendi-ngram", ... (the CLI's --diversity-axis). */
export function parseDiversityAxis(text: string): DiversityAxis {
  const m = /^distinct-([1-4])$/.exec(text);
  if (m) return { metric: "distinct", n: Number(m[1]) as 1 | 2 | 3 | 4 };
  const names = ["self-bleu", "vendi-ngram", "vendi-embedding", "compression", "embedding-distance"] as const;
  const name = names.find((x) => x === text);
  if (!name) throw new Error(`diversity axis must be distinct-1..4 or one of ${names.join(", ")}, got '${text}'`);
  return { metric: name };
}
