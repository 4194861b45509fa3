import { describe, expect, it } from "vitest";
import { layerColumns, layerTable, scoreLayers, type PairedActivations } from "../../lib/steering";
import { meanRowNorm } from "../../lib/math/linalg";
import { plantedPairs, randomUnit } from "./synthetic";

describe("layer choice: per-layer probe accuracy and separation", () => {
  const width = 24;
  const d = randomUnit(width, 3);
  const acts = new Map<number, PairedActivations>([
    [0, plantedPairs({ n: 80, width, d, gap: 0, context: 1, noise: 0.5, seed: 1 })], // no concept here
    [1, plantedPairs({ n: 80, width, d, gap: 1, context: 1, noise: 0.5, seed: 2 })], // weak
    [2, plantedPairs({ n: 80, width, d, gap: 6, context: 1, noise: 0.5, seed: 3 })], // strong: Bayes accuracy Φ(6/2/1.12) ≈ 0.996
  ]);
  const scores = scoreLayers(acts, { seed: 5 });

  it("ranks the planted layer first and leaves the empty layer near chance", () => {
    expect(scores.map((s) => s.layer)).toEqual([0, 1, 2]);
    expect(scores[2].probeAccuracy).toBeGreaterThan(0.95);
    expect(scores[2].separation).toBeGreaterThan(2);
    expect(scores[0].probeAccuracy).toBeLessThan(0.8); // 40 held-out rows: chance ± 0.08
    expect(Math.abs(scores[0].separation)).toBeLessThan(1);
    expect(scores[1].separation).toBeGreaterThan(scores[0].separation);
    expect(scores[1].separation).toBeLessThan(scores[2].separation);
  });

  it("reports the typical norm and plot-ready columns", () => {
    const a = acts.get(1)!;
    expect(scores[1].typicalNorm).toBeCloseTo((meanRowNorm(a.positive, width) + meanRowNorm(a.negative, width)) / 2, 6);
    const effects = [{ layer: 0, raise: 0.1, lower: 0.2 }, { layer: 2, raise: 0.3, lower: 0.4 }];
    const cols = layerColumns(scores, effects);
    expect(cols.layer).toEqual([0, 1, 2]);
    expect(cols.probeAccuracy[2]).toBe(scores[2].probeAccuracy);
    expect(cols.raise).toEqual([0.1, null, 0.3]);
    expect(cols.lower).toEqual([0.2, null, 0.4]);
    const plain = layerTable(scores).split("\n");
    expect(plain).toHaveLength(5);
    expect(plain.some((r) => r.includes("*"))).toBe(false);
    const table = layerTable(scores, { layer: 2, effects }).split("\n");
    expect(table[0]).toContain("raise");
    expect(table[4]).toMatch(/^\| 2 \* \| .* \| 0\.300 \| 0\.400 \|$/);
    expect(table[3]).toMatch(/^\| 1 \| .*\|$/);
  });
});
