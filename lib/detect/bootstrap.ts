import { quantileSorted, type Interval } from "../metrics/index";
import { createRng } from "../util/index";

/**
 * Confidence interval of a detector's test AUROC averaged over training seeds: a two-level percentile bootstrap.
 * Each iteration draws the seeds with replacement (training randomness: which negatives, which split, which
 * batch order) and the test examples stratified by class (positives and negatives resampled separately, so every
 * resample keeps the class counts and has an AUROC); the statistic is the mean over the drawn seeds of the
 * resample's AUROC. The interval so covers both the finite test set and the spread over seeds (with 3 seeds the
 * seed level is coarse: read it as an approximation).
 * A resample is a vector of multiplicities, and the AUROC of a resample is computed on the original items
 * weighted by them (one pass over each seed's presorted scores, ties counted ½), which is exactly the AUROC of
 * the resampled list and O(n) instead of O(n log n).
 */
export interface SortedScores {
  /** Item indices by ascending score. */
  order: Int32Array;
  /** groupEnd[k]: one past the last position of the tie group that position k belongs to. */
  groupEnd: Int32Array;
}

export function sortScores(scores: ArrayLike<number>): SortedScores {
  const n = scores.length;
  const order = Int32Array.from({ length: n }, (_, i) => i).sort((a, b) => scores[a] - scores[b] || a - b);
  const groupEnd = new Int32Array(n);
  for (let k = n - 1; k >= 0; k--)
    groupEnd[k] = k + 1 < n && scores[order[k + 1]] === scores[order[k]] ? groupEnd[k + 1] : k + 1;
  return { order, groupEnd };
}

/** AUROC of items weighted by `weights` (multiplicities): P(score⁺ > score⁻) + ½ P(tie), pairs weighted. */
export function weightedAuroc(labels: ArrayLike<number>, sorted: SortedScores, weights: ArrayLike<number>): number {
  const { order, groupEnd } = sorted;
  let negBelow = 0, pairs = 0, wPos = 0, wNeg = 0;
  for (let k = 0; k < order.length; k = groupEnd[k]) {
    let pos = 0, neg = 0;
    for (let q = k; q < groupEnd[k]; q++) {
      const i = order[q];
      if (labels[i] === 1) pos += weights[i];
      else neg += weights[i];
    }
    pairs += pos * (negBelow + 0.5 * neg);
    negBelow += neg;
    wPos += pos;
    wNeg += neg;
  }
  if (!(wPos > 0 && wNeg > 0)) throw new Error("weightedAuroc: needs positive weight in both classes");
  return pairs / (wPos * wNeg);
}

export function stratifiedAurocInterval(
  labels: readonly (0 | 1)[], scoresPerSeed: readonly ArrayLike<number>[], opts: { seed: number; iterations: number; level?: number },
): Interval {
  const { iterations, level = 0.95 } = opts;
  if (scoresPerSeed.length === 0) throw new Error("AUROC interval: needs the scores of at least one seed");
  for (const [k, s] of scoresPerSeed.entries())
    if (s.length !== labels.length) throw new Error(`AUROC interval: seed ${k} has ${s.length} scores for ${labels.length} labels`);
  if (!(Number.isInteger(iterations) && iterations >= 1)) throw new Error(`AUROC interval: iterations must be a positive integer, got ${iterations}`);
  const pos = labels.flatMap((l, i) => (l === 1 ? [i] : [])), neg = labels.flatMap((l, i) => (l === 0 ? [i] : []));
  if (pos.length === 0 || neg.length === 0) throw new Error(`AUROC interval: the test set needs both classes (${pos.length} violating, ${neg.length} compliant)`);
  const sorted = scoresPerSeed.map(sortScores);
  const k = sorted.length;
  const mean = (seeds: ArrayLike<number>, w: ArrayLike<number>) => {
    let s = 0;
    for (let j = 0; j < seeds.length; j++) s += weightedAuroc(labels, sorted[seeds[j]], w);
    return s / seeds.length;
  };
  const rng = createRng(opts.seed);
  const stats = new Float64Array(iterations);
  const w = new Float64Array(labels.length), drawn = new Int32Array(k);
  for (let b = 0; b < iterations; b++) {
    for (let j = 0; j < k; j++) drawn[j] = rng.int(k);
    w.fill(0);
    for (const cls of [pos, neg]) for (let d = 0; d < cls.length; d++) w[cls[rng.int(cls.length)]]++;
    stats[b] = mean(drawn, w);
  }
  stats.sort();
  const alpha = (1 - level) / 2;
  const all = Int32Array.from({ length: k }, (_, j) => j);
  return { estimate: mean(all, new Float64Array(labels.length).fill(1)), low: quantileSorted(stats, alpha), high: quantileSorted(stats, 1 - alpha) };
}
