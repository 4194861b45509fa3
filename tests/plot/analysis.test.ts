import { describe, expect, it } from "vitest";
import { analysisFigures, aurocTrackingFigure, strengthTrendFigure, tunedVsGridFigure, tuningCurveFigure } from "../../lib/plot/analysis";
import { assertFigure } from "../../lib/plot/figure";
import { analyzeResults } from "../../lib/study/analysis";
import type { TuneResult } from "../../lib/study/tune";
import { syntheticResults } from "./fixture";

describe("analysis figures", () => {
  const rows = syntheticResults();
  const a = analyzeResults(rows, { seed: 1, iterations: 200 });

  it("draws ρ per concept and per cell with asymmetric CI error bars (high − ρ above, ρ − low below)", () => {
    const f = aurocTrackingFigure(a);
    assertFigure(f);
    expect(f.data).toHaveLength(6);
    const hm = f.data.find((t) => t.name === "HM(success, coherence, diversity)")!;
    const c = a.tracking[0].scores.hm_scd;
    expect((hm.y as number[])[0]).toBe(c.rho);
    expect((hm.error_y as { array: number[] }).array[0]).toBeCloseTo(c.high! - c.rho!, 12);
    expect((hm.error_y as { arrayminus: number[] }).arrayminus[0]).toBeCloseTo(c.rho! - c.low!, 12);
    const t = strengthTrendFigure(a);
    expect(t.data).toHaveLength(4);
    expect((t.data[0].x as string[]).length).toBe(a.trends.length);
    expect(analysisFigures(a).map((x) => x.name)).toEqual(["score-vs-auroc-rho", "axis-vs-strength-rho"]);
    expect(() => tunedVsGridFigure(a)).toThrow(/no tuned configurations/);
  });

  it("draws a tuning curve per layer with the chosen point", () => {
    const r: TuneResult = {
      objective: "hm_scd", layer: 2, strength: 0.5, value: 0.6, generations: 16, rounds: 2,
      curve: [
        { round: 1, layer: 2, strength: 1, objective: 0.4, low: 0.3, high: 0.5, success: 0.5, coherence: 0.5, diversity_set: 0.5, samples: 8 },
        { round: 2, layer: 2, strength: 0.5, objective: 0.6, low: 0.5, high: 0.65, success: 0.5, coherence: 0.5, diversity_set: 0.5, samples: 8 },
      ],
    };
    const f = tuningCurveFigure(r);
    expect(f.data[0].x).toEqual([0.5, 1]);
    expect((f.data[0].error_y as { array: number[] }).array).toEqual([0.65 - 0.6, 0.5 - 0.4].map((x) => expect.closeTo(x, 12)));
    expect(f.data[1]).toMatchObject({ name: "chosen", x: [0.5], y: [0.6] });
  });
});
