import { describe, expect, it } from "vitest";
import { auroc, averageRanks, bootstrap, kendallTau, pairedSignFlipTest, spearman } from "../../lib/metrics/stats";
import { combinedScores, diversityAxis, harmonicMean, parseDiversityAxis } from "../../lib/metrics/aggregate";
import { createRng } from "../../lib/util/rng";

/** The Mann–Whitney definition itself: P(score₊ > score₋) + ½ P(score₊ = score₋) over all pairs. */
function mannWhitney(labels: number[], scores: number[]): number {
  let u = 0, pairs = 0;
  labels.forEach((li, i) => labels.forEach((lj, j) => {
    if (li === 1 && lj === 0) { pairs++; u += scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0; }
  }));
  return u / pairs;
}

describe("auroc", () => {
  it("hand case with ties: positives {3, 2}, negatives {2, 1} → (1 + 1 + ½ + 1) / 4", () => {
    expect(auroc([1, 1, 0, 0], [3, 2, 2, 1])).toBe(3.5 / 4);
    expect(auroc([true, false], [0, 1])).toBe(0);
    expect(auroc([1, 0, 1, 0], [5, 5, 5, 5])).toBe(0.5);
  });
  it("equals the pairwise Mann–Whitney definition on random data with many ties", () => {
    const rng = createRng(11);
    for (let t = 0; t < 20; t++) {
      const n = 5 + rng.int(40);
      const labels = Array.from({ length: n }, (_, i) => (i < 2 ? i : rng.int(2)));
      const scores = Array.from({ length: n }, () => rng.int(5));
      expect(auroc(labels, scores)).toBeCloseTo(mannWhitney(labels, scores), 12);
    }
  });
  it("rejects one-class labels, bad labels and mismatched lengths", () => {
    expect(() => auroc([1, 1], [0, 1])).toThrow(/both classes/);
    expect(() => auroc([2, 0], [0, 1])).toThrow(/label 0/);
    expect(() => auroc([1, 0], [0])).toThrow(/lengths/);
    expect(() => auroc([1, 0], [NaN, 1])).toThrow(/finite/);
  });
});

describe("rank correlations (hand-computed)", () => {
  it("average ranks of ties", () => expect(Array.from(averageRanks([10, 20, 10, 30]))).toEqual([1.5, 3, 1.5, 4]));
  it("spearman: perfect, reversed, and a tied case", () => {
    expect(spearman([1, 2, 3, 4], [10, 20, 30, 40])).toBeCloseTo(1, 14);
    expect(spearman([1, 2, 3, 4], [4, 3, 2, 1])).toBeCloseTo(-1, 14);
    // x ranks (1.5, 1.5, 3), y ranks (1, 2, 3): centred (−.5, −.5, 1), (−1, 0, 1): 1.5 / √(1.5 · 2) = √3/2.
    expect(spearman([1, 1, 2], [1, 2, 3])).toBeCloseTo(Math.sqrt(3) / 2, 14);
    expect(() => spearman([1, 1], [1, 2])).toThrow(/constant/);
  });
  it("kendall tau-b with ties", () => {
    // Pairs of (1,1,2) vs (1,2,3): (0,1) tied in x; (0,2), (1,2) concordant → 2 / √((3 − 1)(3 − 0)) = 2/√6.
    expect(kendallTau([1, 1, 2], [1, 2, 3])).toBeCloseTo(2 / Math.sqrt(6), 14);
    expect(kendallTau([1, 2, 3, 4], [1, 3, 2, 4])).toBeCloseTo(4 / 6, 14); // 5 concordant, 1 discordant
  });
});

describe("bootstrap and paired test", () => {
  it("is reproducible per seed, brackets the estimate, and works on pairs", () => {
    const rng = createRng(2);
    const xs = Array.from({ length: 200 }, () => rng.normal() + 3);
    const mean = (s: number[]) => s.reduce((a, b) => a + b, 0) / s.length;
    const a = bootstrap(xs, mean, { seed: 1, iterations: 500 });
    expect(bootstrap(xs, mean, { seed: 1, iterations: 500 })).toEqual(a);
    expect(a.low).toBeLessThan(a.estimate);
    expect(a.high).toBeGreaterThan(a.estimate);
    // 95% CI of a mean of 200 unit normals: half-width ≈ 1.96/√200 ≈ 0.139 (±30% for resampling noise).
    expect((a.high - a.low) / 2).toBeGreaterThan(0.139 * 0.7);
    expect((a.high - a.low) / 2).toBeLessThan(0.139 * 1.3);
    const pairs = xs.map((x, i) => [i % 2, x] as [number, number]);
    const ci = bootstrap(pairs, (s) => auroc(s.map((p) => p[0]), s.map((p) => p[1])), { seed: 3, iterations: 200 });
    expect(ci.low).toBeLessThanOrEqual(ci.high);
  });
  it("sign-flip test: exact p for a hand case, Monte Carlo for larger n", () => {
    // d = (1, 2, 3): |Σ| = 6 is reached only by all + or all −: p = 2/8.
    const t = pairedSignFlipTest([1, 2, 3], [0, 0, 0], { seed: 1 });
    expect(t).toEqual({ meanDifference: 2, pValue: 0.25, exact: true });
    const rng = createRng(4);
    const b = Array.from({ length: 30 }, () => rng.normal());
    expect(pairedSignFlipTest(b.map((x) => x + 2), b, { seed: 1, iterations: 2000 }).pValue).toBeLessThan(0.01);
    const noise = pairedSignFlipTest(b.map(() => rng.normal()), b.map(() => rng.normal()), { seed: 1, iterations: 2000 });
    expect(noise.pValue).toBeGreaterThan(0.001);
  });
});

describe("axes and harmonic means", () => {
  const set = { responses: 5, distinct_1: 0.5, distinct_2: 0.8, distinct_3: 0.9, distinct_4: 1, self_bleu: 0.25, compression_ratio: 2, vendi_ngram: 3 };
  it("maps each diversity metric to [0, 1] as documented", () => {
    expect(diversityAxis(set)).toBe(0.8);
    expect(diversityAxis(set, parseDiversityAxis("self-bleu"))).toBe(0.75);
    expect(diversityAxis(set, parseDiversityAxis("vendi-ngram"))).toBe(0.5);
    expect(diversityAxis(set, parseDiversityAxis("compression"))).toBe(0.5);
    expect(() => diversityAxis(set, parseDiversityAxis("vendi-embedding"))).toThrow(/vendi_embedding/);
    expect(() => parseDiversityAxis("distinct-5")).toThrow(/diversity axis/);
  });
  it("HM is 3/(1/a+1/b+1/c), 0 when any axis is 0", () => {
    expect(harmonicMean([0.5, 1, 0.25])).toBeCloseTo(3 / (2 + 1 + 4), 15);
    expect(combinedScores({ success: 0.5, coherence: 1, diversity: 0 })).toEqual({ hm3: 0, hm2: 2 / 3 });
    expect(() => harmonicMean([1.5])).toThrow(/\[0, 1\]/);
  });
});
