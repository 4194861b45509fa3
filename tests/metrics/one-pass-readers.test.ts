import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadModel } from "../../lib/checkpoint/index";
import { captureActivations, createEngine, encodeExchange, encodePrompts, forwardByLength, truncateExchange } from "../../lib/engine/index";
import type { Engine } from "../../lib/engine/types";
import { logSoftmaxAt } from "../../lib/math/index";
import { coherenceParts } from "../../lib/metrics/coherence-judge";
import { responseTokenNll, wordContinuationIds } from "../../lib/metrics/coherence";
import { exchangeFeatures, exchangeFeatureWidth, INSTRUCTED_FEATURES, INSTRUCTED_HEAD, INSTRUCTED_SCALE, judgeLayers, lexicalBlock, LEXICAL_DIM } from "../../lib/metrics/judges/exchange-features";
import { judgeInstructions } from "../../lib/metrics/judges/concept-data";
import { loadConcept, readLabelled } from "../../lib/world/index";

// The judges read several quantities from one forward pass per text (forwardByLength). Each is checked here against
// the same quantity computed on its own, one text per unpadded forward, on the real default model. Tolerance 1e-4
// (float rounding of batched, padded matmuls; the values are O(1)).
let engine: Engine;
beforeAll(async () => { engine = await createEngine(await loadModel("data/models/llama-tiny")); });
afterAll(async () => { await engine.dispose(); });

const rows = () => readLabelled(loadConcept("sycophancy").paths.judge_train).slice(0, 10);

/** NLL of each response token, from one unpadded forward of prompt ++ response. */
async function tokenNll(ids: number[], responseStart: number): Promise<number[]> {
  const V = engine.model.spec.vocabSize;
  const { logits } = await engine.forward([ids], { logits: "all" });
  return ids.slice(responseStart).map((tok, r) => -logSoftmaxAt(logits.subarray((responseStart + r - 1) * V, (responseStart + r) * V), tok));
}

describe("forwardByLength", () => {
  it("visits every sequence once with its own row of a length-sorted batch", async () => {
    const seqs = [[1, 5, 6, 7], [1, 9], [1, 4, 4, 4, 4, 4], [1, 3, 3]];
    const seen: number[] = [];
    await forwardByLength(engine, seqs, { batchSize: 3, label: "t", logits: "last" }, (res, b, i) => {
      seen.push(i);
      expect(res.seqLen - res.pad[b]).toBe(seqs[i].length);
    });
    expect(seen).toEqual([1, 3, 0, 2]);
    await expect(forwardByLength(engine, seqs, { batchSize: 0, label: "t", logits: "none" }, () => {})).rejects.toThrow(/t: batchSize must be a positive integer/);
  });
});

describe("responseTokenNll's memo", () => {
  it("reads each distinct text once and returns what an unpadded pass gives, for repeats too (1e-4)", async () => {
    const tok = engine.model.tokenizer!;
    const prompts = encodePrompts(engine.model, ["memo test one", "memo test two"], { chat: true });
    const items = [0, 1, 0].map((k) => ({ promptIds: prompts[k], responseIds: tok.encode(k ? "A second reply." : "A reply.", { addSpecialTokens: false }) }));
    const calls: number[] = [];
    const forward = engine.forward.bind(engine);
    engine.forward = (ids, o) => { calls.push(ids.length); return forward(ids, o); };
    try {
      const a = await responseTokenNll(engine, items);
      const b = await responseTokenNll(engine, items.slice(1));
      expect(calls.reduce((s, n) => s + n, 0)).toBe(2); // 2 distinct texts, read once each, the second call free
      for (const [i, it] of items.entries()) {
        const want = await tokenNll([...it.promptIds, ...it.responseIds], it.promptIds.length);
        want.forEach((v, k) => expect(Math.abs(a[i][k] - v)).toBeLessThan(1e-4));
      }
      expect(b).toEqual([a[1], a[2]]);
    } finally {
      engine.forward = forward;
    }
  });
});

describe("the success and coherence judges share their reads", () => {
  it("coherence parts of exchanges the exchange features read make no forward pass", async () => {
    const items = readLabelled(loadConcept("sycophancy").paths.judge_train).slice(10, 14);
    await exchangeFeatures(engine, items);
    const calls: number[] = [];
    const forward = engine.forward.bind(engine);
    engine.forward = (ids, o) => { calls.push(ids.length); return forward(ids, o); };
    try {
      const parts = await coherenceParts(engine, items);
      expect(calls).toEqual([]);
      expect(parts.every((p) => Number.isFinite(p.nll) && p.continuation >= 0 && p.continuation <= 1)).toBe(true);
    } finally {
      engine.forward = forward;
    }
  });
});

