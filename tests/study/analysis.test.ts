import { describe, expect, it } from "vitest";
import {
  analyzeResults, aurocTracking, consistency, correlationInterval, excludesZero, formatAnalysis, strengthTrends, tuningComparison,
  workingRegimes, type AnalysisRow,
} from "../../lib/study/analysis";

const opts = { seed: 7, iterations: 400 };

/** A steered row; scores default to a fixed value unless given. */
const row = (over: Partial<AnalysisRow>): AnalysisRow => ({
  concept: "c1", model: "m", method: "caa", layer: 1, strength: 1,
  success: 0.5, coherence: 0.5, diversity_sample: 0.5, diversity_set: 0.5, hm_scd: 0.5, hm_sc: 0.5,
  auroc: 0.7, auroc_ci_low: 0.65, auroc_ci_high: 0.75, beats_prompting: null, ...over,
});

describe("correlationInterval", () => {
  it("gives the hand-computed Spearman ρ", () => {
    // Ranks of y: 1 3 2 5 4 → d = 0 −1 1 −1 1, Σd² = 4, ρ = 1 − 6·4 / (5·24) = 0.8.
    expect(correlationInterval([1, 2, 3, 4, 5], [10, 30, 20, 50, 40], opts).rho).toBeCloseTo(0.8, 12);
  });

  it("a perfectly monotone relation has ρ = −1 on every resample, so the CI is [−1, −1]", () => {
    const c = correlationInterval([1, 2, 3, 4, 5, 6], [6, 5, 4, 3, 2, 1], opts);
    expect(c).toMatchObject({ rho: -1, n: 6 });
    expect(c.low!).toBeCloseTo(-1, 12);
    expect(c.high!).toBeCloseTo(-1, 12);
    expect(excludesZero(c)).toBe(true);
  });

  it("a noisy relation gets an interval around ρ that contains 0; same seed, same interval", () => {
    const x = [1, 2, 3, 4, 5, 6, 7, 8], y = [3, 1, 4, 1, 5, 9, 2, 6];
    const c = correlationInterval(x, y, opts);
    expect(c.low!).toBeLessThan(c.rho!);
    expect(c.high!).toBeGreaterThan(c.rho!);
    expect(excludesZero(c)).toBe(false);
    expect(correlationInterval(x, y, opts)).toEqual(c);
  });

  it("drops pairs with a missing value and says why ρ is undefined", () => {
    expect(correlationInterval([1, 2, null, 4], [1, 2, 3, null], opts)).toMatchObject({ rho: null, n: 2, note: "2 pairs (needs 3)" });
    expect(correlationInterval([1, 2, 3], [4, 4, 4], opts)).toMatchObject({ rho: null, n: 3, note: "a column is constant" });
    expect(() => correlationInterval([1], [1, 2], opts)).toThrow(/different lengths/);
  });
});

describe("strength trends and AUROC tracking", () => {
  const strengths = [0.25, 0.5, 1, 2, 4];
  const cell = (method: string, divs: number[]) =>
    strengths.map((s, i) => row({ method, strength: s, diversity_set: divs[i], diversity_sample: 1 - s / 10, success: s / 10 }));
  const rows = [
    row({ method: "prompting", layer: null, strength: null, auroc: 0.6 }), row({ method: "real", layer: null, strength: null, auroc: 0.9 }),
    ...cell("caa", [0.9, 0.8, 0.7, 0.6, 0.5]), ...cell("pca", [0.5, 0.6, 0.7, 0.8, 0.9]),
    row({ method: "caa", strength: 0.7, origin: "tuned", diversity_set: 0.99 }),
  ];

  it("one trend per (concept, model, method, layer) over the grid strengths, tuned rows left out", () => {
    const t = strengthTrends(rows, opts);
    expect(t.map((x) => [x.method, x.strengths])).toEqual([["caa", strengths], ["pca", strengths]]);
    expect(t[0].axes.diversity_set.rho).toBeCloseTo(-1, 12);
    expect(t[1].axes.diversity_set.rho).toBeCloseTo(1, 12);
    expect(t[0].axes.diversity_sample.rho).toBeCloseTo(-1, 12);
    expect(t[0].axes.coherence).toMatchObject({ rho: null, note: "a column is constant" });
  });

  it("tracks each score against AUROC per concept, and counts consistent concepts", () => {
    const mk = (concept: string, sign: 1 | -1) => [1, 2, 3, 4, 5, 6].map((k) =>
      row({ concept, strength: k, hm_scd: k / 10, hm_sc: (sign * k) / 10 + 1, success: k % 2, auroc: 0.5 + k / 20 }));
    const tr = aurocTracking([...mk("a", 1), ...mk("b", -1)], opts);
    expect(tr.map((t) => [t.concept, t.configurations])).toEqual([["a", 6], ["b", 6]]);
    expect(tr[0].scores.hm_scd.rho).toBeCloseTo(1, 12);
    expect(tr[0].scores.hm_scd.low).toBeCloseTo(1, 12);
    expect(tr[1].scores.hm_sc.rho).toBeCloseTo(-1, 12);
    const cons = Object.fromEntries(consistency(tr).map((c) => [c.score, c]));
    expect(cons.hm_scd).toMatchObject({ positive: 2, concepts: 2 });
    expect(cons.hm_scd.meanRho).toBeCloseTo(1, 12);
    expect(cons.hm_sc).toMatchObject({ positive: 1, concepts: 2 });
    expect(cons.hm_sc.meanRho).toBeCloseTo(0, 12);
    expect(cons.coherence).toMatchObject({ positive: 0, concepts: 0, meanRho: null });
  });
});

