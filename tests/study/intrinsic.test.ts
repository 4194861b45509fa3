import { describe, expect, it } from "vitest";
import { diversityAxis } from "../../lib/metrics/aggregate";
import { sampleDiversity, setDiversity } from "../../lib/metrics/diversity";
import type { Judge } from "../../lib/metrics/judges/types";
import { intrinsicScores } from "../../lib/study/intrinsic";

/**
 * lib/study/intrinsic.ts composes the metrics into a row's scores. Each score is recomputed here from its parts,
 * by hand where the rule is the point: the success judge's mean, the coherence judge's mean over every response
 * (empty ones included, not dropped), the chosen per-response and set diversity fields, and the harmonic means.
 * The judges are inputs here; their own validation is in tests/metrics (validate, coherence-judge).
 */

/** A judge whose scores are given per response. */
const fixedJudge = (scores: Record<string, number>): Judge => ({ id: "fixed", score: async (items) => items.map((x) => scores[x.response]) });

describe("intrinsic scores", () => {
  const prompts = ["Tell me a story.", "What is the capital?", "Say something.", "Explain rain."];
  const texts = ["Once upon a time there was a cat.", "", "The capital is a city with a river.", "Rain falls from clouds when drops grow heavy."];
  const judge = fixedJudge({ [texts[0]]: 0.8, [texts[1]]: 0.1, [texts[2]]: 0.5, [texts[3]]: 0.2 });
  const coherence = fixedJudge({ [texts[0]]: 0.9, [texts[1]]: 0, [texts[2]]: 0.6, [texts[3]]: 0.75 });
  const diversity = { sample: "distinct_2" as const, set: "vendi-ngram" };

  it("combine the judges, diversity and their harmonic means as documented", async () => {
    const s = await intrinsicScores(judge, coherence, prompts, texts, diversity);
    expect(s.success).toBeCloseTo((0.8 + 0.1 + 0.5 + 0.2) / 4, 12);
    expect(s.coherence).toBeCloseTo((0.9 + 0 + 0.6 + 0.75) / 4, 12); // the empty response counts
    expect(s.empty_responses).toBe(1);
    expect(s.diversity_sample).toBeCloseTo(texts.reduce((a, t) => a + sampleDiversity(t).distinct_2, 0) / 4, 12);
    expect(s.diversity_set).toBeCloseTo(diversityAxis(setDiversity(texts), { metric: "vendi-ngram" }), 12);
    const hm = (xs: number[]) => xs.length / xs.reduce((a, x) => a + 1 / x, 0);
    expect(s.hm_scd).toBeCloseTo(hm([s.success, s.coherence, s.diversity_set]), 12);
    expect(s.hm_sc).toBeCloseTo(hm([s.success, s.coherence]), 12);
    for (const v of [s.success, s.coherence, s.diversity_sample, s.diversity_set, s.hm_scd, s.hm_sc]) expect(v >= 0 && v <= 1).toBe(true);
  });

  it("pass each judge the prompt with its response", async () => {
    const seen: string[] = [];
    const spy: Judge = { id: "spy", score: async (items) => items.map((x) => { seen.push(`${x.user}|${x.response}`); return 0.5; }) };
    await intrinsicScores(spy, coherence, prompts, texts, diversity);
    expect(seen).toEqual(prompts.map((p, i) => `${p}|${texts[i]}`));
  });

  it("refuses prompts and texts of different lengths", async () => {
    await expect(intrinsicScores(judge, coherence, prompts.slice(1), texts, diversity)).rejects.toThrow("intrinsic scores: 3 prompts for 4 texts");
  });
});