describe("one-pass judge features", () => {
  it("exchange features: mean rows at the judge's layers, the last top-layer row, the claim block and the instructed block equal separate passes (1e-4)", async () => {
    const items = rows();
    const spec = engine.model.spec, tok = engine.model.tokenizer!, H = spec.hidden, W = exchangeFeatureWidth(engine), [lex] = lexicalBlock(engine);
    // Two instructions (the judge reads JUDGE_INSTRUCTIONS of them): the block averages over those it is given.
    const instructions = judgeInstructions("sycophancy").slice(0, 2);
    expect(instructions.length).toBe(2);
    const x = await exchangeFeatures(engine, items, instructions);
    const plain = await exchangeFeatures(engine, items);
    const encoded = items.map((it, i) => truncateExchange(encodeExchange(tok, it.user ?? "", it.response, `${i}`), spec.maxPositions));
    const top = spec.nLayers - 1, layers = judgeLayers(spec.nLayers);
    expect(new Set(layers).size).toBeGreaterThan(1); // the fixture model has enough layers for the depths to differ
    const blocks = [...layers.map((l, d) => ["mean", l, d * H] as const), ["last", top, layers.length * H] as const];
    for (const [read, layer, offset] of blocks) {
      const acts = (await captureActivations(engine, encoded, { sites: ["resid_post"], layers: [layer], read, batchSize: 1 })).get(`${layer}.resid_post`)!;
      encoded.forEach((_, i) => {
        const row = acts.subarray(i * H, (i + 1) * H);
        const n = Math.hypot(...row);
        for (let k = 0; k < H; k++) expect(Math.abs(x[i * W + offset + k] - row[k] / n)).toBeLessThan(1e-4);
      });
    }
    const empty = encodePrompts(engine.model, [""], { chat: true })[0];
    const sizes: number[] = [];
    for (const [i, e] of encoded.entries()) {
      const nll = await tokenNll(e.ids, e.responseStart);
      const nll0 = await tokenNll([...empty, ...e.ids.slice(e.responseStart)], empty.length);
      // claim statistics over all tokens: (copied share) · ℓ_copied + (1 − share) · ℓ_other = mean ℓ; same for ℓ₀
      const c = Array.from(x.subarray(i * W + lex + LEXICAL_DIM, (i + 1) * W)).map((v) => v / 0.3);
      const share = c[6];
      const mean = (v: number[]) => v.reduce((s, t) => s + t, 0) / v.length;
      expect(Math.abs(share * c[0] + (1 - share) * c[3] - mean(nll))).toBeLessThan(1e-4);
      expect(Math.abs(share * c[1] + (1 - share) * c[4] - mean(nll0))).toBeLessThan(1e-4);
      // instructed block: ℓ given the user turn minus ℓ given each instruction + the user turn, first tokens
      const r = e.ids.slice(e.responseStart);
      const diffs = await Promise.all(instructions.map(async (system) => {
        const p = encodePrompts(engine.model, [items[i].user ?? ""], { chat: true, system })[0];
        return (await tokenNll([...p, ...r], p.length)).map((v, k) => nll[k] - v);
      }));
      const want = mean(diffs.map((d) => mean(d.slice(0, INSTRUCTED_HEAD))));
      const got = x[(i + 1) * W - 1] / INSTRUCTED_SCALE;
      expect(Math.abs(got - want)).toBeLessThan(1e-4);
      sizes.push(Math.abs(want));
      expect(Array.from(plain.subarray((i + 1) * W - INSTRUCTED_FEATURES, (i + 1) * W))).toEqual([0]); // 0 without instructions
      // the other blocks do not depend on the instructions
      for (let k = 0; k < W - INSTRUCTED_FEATURES; k++) expect(plain[i * W + k]).toBe(x[i * W + k]);
    }
    expect(Math.max(...sizes)).toBeGreaterThan(0.01); // the block is not trivially 0 with instructions
  });

  // The exchange features above read these texts first, so this also checks the reads the memo hands on.
  it("coherence parts: NLL, PMI and the word-continuation mass equal separate passes (1e-4)", async () => {
    const items = rows();
    const tok = engine.model.tokenizer!, V = engine.model.spec.vocabSize;
    const parts = await coherenceParts(engine, items);
    const prompts = encodePrompts(engine.model, items.map((it) => it.user ?? ""), { chat: true });
    const empty = encodePrompts(engine.model, [""], { chat: true })[0];
    const cont = wordContinuationIds(tok, V);
    for (const [i, it] of items.entries()) {
      const r = tok.encode(it.response, { addSpecialTokens: false });
      const mean = (v: number[]) => v.reduce((s, t) => s + t, 0) / v.length;
      const nll = mean(await tokenNll([...prompts[i], ...r], prompts[i].length));
      const nll0 = mean(await tokenNll([...empty, ...r], empty.length));
      expect(Math.abs(parts[i].nll - nll)).toBeLessThan(1e-4);
      expect(Math.abs(parts[i].pmi - (nll0 - nll))).toBeLessThan(1e-4);
      const { logits } = await engine.forward([[...prompts[i], ...r]], { logits: "last" });
      const mass = Array.from(logits).reduce((s, l, v) => s + (cont[v] ? Math.exp(logSoftmaxAt(logits, v)) : 0), 0);
      expect(Math.abs(parts[i].continuation - mass)).toBeLessThan(1e-4);
    }
  });
});