describe("tuning comparison", () => {
  it("compares the tuned AUROC with the grid's best, median and worst", () => {
    const rows = [0.6, 0.9, 0.7, 0.8].map((auroc, i) => row({ strength: i + 1, auroc }));
    const [t] = tuningComparison([...rows, row({ strength: 2.5, auroc: 0.75, origin: "tuned" }), row({ method: "pca", auroc: 0.5 })]);
    expect(t).toEqual({ concept: "c1", model: "m", method: "caa", tunedStrength: 2.5, tuned: 0.75, best: 0.9, median: 0.75, worst: 0.6, rankBelow: 2, grid: 4 });
    // A tuned strength that is a grid point counts in the grid too.
    const [g] = tuningComparison(rows.map((r, i) => (i === 1 ? { ...r, origin: "grid+tuned" as const } : r)));
    expect(g).toMatchObject({ tunedStrength: 2, tuned: 0.9, best: 0.9, median: 0.75, rankBelow: 3, grid: 4 });
  });
});

describe("claims", () => {
  /** Two concepts, one model, two methods × 5 strengths; diversity falls with strength; AUROC follows hm_scd. */
  const build = (beat: (concept: string, k: number) => boolean) => {
    const rows: AnalysisRow[] = [];
    for (const concept of ["a", "b"]) {
      rows.push(row({ concept, method: "prompting", layer: null, strength: null, auroc: 0.7 }));
      for (const method of ["caa", "pca"] as const)
        for (let k = 1; k <= 5; k++) {
          const auroc = beat(concept, k) ? 0.9 + k / 100 : 0.5 + k / 100;
          rows.push(row({ concept, method, strength: k, diversity_sample: 1 - k / 10, diversity_set: 1 - k / 20, hm_scd: auroc - 0.3, hm_sc: 0.5, success: 0.5,
            auroc, auroc_ci_low: auroc - 0.01, auroc_ci_high: auroc + 0.01, beats_prompting: auroc > 0.7 }));
        }
    }
    return rows;
  };

  it("reproduces (a), (b), (c) and (d) when the data say so", () => {
    const a = analyzeResults(build((_, k) => k === 5), opts);
    expect(a.claims.a).toMatchObject({ verdict: "reproduced", cells: 4 });
    expect(a.claims.a.axes.diversity_set).toMatchObject({ negative: 4, positive: 0 });
    expect(a.claims.a.axes.diversity_set.meanRho).toBeCloseTo(-1, 12);
    expect(a.claims.b.verdict).toBe("reproduced");
    expect(a.claims.b.concepts).toEqual([
      { concept: "a", configurations: 10, beating: 2, clearlyBeating: 2 }, { concept: "b", configurations: 10, beating: 2, clearlyBeating: 2 }]);
    // 4 of 20 beat prompting: the CI of the share lies below ½.
    expect(a.claims.c).toMatchObject({ beating: 4, configurations: 20, share: 0.2, verdict: "reproduced" });
    expect(a.claims.c.high!).toBeLessThan(0.5);
    // hm_scd tracks AUROC in both concepts; hm_sc and success are constant (undefined ρ).
    expect(a.claims.d).toMatchObject({ verdict: "reproduced", hm_scd: { positive: 2 }, hm_sc: { positive: 0, concepts: 0 } });
    expect(formatAnalysis(a)).toMatch(/\(c\) only a minority of configurations beat prompting: reproduced — 4\/20 = 0\.20/);
  });

  it("calls (a) inconclusive when no trend is clear either way, not reproduced when diversity clearly rises", () => {
    // Diversity zig-zags with strength (ρ = 0.1): no cell's CI excludes 0.
    const zig = [0.5, 0.7, 0.4, 0.6, 0.55];
    const flat = build(() => false).map((r) => (r.strength === null ? r : { ...r, diversity_sample: zig[r.strength - 1], diversity_set: zig[r.strength - 1] }));
    const a = analyzeResults(flat, opts).claims.a;
    expect(a.axes.diversity_set).toMatchObject({ negative: 0, positive: 0, verdict: "inconclusive" });
    expect(a.verdict).toBe("inconclusive");
    const rising = analyzeResults(build(() => false).map((r) => (r.strength === null ? r : { ...r, diversity_set: r.strength / 10 })), opts).claims.a;
    expect(rising.axes.diversity_set).toMatchObject({ negative: 0, positive: 4, verdict: "not reproduced" });
    expect(rising.verdict).toBe("not reproduced");
  });

  it("does not reproduce (b) and (c) when nothing, or almost everything, beats prompting", () => {
    expect(analyzeResults(build(() => false), opts).claims.b.verdict).toBe("not reproduced");
    const most = analyzeResults(build((_, k) => k > 1), opts).claims.c;
    expect(most).toMatchObject({ beating: 16, verdict: "not reproduced" });
  });
});

