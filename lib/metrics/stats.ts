import { createRng } from "../util/index";

/** Rank statistics, AUROC and resampling for the study's comparisons. */

const checkSameLength = (what: string, a: ArrayLike<unknown>, b: ArrayLike<unknown>): void => {
  if (a.length !== b.length) throw new Error(`${what}: inputs have different lengths (${a.length} vs ${b.length})`);
};
const checkFinite = (what: string, xs: ArrayLike<number>): void => {
  for (let i = 0; i < xs.length; i++) if (!Number.isFinite(xs[i])) throw new Error(`${what}: value ${i} is not a finite number (${xs[i]})`);
};

/** 1-based ranks, ties receiving the average of the ranks they span. */
export function averageRanks(xs: ArrayLike<number>): Float64Array {
  const order = Array.from({ length: xs.length }, (_, i) => i).sort((a, b) => xs[a] - xs[b]);
  const ranks = new Float64Array(xs.length);
  for (let i = 0; i < order.length;) {
    let j = i;
    while (j + 1 < order.length && xs[order[j + 1]] === xs[order[i]]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]] = r;
    i = j + 1;
  }
  return ranks;
}

/**
 * Area under the ROC curve of scores for binary labels (1/true = positive): the probability that a random
 * positive scores above a random negative, ties counting half — U / (n₊ n₋) with U the Mann–Whitney statistic
 * computed from average ranks.
 */
export function auroc(labels: ArrayLike<number | boolean>, scores: ArrayLike<number>): number {
  checkSameLength("auroc", labels, scores);
  checkFinite("auroc scores", scores);
  const ranks = averageRanks(scores);
  let nPos = 0, rankSum = 0;
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (l !== 0 && l !== 1 && l !== true && l !== false) throw new Error(`auroc: label ${i} must be 0/1 or boolean, got ${String(l)}`);
    if (l === 1 || l === true) { nPos++; rankSum += ranks[i]; }
  }
  const nNeg = labels.length - nPos;
  if (nPos === 0 || nNeg === 0) throw new Error(`auroc: needs both classes (got ${nPos} positive, ${nNeg} negative)`);
  return (rankSum - (nPos * (nPos + 1)) / 2) / (nPos * nNeg);
}

function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n = x.length;
  let mx = 0, my = 0;
  for (let i = 0; i < n; i++) { mx += x[i] / n; my += y[i] / n; }
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) { sxy += (x[i] - mx) * (y[i] - my); sxx += (x[i] - mx) ** 2; syy += (y[i] - my) ** 2; }
  if (sxx === 0 || syy === 0) throw new Error("correlation: an input is constant, the correlation is undefined");
  return sxy / Math.sqrt(sxx * syy);
}

/** Spearman's ρ: Pearson correlation of the average ranks (ties handled by mid-ranks). */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkSameLength("spearman", x, y);
  checkFinite("spearman x", x);
  checkFinite("spearman y", y);
  if (x.length < 2) throw new Error("spearman: needs at least 2 pairs");
  return pearson(averageRanks(x), averageRanks(y));
}

/** Kendall's τ-b (ties in either variable corrected): (C − D) / √((n₀ − n₁)(n₀ − n₂)). O(n²). */
export function kendallTau(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkSameLength("kendallTau", x, y);
  checkFinite("kendallTau x", x);
  checkFinite("kendallTau y", y);
  const n = x.length;
  if (n < 2) throw new Error("kendallTau: needs at least 2 pairs");
  let s = 0, tiesX = 0, tiesY = 0;
  for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) {
    const dx = Math.sign(x[i] - x[j]), dy = Math.sign(y[i] - y[j]);
    if (dx === 0) tiesX++;
    if (dy === 0) tiesY++;
    s += dx * dy;
  }
  const n0 = (n * (n - 1)) / 2;
  const denom = Math.sqrt((n0 - tiesX) * (n0 - tiesY));
  if (denom === 0) throw new Error("kendallTau: an input is constant, τ-b is undefined");
  return s / denom;
}

export interface Interval { estimate: number; low: number; high: number }
/** A bootstrap interval and how many resamples the statistic was undefined on (left out of the quantiles). */
export interface BootstrapInterval extends Interval { undefinedResamples: number }
export interface BootstrapOptions { seed: number; iterations?: number; level?: number }

