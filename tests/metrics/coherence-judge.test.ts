import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModel } from "../../lib/checkpoint/index";
import { createEngine } from "../../lib/engine/index";
import type { Engine } from "../../lib/engine/types";
import { coherenceFromParts, coherenceJudge, coherenceReference } from "../../lib/metrics/coherence-judge";
import { wordContinuationIds } from "../../lib/metrics/coherence";
import { corrupt } from "../../lib/metrics/corruptions";
import { fitExchangeJudge, exchangeJudge } from "../../lib/metrics/judges/exchange-judge";
import { rememberLast } from "../../lib/metrics/judges/remember";
import { auroc } from "../../lib/metrics/stats";
import { corpusStyle, loadConcept, readLabelled } from "../../lib/world/index";

// The real default model (built by `npm run setup`): coherence and the exchange judge are checked on it, not on a fake.
let engine: Engine;
beforeAll(async () => { engine = await createEngine(await loadModel("data/models/llama-tiny")); });
afterAll(async () => { await engine.dispose(); });

describe("coherence judge", () => {
  it("combines its factors as documented", () => {
    const ref = { nll: 0.3, pmi: 0.3 };
    expect(coherenceFromParts({ nll: 0.2, pmi: 0.5, loop: 0, continuation: 0 }, ref)).toBe(1);
    expect(coherenceFromParts({ nll: 1.3, pmi: 0.3, loop: 0, continuation: 0 }, ref)).toBeCloseTo(0.5, 12);
    expect(coherenceFromParts({ nll: 1.3, pmi: -0.7, loop: 0.5, continuation: 0.2 }, ref)).toBeCloseTo((1 / 3) * 0.5 * 0.8, 12);
  });
  it("knows which tokens continue a word", () => {
    const tok = engine.model.tokenizer!;
    const cont = wordContinuationIds(tok, engine.model.spec.vocabSize);
    const [ion] = tok.encode("ion", { addSpecialTokens: false });
    const [space] = tok.encode(" the", { addSpecialTokens: false });
    expect(cont[ion]).toBe(1);
    expect(cont[space]).toBe(0);
  });
  it("ranks real compliant responses above their loops, cuts and shuffles", async () => {
    const rows = corpusStyle(readLabelled(loadConcept("refusal").paths.detector_test), 0).slice(0, 12);
    const refs = corpusStyle(readLabelled(loadConcept("refusal").paths.judge_train), 0).slice(0, 24);
    const ref = await coherenceReference(engine, refs);
    const judge = coherenceJudge(engine, { compliant: ref, violating: ref }, null);
    const texts = rows.map((r) => r.response);
    for (const kind of ["repeat", "cut", "shuffle"] as const) {
      const bad = corrupt(texts, kind, 3);
      const s = await judge.score([...rows, ...bad.map((response, i) => ({ user: rows[i].user, response }))]);
      expect(auroc([...texts.map(() => 1), ...bad.map(() => 0)], s), kind).toBeGreaterThan(0.9);
    }
    expect(await judge.score([{ user: "hi", response: "  " }])).toEqual([0]);
  });
  it("holds a real violation to the violating reference, so it reads as coherent as a real compliant reply", async () => {
    const p = loadConcept("refusal").paths;
    const test = readLabelled(p.detector_test), train = readLabelled(p.judge_train);
    const compliant = corpusStyle(test, 0).slice(0, 16), violating = corpusStyle(test, 1).slice(0, 16);
    const refs = {
      compliant: await coherenceReference(engine, corpusStyle(train, 0).slice(0, 32)),
      violating: await coherenceReference(engine, corpusStyle(train, 1).slice(0, 32)),
    };
    // An oracle success judge (the rows' labels), so the check is about the references alone.
    const isViolating = new Set(violating.map((r) => r.response));
    const oracle = { id: "oracle", score: async (xs: readonly { response: string }[]) => xs.map((x) => (isViolating.has(x.response) ? 1 : 0)) };
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    const ratio = async (judge: ReturnType<typeof coherenceJudge>) => mean(await judge.score(violating)) / mean(await judge.score(compliant));
    // Measured 2026-12-07 (16 rows each, llama-tiny): 0.77 with one compliant reference, 1.04 per class.
    expect(await ratio(coherenceJudge(engine, { compliant: refs.compliant, violating: refs.compliant }, null))).toBeLessThan(0.88);
    expect(await ratio(coherenceJudge(engine, refs, oracle))).toBeGreaterThan(0.92);
  });
});

describe("rememberLast", () => {
  it("answers a repeated batch (or part of it) from memory and only the missing items from the judge", async () => {
    const asked: string[] = [];
    const base = { id: "len", score: async (xs: readonly { response: string }[]) => { asked.push(...xs.map((x) => x.response)); return xs.map((x) => x.response.length / 10); } };
    const j = rememberLast(base);
    expect(await j.score([{ response: "abc" }, { response: "abcd" }])).toEqual([0.3, 0.4]);
    expect(await j.score([{ response: "abcd" }, { response: "ab" }])).toEqual([0.4, 0.2]);
    expect(asked).toEqual(["abc", "abcd", "ab"]);
    expect(j.id).toBe("len");
  });
});

describe("exchange judge", () => {
  it("trained on part of judge_train, separates held-out test rows of another split and is deterministic", async () => {
    const p = loadConcept("refusal").paths;
    const train = readLabelled(p.judge_train).filter((_, i) => i % 6 === 0);
    const test = readLabelled(p.detector_test).filter((_, i) => i % 12 === 0);
    const a = await fitExchangeJudge(engine, train, { seed: 1, modelId: "llama-tiny" });
    const b = await fitExchangeJudge(engine, train, { seed: 1, modelId: "llama-tiny" });
    expect(a).toEqual(b);
    const s = await exchangeJudge(engine, a, "t").score(test);
    expect(auroc(test.map((r) => r.label), s)).toBeGreaterThan(0.9);
    s.forEach((x) => { expect(x).toBeGreaterThan(0); expect(x).toBeLessThan(1); });
    expect(a.models.length).toBe(9);
    expect(a.nRows).toBe(train.length);
  }, 300_000); // two fits (features and 2 × 9 block classifiers each) on a shared 2-core machine
});