describe("workingRegimes", () => {
  // Unsteered: 10 % violating, coherence 0.8. A strength works at rate ≥ 20 % (and > 10 %) with coherence ≥ 0.64.
  const unsteered = row({ method: "unsteered", layer: null, strength: null, violation_rate: 0.1, coherence: 0.8 });
  const grid = [
    row({ strength: 1, violation_rate: 0.15, coherence: 0.79 }), // raises, but not twice
    row({ strength: 2, violation_rate: 0.2, coherence: 0.65 }),  // exactly twice (2 · 0.1 is 0.2 in floats), 81 %: works
    row({ strength: 4, violation_rate: 0.5, coherence: 0.63 }),  // strong, but below 80 % coherence
    row({ strength: 8, violation_rate: 0.25, coherence: 0.7, origin: "tuned" }), // tuned rows are not grid points
  ];

  it("marks the strengths that double the violation rate at ≥ 80 % coherence, and picks the highest rate among them", () => {
    const [w] = workingRegimes([unsteered, ...grid]);
    expect(w).toMatchObject({ concept: "c1", model: "m", method: "caa", unsteeredRate: 0.1, unsteeredCoherence: 0.8 });
    expect(w.points.map((p) => [p.strength, p.works])).toEqual([[1, false], [2, true], [4, false]]);
    expect(w.best).toMatchObject({ strength: 2, violationRate: 0.2, layer: 1 });
  });

  it("has no regime when coherence breaks first, needs a rate above an unsteered 0, and needs an unsteered row", () => {
    const broken = workingRegimes([unsteered, grid[0], grid[2]]);
    expect(broken[0].best).toBeNull();
    expect(formatAnalysis(analyzeResults([unsteered, grid[0], grid[2]], opts))).toMatch(/c1\/m\/caa .*none \(max rate 50 %\)/);
    const zero = { ...unsteered, violation_rate: 0 };
    expect(workingRegimes([zero, row({ strength: 1, violation_rate: 0, coherence: 0.8 })])[0].best).toBeNull();
    expect(workingRegimes([zero, row({ strength: 1, violation_rate: 0.02, coherence: 0.8 })])[0].best).toMatchObject({ strength: 1 });
    expect(workingRegimes(grid)).toEqual([]);
    // Results written before violation rates existed: no regime rows, not a default.
    expect(workingRegimes([unsteered, row({ strength: 1 })])).toEqual([]);
  });
});
