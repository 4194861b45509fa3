import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { crossFitBlocks } from "../../lib/metrics/judges/exchange-judge";
import { claimStatistics, copiedTokens, delexicalise, instructedStatistic, lexicalTerms, specificTerms } from "../../lib/metrics/judges/exchange-features";
import { stratifiedSample } from "../../lib/metrics/judges/validate-concept";
import { validateCoherenceJudge, validateSuccessJudge, writeJudgesCsv, type Labelled } from "../../lib/metrics/judges/validate";
import type { Judge } from "../../lib/metrics/judges/types";
import { createRng } from "../../lib/util/rng";

const rng = createRng(11);
const items: Labelled[] = Array.from({ length: 200 }, (_, i) => ({ user: `q${i}`, response: `r${i}`, label: (i % 2) as 0 | 1 }));
const judgeOf = (id: string, f: (it: Labelled, i: number) => number): Judge => ({ id, score: async (xs) => xs.map((x, i) => f(x as Labelled, i)) });

describe("judge validation", () => {
  it("passes a calibrated, separating judge and flags a weak or miscalibrated one with the reason", async () => {
    const where = { concept: "c", model: "m", set: "test" };
    const good = await validateSuccessJudge(judgeOf("good", (it) => (it.label ? 0.95 : 0.05)), items, where, { seed: 1, bootstrapIterations: 200 });
    expect(good.rows[0]).toMatchObject({ auroc: 1, passes: true, reason: "", n: 200, n_positive: 100 });
    expect(good.rows[0].ece).toBeCloseTo(0.05, 12);
    const noisy = await validateSuccessJudge(judgeOf("noisy", () => rng.next()), items, where, { seed: 1, bootstrapIterations: 200 });
    expect(noisy.rows[0].passes).toBe(false);
    expect(noisy.rows[0].reason).toMatch(/AUROC 0\.\d+ < 0\.97/);
    expect(noisy.rows[0].auroc_ci_low).toBeLessThan(noisy.rows[0].auroc);
    const overconfident = await validateSuccessJudge(judgeOf("sharp", (it, i) => (it.label ? (i % 10 < 8 ? 1 : 0.6) : 0.4)), items, where, { seed: 1, bootstrapIterations: 200 });
    expect(overconfident.rows[0].auroc).toBe(1);
    expect(overconfident.rows[0].reason).toMatch(/^ECE 0\.\d+ > 0\.05$/);
    // Misjudged examples: the lowest-scored positives and highest-scored negatives.
    expect(overconfident.misjudged[0][0]).toMatchObject({ label: 1, score: 0.6 });
  });

  it("scores a coherence judge per corruption against the real texts", async () => {
    const real = ["Salt the water generously before the pasta goes in.", "Give your eyes twenty minutes to adjust to the dark.", "Read the label for added sugar before you buy."]
      .flatMap((t, i) => Array.from({ length: 4 }, (_, k) => ({ user: `u${i}${k}`, response: `${t} Tip ${k}.` })));
    const realSet = new Set(real.map((r) => r.response));
    const v = await validateCoherenceJudge(judgeOf("oracle", (it) => (realSet.has(it.response) ? 0.9 : 0.1)), real, { concept: "c", model: "m" }, { seed: 2, bootstrapIterations: 100 }, [], ["shuffle", "cut", "repeat", "salad"]);
    expect(v.rows.map((r) => r.set)).toEqual(["real vs shuffle", "real vs cut", "real vs repeat", "real vs salad"]);
    v.rows.forEach((r) => expect(r).toMatchObject({ auroc: 1, passes: true, n: 24, n_positive: 12 }));
  });

  it("checks that a coherence judge does not read real violations as incoherent", async () => {
    const real = Array.from({ length: 12 }, (_, i) => ({ user: `u${i}`, response: `Here is tip number ${i} for you.` }));
    const violating = Array.from({ length: 8 }, (_, i) => ({ user: `v${i}`, response: `I will not help you with request ${i}.` }));
    const bad = new Set(violating.map((r) => r.response));
    const biased = await validateCoherenceJudge(judgeOf("biased", (it) => (bad.has(it.response) ? 0.5 : 0.9)), real, { concept: "c", model: "m" }, { seed: 2, bootstrapIterations: 100 }, violating, ["shuffle"]);
    expect(biased.rows.map((r) => r.set)).toEqual(["real vs shuffle", "violating vs compliant"]);
    // Every violation scores below every compliant reply: AUROC 0, below the 0.35 target.
    expect(biased.rows[1]).toMatchObject({ n: 20, n_positive: 8, auroc: 0, passes: false, target_auroc: 0.35 });
    const fair = await validateCoherenceJudge(judgeOf("fair", (it) => (it.response.includes("tip") || bad.has(it.response) ? 0.9 : 0.1)), real, { concept: "c", model: "m" }, { seed: 2, bootstrapIterations: 100 }, violating, ["shuffle"]);
    expect(fair.rows[1]).toMatchObject({ auroc: 0.5, passes: true });
  });

  it("writes judges.csv with a header and one line per row", async () => {
    const v = await validateSuccessJudge(judgeOf("j,with comma", (it) => (it.label ? 0.7 : 0.3)), items, { concept: "c", model: "m", set: "test" }, { seed: 1, bootstrapIterations: 50 });
    const dir = mkdtempSync(join(tmpdir(), "judges-"));
    try {
      writeJudgesCsv(join(dir, "judges.csv"), v.rows);
      const lines = readFileSync(join(dir, "judges.csv"), "utf8").trim().split("\n");
      expect(lines[0]).toBe("concept,model,axis,judge,set,n,n_positive,auroc,auroc_ci_low,auroc_ci_high,ece,mean_positive,mean_negative,target_auroc,target_ece,passes,reason");
      expect(lines[1]).toMatch(/^c,m,success,"j,with comma",test,200,100,1,1,1,0\.3,0\.7,0\.3,0\.97,0\.05,false,ECE 0\.300 > 0\.05$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe("exchange judge data handling", () => {
  it("deals templates round-robin within their family and entities over all rows, seeded", () => {
    const rows = ["a/x/0", "a/x/1", "a/x/2", "a/x/3", "a/y/0", "a/y/1", "a/z/0"].flatMap((t, i) => [{ template: t, entity: `e${i % 3}` }, { template: t, entity: `e${3 + (i % 3)}` }]);
    const { template, entity } = crossFitBlocks(rows, 2, 3);
    // one template keeps one block; a family of 4 fills both blocks twice, a family of 2 once each
    const blockOf = new Map<string, Set<number>>();
    rows.forEach((r, i) => (blockOf.get(r.template) ?? blockOf.set(r.template, new Set()).get(r.template)!).add(template[i]));
    for (const s of blockOf.values()) expect(s.size).toBe(1);
    const count = (fam: string, b: number) => [...blockOf].filter(([t, s]) => t.startsWith(fam) && s.has(b)).length;
    expect([count("a/x/", 0), count("a/x/", 1)]).toEqual([2, 2]);
    expect([count("a/y/", 0), count("a/y/", 1)]).toEqual([1, 1]);
    // six entities over two blocks: three each, each entity in one block
    const eb = new Map<string, number>();
    rows.forEach((r, i) => { expect(eb.get(r.entity) ?? entity[i]).toBe(entity[i]); eb.set(r.entity, entity[i]); });
    expect([...eb.values()].filter((b) => b === 0).length).toBe(3);
    expect(crossFitBlocks(rows, 2, 3)).toEqual({ template, entity });
    expect(() => crossFitBlocks(rows, 1, 3)).toThrow(/folds/);
  });
  it("lexical terms: delexicalised uni-, bi-, trigrams and the position of the first copied word", () => {
    expect(lexicalTerms("is the sun hot", "yes , sun hot")).toEqual([
      "yes", ",", "yes ,", "<u>", ", <u>", "yes , <u>", "<u>", "<u> <u>", ", <u> <u>", "first:2",
    ]);
    expect(lexicalTerms("abc", "no")).toEqual(["no", "first:-1"]);
    expect(lexicalTerms("a b c d e f g h i jjj", "1 2 3 4 5 6 7 8 9 10 jjj").find((t) => t.startsWith("first:"))).toBe("first:8");
    // the specifics come last: "Rome" and "1990" are not in the user turn
    expect(lexicalTerms("where is it", "It is in Rome since 1990.").slice(-2)).toEqual(["novel:name", "novel:number"]);
  });
  it("specific terms: numbers and mid-sentence capitalised words, novel or copied from the user turn", () => {
    // "Ada" and "1815" were said; "London" and "1843" were not; "The" opens a sentence, "I'm" is the speaker
    expect(specificTerms("Did Ada write it in 1815?", "The note is by Ada, written in London in 1843. I'm sure.")).toEqual([
      "copied:name", "novel:name", "novel:number",
    ]);
    expect(specificTerms("hello", "Yes. I think so, and I'd say: Maybe.")).toEqual([]);
    expect(specificTerms(undefined, "It began in 1815 with Ada.")).toEqual(["novel:number", "novel:name"]);
  });
  it("marks the model tokens overlapping a copied word", () => {
    // "Yes, the Sun" cut into tokens: "the" (3 letters) and "Sun" were said; "Yes" was not; case is ignored
    expect(copiedTokens("is the sun hot?", ["Yes", ",", " th", "e", " S", "un", "!"])).toEqual([false, false, true, true, true, true, false]);
    expect(copiedTokens("a be", ["a", " be"])).toEqual([false, false]); // words under 3 characters never count
  });
  it("claim statistics by hand", () => {
    const s = claimStatistics([true, false, true, false], [1, 2, 3, 4], [2, 2, 5, 8]);
    // copied: ℓ = (1+3)/2 = 2, ℓ₀ = (2+5)/2 = 3.5; other: ℓ = 3, ℓ₀ = 5; share 2/4
    expect(s).toEqual([2, 3.5, 1.5, 3, 5, 2, 0.5]);
    expect(claimStatistics([false, false], [1, 3], [2, 2, 9])).toEqual([0, 0, 0, 2, 2, 0, 0]);
  });
  it("instructed statistic by hand", () => {
    // ℓ − ℓ_k per token: k=0 [1, 1, 4], k=1 [0, 2, 1]; head 2: k=0 mean 1, k=1 mean 1; head 3: 2 and 1
    expect(instructedStatistic([3, 4, 6], [[2, 3, 2], [3, 2, 5]], 2)).toBe(1);
    expect(instructedStatistic([3, 4, 6], [[2, 3, 2], [3, 2, 5]], 3)).toBe(1.5);
    // the shorter list (truncated) sets the length; an instruction without tokens is left out of the mean
    expect(instructedStatistic([3, 4, 6], [[2, 3], []], 5)).toBe(1);
    expect(instructedStatistic([3, 4], [])).toBe(0);
  });
  it("replaces the words the user said by a placeholder", () => {
    expect(delexicalise("Is the Berlin Wall from 1975?", "Actually, the Berlin Wall fell in 1989.")).toEqual(["actually", ",", "<u>", "<u>", "<u>", "fell", "in", "1989", "."]);
  });
  it("samples a class-stratified subset", () => {
    const s = stratifiedSample(items, 50, 4);
    expect(s.length).toBe(50);
    expect(s.filter((x) => x.label === 1).length).toBe(25);
    expect(stratifiedSample(items, 50, 4)).toEqual(s);
  });
});

describe("validate-judges CLI", () => {
  it("rejects an unknown judge route with a usage error before loading anything", async () => {
    const { run } = await import("../../lib/cli/commands/validate-judges");
    const { UsageError } = await import("../../lib/cli/args");
    await expect(run(["--concept", "toxicity", "--judge", "oracle", "--out", join(tmpdir(), "never")])).rejects.toThrow(UsageError);
    await expect(run(["--concept", "toxicity", "--coherence", "perplexity", "--out", join(tmpdir(), "never")])).rejects.toThrow(/--coherence takes llm, http/);
  });
});
