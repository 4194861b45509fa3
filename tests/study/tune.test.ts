import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModel } from "../../lib/checkpoint/load";
import { run as tuneCli } from "../../lib/cli/commands/tune";
import { createEngine } from "../../lib/engine/index";
import type { Engine, SamplingOptions } from "../../lib/engine/types";
import type { Judge } from "../../lib/metrics/judges/types";
import { datasetFingerprint, encodePairs, extractVector, loadConceptPairs, type SteeringVector } from "../../lib/steering/index";
import { geometric, nextBracket, objectiveOf, planRounds, tuneSteering, type TuneResult } from "../../lib/study/tune";
import { dataPath } from "../../lib/util/paths";
import { writeTinyConcept } from "./fixtures";

describe("tuning search, pure parts", () => {
  it("spaces strengths geometrically, ends included or strictly inside, to 3 significant digits", () => {
    expect(geometric(0.125, 2, 5, true)).toEqual([0.125, 0.25, 0.5, 1, 2]);
    // Inside (0.25, 1): 0.25·4^(k/4), k = 1..3 → 0.354, 0.5, 0.707.
    expect(geometric(0.25, 1, 3, false)).toEqual([0.354, 0.5, 0.707]);
  });

  it("plans round 1 over every layer, then rounds at one layer, within the budget", () => {
    expect(planRounds(40, 1, 5, 8)).toBe(1);
    expect(planRounds(119, 1, 5, 8)).toBe(2);
    expect(planRounds(240, 4, 5, 8)).toBe(3); // 160 for round 1, then 2 × 40
    expect(() => planRounds(100, 4, 5, 8)).toThrow(/cannot cover round 1 \(4 layer\(s\) × 5 strengths × 8 samples = 160\)/);
  });

  it("refines between the best strength's neighbours, a factor 2 past an end", () => {
    expect(nextBracket([0.125, 0.25, 0.5, 1, 2], 0.5)).toEqual([0.25, 1]);
    expect(nextBracket([0.125, 0.25, 0.5], 0.5)).toEqual([0.25, 1]);
    expect(nextBracket([0.125, 0.25, 0.5], 0.125)).toEqual([0.0625, 0.25]);
    expect(() => nextBracket([1, 2], 3)).toThrow(/was not evaluated/);
  });

  it("computes the objectives as harmonic means (hand-computed)", () => {
    const s = { success: 0.5, coherence: 0.25, diversity: 1 };
    expect(objectiveOf("success", s)).toBe(0.5);
    expect(objectiveOf("hm_sc", s)).toBeCloseTo(2 / (2 + 4), 12); // 2 / (1/0.5 + 1/0.25)
    expect(objectiveOf("hm_scd", s)).toBeCloseTo(3 / (2 + 4 + 1), 12);
  });
});

