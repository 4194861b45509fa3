import { describe, expect, it } from "vitest";
import { applyPlatt, expectedCalibrationError, fitPlatt, reliabilityBins } from "../../lib/metrics/calibration";
import { createRng } from "../../lib/util/rng";

describe("expected calibration error (10 equal-width bins)", () => {
  it("matches a hand-computed case", () => {
    // bins: 0.05 → [0, .1) label 1: |1 − .05| = .95; 0.15 → [.1, .2) label 0: .15; 0.55 → [.5, .6) label 1: .45;
    // 0.95, 0.92 → [.9, 1] labels 1, 0: |.5 − .935| = .435 (two items). ECE = (.95 + .15 + .45 + 2·.435) / 5 = .484
    expect(expectedCalibrationError([1, 0, 1, 1, 0], [0.05, 0.15, 0.55, 0.95, 0.92])).toBeCloseTo(0.484, 12);
  });
  it("puts bin edges in the upper bin and 1 in the last bin", () => {
    const bins = reliabilityBins([1, 0, 1], [0.1, 0.2, 1]);
    expect(bins[1]).toMatchObject({ count: 1, low: 0.1, meanScore: 0.1 });
    expect(bins[2]).toMatchObject({ count: 1, low: 0.2, meanScore: 0.2 });
    expect(bins[9]).toMatchObject({ count: 1, meanScore: 1, positiveRate: 1 });
    expect(bins[0].count).toBe(0);
    expect(Number.isNaN(bins[0].meanScore)).toBe(true);
  });
  it("is 0 for scores equal to their bin's positive rate and rejects bad input", () => {
    expect(expectedCalibrationError([1, 0, 0, 0], [0.25, 0.25, 0.25, 0.25])).toBeCloseTo(0, 12);
    expect(() => expectedCalibrationError([1], [1.5])).toThrow(/score 0 must be in \[0, 1\]/);
    expect(() => expectedCalibrationError([2], [0.5])).toThrow(/label 0 must be 0 or 1/);
  });
});

describe("Platt scaling", () => {
  it("recovers the logistic map that generated the labels", () => {
    const rng = createRng(5);
    const z: number[] = [], y: number[] = [];
    for (let i = 0; i < 20000; i++) {
      const x = -4 + 8 * rng.next();
      z.push(x);
      y.push(rng.next() < 1 / (1 + Math.exp(-(2 * x - 1))) ? 1 : 0);
    }
    const m = fitPlatt(z, y);
    // Sampling error of the MLE at n = 20000 is ~0.03 for a and ~0.03 for b; smoothing of targets is ~1e-4.
    expect(m.a).toBeGreaterThan(1.9);
    expect(m.a).toBeLessThan(2.1);
    expect(m.b).toBeGreaterThan(-1.1);
    expect(m.b).toBeLessThan(-0.9);
    expect(applyPlatt(m, 0.5)).toBeCloseTo(1 / (1 + Math.exp(-(m.a * 0.5 + m.b))), 12);
  });
  it("stays finite on separable data and needs both classes", () => {
    const m = fitPlatt([-2, -1, 1, 2], [0, 0, 1, 1]);
    expect(Number.isFinite(m.a) && Number.isFinite(m.b)).toBe(true);
    expect(applyPlatt(m, 2)).toBeLessThan(1);
    expect(() => fitPlatt([1, 2], [1, 1])).toThrow(/both classes/);
  });
});
