import { describe, expect, it } from "vitest";
import { sortScores, stratifiedAurocInterval, weightedAuroc } from "../../lib/detect/bootstrap";
import { auroc } from "../../lib/metrics/stats";
import { createRng } from "../../lib/util/rng";

describe("weighted AUROC", () => {
  it("equals the AUROC of the list with items repeated by their weights (ties included)", () => {
    const rng = createRng(5);
    for (let trial = 0; trial < 20; trial++) {
      const n = 30;
      // Scores on a coarse grid so that ties across and within classes occur.
      const scores = Array.from({ length: n }, () => Math.round(rng.next() * 8) / 8);
      const labels = Array.from({ length: n }, (_, i) => (i < 12 ? 1 : 0));
      const weights = Array.from({ length: n }, () => rng.int(4));
      weights[0] = 1; weights[n - 1] = 1; // both classes present
      const expL: number[] = [], expS: number[] = [];
      weights.forEach((w, i) => { for (let k = 0; k < w; k++) { expL.push(labels[i]); expS.push(scores[i]); } });
      // Reference: lib/metrics auroc (rank-based, average ranks for ties) on the expanded list; exact up to rounding.
      expect(weightedAuroc(labels, sortScores(scores), weights)).toBeCloseTo(auroc(expL, expS), 12);
    }
  });

  it("unit weights give the plain AUROC; a class without weight is an error", () => {
    const scores = [0.1, 0.4, 0.35, 0.8, 0.8], labels = [0, 0, 1, 1, 0];
    expect(weightedAuroc(labels, sortScores(scores), [1, 1, 1, 1, 1])).toBeCloseTo(auroc(labels, scores), 15);
    // Hand count: positives 0.35 (beats 0.1) and 0.8 (beats 0.1, 0.4, ties 0.8) → (1 + 2.5) / 6.
    expect(weightedAuroc(labels, sortScores(scores), [1, 1, 1, 1, 1])).toBeCloseTo(3.5 / 6, 15);
    expect(() => weightedAuroc(labels, sortScores(scores), [0, 0, 1, 1, 0])).toThrow(/both classes/);
  });
});

describe("stratified AUROC interval", () => {
  it("covers the mean over seeds, narrows with more data, and is reproducible for a seed", () => {
    const make = (n: number, seed: number) => {
      const rng = createRng(seed);
      const labels = Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 1 : 0) as 0 | 1);
      const scores = [0, 1].map(() => labels.map((l) => l * 1.0 + rng.normal()));
      return { labels, scores };
    };
    const small = make(150, 1), large = make(1500, 1);
    const a = stratifiedAurocInterval(small.labels, small.scores, { seed: 3, iterations: 400 });
    const mean = (auroc(small.labels, small.scores[0]) + auroc(small.labels, small.scores[1])) / 2;
    expect(a.estimate).toBeCloseTo(mean, 12);
    expect(a.low).toBeLessThan(mean);
    expect(a.high).toBeGreaterThan(mean);
    const b = stratifiedAurocInterval(large.labels, large.scores, { seed: 3, iterations: 400 });
    // Width scales like 1/√n: 10× the data → about a third of the width (loose bound 0.5).
    expect(b.high - b.low).toBeLessThan(0.5 * (a.high - a.low));
    expect(stratifiedAurocInterval(small.labels, small.scores, { seed: 3, iterations: 400 })).toEqual(a);
  });

  it("rejects mismatched inputs", () => {
    expect(() => stratifiedAurocInterval([0, 1], [[0.1]], { seed: 1, iterations: 10 })).toThrow(/seed 0 has 1 scores for 2 labels/);
    expect(() => stratifiedAurocInterval([1, 1], [[0.1, 0.2]], { seed: 1, iterations: 10 })).toThrow(/needs both classes/);
  });
});