describe("tuneSteering on the default llama-tiny", () => {
  let engine: Engine;
  /** Per generate call: each sample's steered site and the norm of its added vector. */
  const batches: { size: number; sites: string[]; norms: number[]; keys: string[][] }[] = [];
  let result: TuneResult;
  let vector: SteeringVector;
  // A judge standing in for success: the share of letters 'e' (deterministic, varies with the text).
  const judge: Judge = { id: "e-share", score: async (items) => items.map((x) => (x.response.match(/e/g)?.length ?? 0) / Math.max(1, x.response.length)) };
  // A coherence stand-in: longer non-empty replies score higher (deterministic; empty = 0, as the real judge).
  const coherenceJudge: Judge = { id: "length", score: async (items) => items.map((x) => Math.min(1, x.response.trim().length / 40)) };

  beforeAll(async () => {
    const model = await loadModel(dataPath("models", "llama-tiny"));
    const real = await createEngine(model);
    // Record what each generate call asks for, to check that a round is one batch with per-sample strengths.
    engine = {
      ...real, model: real.model, dispose: () => real.dispose(), forward: real.forward.bind(real),
      generate: (ids: readonly (readonly number[])[], opts: SamplingOptions) => {
        const adds = (opts.steering ?? []).map((s) => Object.entries(s?.add ?? {})[0]);
        batches.push({ size: ids.length, sites: adds.map((x) => x?.[0] ?? ""), norms: adds.map((x) => (x ? Math.hypot(...x[1]) : 0)), keys: (opts.steering ?? []).map((s) => Object.keys(s?.add ?? {}).sort()) });
        return real.generate(ids, opts);
      },
    } as Engine;
    const raw = loadConceptPairs("toxicity", "answer").slice(0, 32);
    vector = await extractVector(engine, encodePairs(model.tokenizer, raw), { method: "caa", layers: [1, 3], read: "answer", dataset: datasetFingerprint(raw) });
    result = await tuneSteering({
      engine, judge, vector, layers: [1, 3], prompts: ["Tell me about my essay.", "What do you think of my plan?"], objective: "hm_scd",
      budget: 2 * 3 * 2 + 2 * 3 * 2, range: [0.25, 1], points: 3, samplesPerPoint: 2, seed: 5,
      sampling: { maxNewTokens: 6, temperature: 0.9, topP: 0.95, topK: 0 }, window: "generated", coherenceJudge,
      diversity: { sample: "distinct_2", set: "distinct-2" }, bootstrap: 50,
    });
  }, 120_000);
  afterAll(async () => { await engine?.dispose(); });

  it("spends the budget in rounds of one batch each: round 1 at both layers, then the best layer only", () => {
    expect(result.rounds).toBe(3);
    // Later rounds skip strengths already evaluated (the bracket's middle can be the best point itself).
    expect(batches[0].size).toBe(12);
    expect(batches.slice(1).every((b) => b.size > 0 && b.size <= 6 && b.size % 2 === 0)).toBe(true);
    expect(result.generations).toBe(batches.reduce((s, b) => s + b.size, 0));
    expect(result.generations).toBeLessThanOrEqual(24);
    const r1 = result.curve.filter((p) => p.round === 1);
    expect(r1.map((p) => [p.layer, p.strength])).toEqual([[1, 0.25], [1, 0.5], [1, 1], [3, 0.25], [3, 0.5], [3, 1]]);
    expect(result.curve.filter((p) => p.round > 1).every((p) => p.layer === result.layer)).toBe(true);
    // Round 1's batch: 2 samples per point, layer 1's three strengths then layer 3's, vectors scaled 1 : 2 : 4.
    expect(batches[0].sites).toEqual([...Array(6).fill("1.resid_post"), ...Array(6).fill("3.resid_post")]);
    const n = batches[0].norms;
    for (const base of [0, 6]) {
      expect(n[base + 1]).toBeCloseTo(n[base], 5);
      expect(n[base + 2] / n[base]).toBeCloseTo(2, 5);
      expect(n[base + 4] / n[base]).toBeCloseTo(4, 5);
    }
  });

  it("chooses the best evaluated point of the chosen layer, with a CI around each point", () => {
    const mine = result.curve.filter((p) => p.layer === result.layer);
    expect(result.value).toBe(Math.max(...mine.map((p) => p.objective)));
    expect(mine.find((p) => p.strength === result.strength)!.objective).toBe(result.value);
    for (const p of result.curve) {
      expect(p.low).toBeLessThanOrEqual(p.objective + 1e-12);
      expect(p.high).toBeGreaterThanOrEqual(p.objective - 1e-12);
      expect(p.objective).toBeCloseTo(objectiveOf("hm_scd", { success: p.success, coherence: p.coherence, diversity: p.diversity_set }), 12);
    }
  });

  it("round 2 refines inside the bracket around round 1's best", () => {
    const r1 = result.curve.filter((p) => p.round === 1 && p.layer === result.layer);
    const best = r1.reduce((b, p) => (p.objective > b.objective ? p : b));
    const [lo, hi] = nextBracket(r1.map((p) => p.strength), best.strength);
    for (const p of result.curve.filter((q) => q.round === 2)) {
      expect(p.strength).toBeGreaterThan(lo);
      expect(p.strength).toBeLessThan(hi);
    }
  });

  it("with layer null, steers the whole vector (a method fitted over every layer): each sample at all its layers", async () => {
    const before = batches.length;
    const r = await tuneSteering({
      engine, judge, coherenceJudge, vector, layers: [null], prompts: ["Tell me about my essay."], objective: "success", budget: 6, range: [0.25, 1], points: 3,
      samplesPerPoint: 2, seed: 5, sampling: { maxNewTokens: 4, temperature: 0.9, topP: 0.95, topK: 0 }, window: "all", diversity: { sample: "distinct_2", set: "distinct-2" }, bootstrap: 20,
    });
    expect(r.layer).toBeNull();
    expect(r.curve.every((p) => p.layer === null)).toBe(true);
    const mine = batches.slice(before);
    expect(mine).toHaveLength(1);
    expect(mine[0].keys).toEqual(Array.from({ length: 6 }, () => ["1.resid_post", "3.resid_post"]));
  });

  it("rejects a budget below round 1 and a vector without the layer", async () => {
    await expect(tuneSteering({ engine, judge, coherenceJudge, vector: (await extractVector(engine, encodePairs(engine.model.tokenizer, loadConceptPairs("toxicity", "answer").slice(0, 8)), { method: "caa", layers: [1], read: "answer", dataset: "x" })),
      layers: [2], prompts: ["hi"], objective: "success", budget: 100, range: [0.25, 1], seed: 1, sampling: { maxNewTokens: 2, temperature: 0, topP: 1, topK: 0 },
      window: "generated", diversity: { sample: "distinct_2", set: "distinct-2" } })).rejects.toThrow(/no direction for layer 2/);
  });
});

describe("steersynth tune", () => {
  const out = mkdtempSync(join(tmpdir(), "steersynth-tune-"));
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it("writes the vector, tune.json and the curve figure", async () => {
    const concept = writeTinyConcept(out, "refusal");
    const code = await tuneCli(["--model", dataPath("models", "llama-tiny"), "--concept", concept, "--method", "pca", "--layer", "2",
      "--budget", "12", "--points", "3", "--samples", "2", "--max-new-tokens", "4", "--out", out]);
    expect(code).toBe(0);
    const r = JSON.parse(readFileSync(join(out, "tune.json"), "utf8"));
    expect(r).toMatchObject({ concept: "refusal", method: "pca", layer: 2, objective: "hm_scd" });
    expect(r.curve.filter((p: { round: number }) => p.round === 1)).toHaveLength(3);
    expect(r.generations).toBeLessThanOrEqual(12);
    for (const f of ["vector.safetensors", "vector.json", "tune-curve.html"]) expect(existsSync(join(out, f))).toBe(true);
    await expect(tuneCli(["--model", dataPath("models", "llama-tiny"), "--concept", "refusal", "--method", "pca", "--objective", "auroc", "--out", out]))
      .rejects.toThrow(/--objective must be one of hm_scd, hm_sc, success/);
    await expect(tuneCli(["--model", dataPath("models", "llama-tiny"), "--concept", "refusal", "--method", "iti", "--layer", "1", "--out", out]))
      .rejects.toThrow(/--layer does not apply to iti: it chooses its own sites over every layer/);
  }, 120_000);
});