/** Linear-interpolation quantile of sorted values (NumPy's default "linear" method). */
export function quantileSorted(sorted: ArrayLike<number>, p: number): number {
  const h = (sorted.length - 1) * p, lo = Math.floor(h), hi = Math.ceil(h);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * Percentile bootstrap: the statistic on the items as given (estimate) and the (1 ± level)/2 quantiles of the
 * statistic over `iterations` resamples with replacement. Items may be numbers or (x, y) pairs — anything the
 * statistic takes. Seeded; default 2000 iterations, level 0.95.
 * A statistic may return NaN where it is undefined on a resample (a rank correlation of a resample whose values
 * are all tied): those resamples are left out of the quantiles and counted in `undefinedResamples`; if more
 * than half are undefined the interval would describe a different population, so that is an error.
 */
export function bootstrap<T>(items: readonly T[], statistic: (sample: T[]) => number, opts: BootstrapOptions): BootstrapInterval {
  const { seed, iterations = 2000, level = 0.95 } = opts;
  if (items.length === 0) throw new Error("bootstrap: needs at least one item");
  if (!(level > 0 && level < 1)) throw new Error(`bootstrap: level must be in (0, 1), got ${level}`);
  if (!(Number.isInteger(iterations) && iterations >= 1)) throw new Error(`bootstrap: iterations must be a positive integer, got ${iterations}`);
  const rng = createRng(seed);
  const stats = new Float64Array(iterations);
  const sample = new Array<T>(items.length);
  for (let b = 0; b < iterations; b++) {
    for (let i = 0; i < items.length; i++) sample[i] = items[rng.int(items.length)];
    stats[b] = statistic(sample);
  }
  const defined = stats.filter((x) => !Number.isNaN(x)).sort();
  const undefinedResamples = iterations - defined.length;
  if (undefinedResamples > iterations / 2) throw new Error(`bootstrap: the statistic is undefined on ${undefinedResamples} of ${iterations} resamples`);
  const alpha = (1 - level) / 2;
  return { estimate: statistic(items.slice()), low: quantileSorted(defined, alpha), high: quantileSorted(defined, 1 - alpha), undefinedResamples };
}

export interface PairedTest { meanDifference: number; pValue: number; exact: boolean }

/**
 * Two-sided sign-flip permutation test for paired values (e.g. per-seed AUROC of two detectors): under H₀ the
 * sign of each difference aᵢ − bᵢ is exchangeable. Exact (all 2ⁿ sign patterns) for n ≤ 16, otherwise Monte
 * Carlo with p = (1 + #{|mean*| ≥ |mean|}) / (1 + iterations), which is never 0.
 */
export function pairedSignFlipTest(a: readonly number[], b: readonly number[], opts: { seed: number; iterations?: number }): PairedTest {
  checkSameLength("pairedSignFlipTest", a, b);
  checkFinite("pairedSignFlipTest a", a);
  checkFinite("pairedSignFlipTest b", b);
  const n = a.length;
  if (n === 0) throw new Error("pairedSignFlipTest: needs at least one pair");
  const d = a.map((x, i) => x - b[i]);
  const observed = Math.abs(d.reduce((s, x) => s + x, 0));
  // Relative slack so that a sign pattern equal to the observed one is not lost to rounding.
  const atLeast = (s: number): boolean => Math.abs(s) >= observed * (1 - 1e-12);
  const meanDifference = d.reduce((s, x) => s + x, 0) / n;
  if (n <= 16) {
    let hits = 0;
    for (let mask = 0; mask < 1 << n; mask++) {
      let s = 0;
      for (let i = 0; i < n; i++) s += mask & (1 << i) ? -d[i] : d[i];
      if (atLeast(s)) hits++;
    }
    return { meanDifference, pValue: hits / (1 << n), exact: true };
  }
  const iterations = opts.iterations ?? 10000;
  const rng = createRng(opts.seed);
  let hits = 0;
  for (let it = 0; it < iterations; it++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += rng.next() < 0.5 ? -d[i] : d[i];
    if (atLeast(s)) hits++;
  }
  return { meanDifference, pValue: (1 + hits) / (1 + iterations), exact: false };
}
