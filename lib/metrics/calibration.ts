import { sigmoid } from "../math/index";

/**
 * Calibration of probability-like scores against binary labels: reliability bins, the expected calibration
 * error, and Platt scaling (the calibration map of the success judges).
 */

export interface ReliabilityBin {
  /** The bin's score range [low, high) (the last bin includes 1). */
  low: number;
  high: number;
  count: number;
  /** Mean score of the bin's items (NaN when empty). */
  meanScore: number;
  /** Fraction of positive labels among the bin's items (NaN when empty). */
  positiveRate: number;
}

const checkInputs = (what: string, labels: ArrayLike<number>, scores: ArrayLike<number>): void => {
  if (labels.length !== scores.length) throw new Error(`${what}: ${labels.length} labels for ${scores.length} scores`);
  if (labels.length === 0) throw new Error(`${what}: no items`);
  for (let i = 0; i < scores.length; i++) {
    if (!(scores[i] >= 0 && scores[i] <= 1)) throw new Error(`${what}: score ${i} must be in [0, 1], got ${scores[i]}`);
    if (labels[i] !== 0 && labels[i] !== 1) throw new Error(`${what}: label ${i} must be 0 or 1, got ${labels[i]}`);
  }
};

/** Equal-width bins over [0, 1]: bin b holds scores in [b/B, (b+1)/B), the last one also holds 1. */
export function reliabilityBins(labels: ArrayLike<number>, scores: ArrayLike<number>, bins = 10): ReliabilityBin[] {
  checkInputs("reliability", labels, scores);
  if (!(Number.isInteger(bins) && bins >= 1)) throw new Error(`reliability: bins must be a positive integer, got ${bins}`);
  const count = new Array<number>(bins).fill(0), sum = new Array<number>(bins).fill(0), pos = new Array<number>(bins).fill(0);
  for (let i = 0; i < scores.length; i++) {
    const b = Math.min(bins - 1, Math.floor(scores[i] * bins));
    count[b]++; sum[b] += scores[i]; pos[b] += labels[i];
  }
  return count.map((n, b) => ({ low: b / bins, high: (b + 1) / bins, count: n, meanScore: n ? sum[b] / n : NaN, positiveRate: n ? pos[b] / n : NaN }));
}

/**
 * Expected calibration error of P(label = 1) scores (Naeini et al. 2015, as in Guo et al. 2017 for the binary
 * case): Σ_b (n_b / N) · |positive rate_b − mean score_b| over equal-width bins (default 10); empty bins add 0.
 */
export function expectedCalibrationError(labels: ArrayLike<number>, scores: ArrayLike<number>, bins = 10): number {
  const n = labels.length;
  return reliabilityBins(labels, scores, bins).reduce((s, b) => (b.count ? s + (b.count / n) * Math.abs(b.positiveRate - b.meanScore) : s), 0);
}

/** Platt scaling p = σ(a·z + b) of a raw score z (a logit). */
export interface PlattMap { a: number; b: number }

export const applyPlatt = (m: PlattMap, z: number): number => sigmoid(m.a * z + m.b);

/**
 * Fit Platt scaling on (raw score, label) pairs by Newton's method on the log loss, with Platt's (1999) smoothed
 * targets (n₊ + 1)/(n₊ + 2) and 1/(n₋ + 2), which keep the fit finite when the classes are separable.
 */
export function fitPlatt(z: ArrayLike<number>, labels: ArrayLike<number>, iterations = 100): PlattMap {
  if (z.length !== labels.length || z.length === 0) throw new Error(`Platt scaling: ${z.length} scores for ${labels.length} labels`);
  let nPos = 0;
  for (let i = 0; i < labels.length; i++) nPos += labels[i];
  const nNeg = labels.length - nPos;
  if (nPos === 0 || nNeg === 0) throw new Error(`Platt scaling: needs both classes (got ${nPos} positive, ${nNeg} negative)`);
  const hi = (nPos + 1) / (nPos + 2), lo = 1 / (nNeg + 2);
  let a = 1, b = 0;
  for (let it = 0; it < iterations; it++) {
    let ga = 0, gb = 0, haa = 1e-12, hab = 0, hbb = 1e-12;
    for (let i = 0; i < z.length; i++) {
      const p = sigmoid(a * z[i] + b), t = labels[i] ? hi : lo, w = p * (1 - p);
      ga += (p - t) * z[i]; gb += p - t;
      haa += w * z[i] * z[i]; hab += w * z[i]; hbb += w;
    }
    const det = haa * hbb - hab * hab;
    const da = (hbb * ga - hab * gb) / det, db = (haa * gb - hab * ga) / det;
    a -= da; b -= db;
    if (Math.abs(da) + Math.abs(db) < 1e-10) break;
  }
  return { a, b };
}
