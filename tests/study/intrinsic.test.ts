import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModel } from "../../lib/checkpoint/load";
import { createEngine, encodePrompts } from "../../lib/engine";
import type { Engine } from "../../lib/engine/types";
import { diversityAxis } from "../../lib/metrics/aggregate";
import { coherenceFromPerplexity, perplexityCoherence } from "../../lib/metrics/coherence";
import { sampleDiversity, setDiversity } from "../../lib/metrics/diversity";
import type { Judge } from "../../lib/metrics/judges/types";
import { intrinsicScores, referencePerplexity, scoredTexts } from "../../lib/study/intrinsic";
import { setProgressMode } from "../../lib/util/progress";
import { writeRandomModel } from "./fixtures";

/**
 * lib/study/intrinsic.ts composes the metrics into a row's scores. Each score is recomputed here from its parts,
 * by hand where the rule is the point: the judge's mean, empty responses counted as coherence 0 (not dropped),
 * the chosen per-response and set diversity fields, and the harmonic means.
 */
const dir = mkdtempSync(join(tmpdir(), "steersynth-intrinsic-"));
let engine: Engine;
beforeAll(async () => {
  setProgressMode("off");
  engine = await createEngine(await loadModel(await writeRandomModel(join(dir, "model"), 5)), { threads: 1 });
});
afterAll(async () => { await engine.dispose(); setProgressMode(null); rmSync(dir, { recursive: true, force: true }); });

/** A judge whose scores are given per response (the judge is an input here; its own validation is elsewhere). */
const fixedJudge = (scores: Record<string, number>): Judge => ({ id: "fixed", score: async (items) => items.map((x) => scores[x.response]) });

describe("intrinsic scores", () => {
  const prompts = ["Tell me a story.", "What is the capital?", "Say something.", "Explain rain."];
  const texts = ["Once upon a time there was a cat.", "", "The capital is a city with a river.", "Rain falls from clouds when drops grow heavy."];
  const judge = fixedJudge({ [texts[0]]: 0.8, [texts[1]]: 0.1, [texts[2]]: 0.5, [texts[3]]: 0.2 });
  const diversity = { sample: "distinct_2" as const, set: "vendi-ngram" };

  it("combine the judge, coherence (empty = 0), diversity and their harmonic means as documented", async () => {
    const pplRef = await referencePerplexity(engine, prompts.slice(0, 2), ["A short reference reply.", "Another reference reply here."]);
    expect(pplRef).toBeGreaterThan(1);
    const s = await intrinsicScores(engine, judge, prompts, texts, pplRef, diversity);
    expect(s.success).toBeCloseTo((0.8 + 0.1 + 0.5 + 0.2) / 4, 12);
    const nonEmpty = [0, 2, 3];
    const coh = await perplexityCoherence(engine, scoredTexts(engine.model, nonEmpty.map((i) => prompts[i]), nonEmpty.map((i) => texts[i])), pplRef);
    expect(s.coherence).toBeCloseTo((coh[0] + 0 + coh[1] + coh[2]) / 4, 10); // the empty response counts, as 0
    expect(s.empty_responses).toBe(1);
    expect(s.diversity_sample).toBeCloseTo(texts.reduce((a, t) => a + sampleDiversity(t).distinct_2, 0) / 4, 12);
    expect(s.diversity_set).toBeCloseTo(diversityAxis(setDiversity(texts), { metric: "vendi-ngram" }), 12);
    const hm = (xs: number[]) => xs.length / xs.reduce((a, x) => a + 1 / x, 0);
    expect(s.hm_scd).toBeCloseTo(hm([s.success, s.coherence, s.diversity_set]), 12);
    expect(s.hm_sc).toBeCloseTo(hm([s.success, s.coherence]), 12);
    for (const v of [s.success, s.coherence, s.diversity_sample, s.diversity_set, s.hm_scd, s.hm_sc]) expect(v >= 0 && v <= 1).toBe(true);
  });

  it("the pooled reference perplexity and the per-response perplexity agree on a single text", async () => {
    const one = scoredTexts(engine.model, [prompts[0]], [texts[0]]);
    const ppl = await referencePerplexity(engine, [prompts[0]], [texts[0]]);
    expect((await perplexityCoherence(engine, one, ppl))[0]).toBeCloseTo(coherenceFromPerplexity(ppl, ppl), 6);
  });

  it("keeps an overlong pair's prompt and the start of its response, within the context", () => {
    const long = "word ".repeat(1500);
    const [st] = scoredTexts(engine.model, [prompts[0]], [long]);
    const promptIds = encodePrompts(engine.model, [prompts[0]], { chat: true })[0];
    expect(st.promptIds).toEqual(promptIds);
    expect(st.promptIds.length + st.responseIds.length).toBe(engine.model.spec.maxPositions);
    expect(st.responseIds).toEqual(engine.model.tokenizer!.encode(long, { addSpecialTokens: false }).slice(0, st.responseIds.length));
  });

  it("refuses prompts and texts of different lengths", async () => {
    await expect(intrinsicScores(engine, judge, prompts.slice(1), texts, 2, diversity)).rejects.toThrow("intrinsic scores: 3 prompts for 4 texts");
  });
});
