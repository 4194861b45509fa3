import { afterAll, describe, expect, it } from "vitest";
import type { ArchName } from "../../lib/arch/spec";
import { createEngine } from "../../lib/engine";
import { naiveGenerate } from "../../lib/engine/naive-decoder";
import type { Engine, SampleSteering } from "../../lib/engine/types";
import type { LoadedModel, TextTokenizer } from "../../lib/checkpoint/types";
import { memoryModel, randomIds, randomVector, SPECS, unitVector } from "./fixtures";

/**
 * KV-cached batched generation against the naive decoder (lib/engine/naive-decoder.ts: the reference forward
 * recomputed over the whole sequence at every step), token for token. Both pick tokens with the same
 * sampleToken and per-sample seeds, so any difference in cache, masks, positions or steering windows shows up
 * as a different token (exact equality is expected: the logits agree to ~1e-6 and random models have no ties).
 */
const ARCHS = Object.keys(SPECS) as ArchName[];
const engines: Engine[] = [];
async function engineOf(model: LoadedModel): Promise<Engine> {
  const e = await createEngine(model, { threads: 1 });
  engines.push(e);
  return e;
}
afterAll(async () => { for (const e of engines) await e.dispose(); });

function steeringFor(arch: ArchName): (SampleSteering | null)[] {
  const s = SPECS[arch];
  return [
    { window: "generated", add: { "1.resid_post": randomVector(s.hidden, 11, 3) } },
    null,
    { window: "all", add: { "0.attn_out": randomVector(s.nHeads * s.headDim, 12, 3) }, ablate: { "2.resid_post": unitVector(s.hidden, 13) } },
    { window: "prompt", add: { "2.resid_post": randomVector(s.hidden, 14, 3) } },
  ];
}

describe.each(ARCHS)("%s generation", (arch) => {
  const model = memoryModel(SPECS[arch], 21);
  const prompts = randomIds(model.spec, [5, 9, 2, 6], 3);
  const eosTokenIds: number[] = []; // no EOS: every sample runs to maxNewTokens unless a test sets one

  it("greedy KV-cached decoding equals the naive decoder, with and without steering", async () => {
    const engine = await engineOf(model);
    for (const steering of [undefined, steeringFor(arch)]) {
      const opts = { maxNewTokens: 10, temperature: 0, eosTokenIds, steering };
      const got = await engine.generate(prompts, opts);
      const want = naiveGenerate(model.spec, model.weights, prompts, opts);
      expect(got).toEqual(want);
    }
    // steering changes the tokens (else the comparison above could not tell it from a no-op)
    const plain = await engine.generate(prompts, { maxNewTokens: 10, temperature: 0, eosTokenIds });
    const steered = await engine.generate(prompts, { maxNewTokens: 10, temperature: 0, eosTokenIds, steering: steeringFor(arch) });
    expect(steered.map((g) => g.ids)).not.toEqual(plain.map((g) => g.ids));
  });

  it("sampled generation equals the naive decoder and does not depend on batch size or composition", async () => {
    const engine = await engineOf(model);
    const opts = { maxNewTokens: 8, temperature: 0.9, topK: 20, topP: 0.95, seed: 42, eosTokenIds, steering: steeringFor(arch) };
    const all = await engine.generate(prompts, opts);
    expect(all).toEqual(naiveGenerate(model.spec, model.weights, prompts, opts));
    expect(await engine.generate(prompts, { ...opts, batchSize: 1 })).toEqual(all);
    expect(await engine.generate(prompts, { ...opts, batchSize: 3 })).toEqual(all);
    // a different composition: samples 2 and 0 alone, with their own seeds and steering
    const seeds = [0, 1, 2, 3].map((i) => 1000 + i);
    const full = await engine.generate(prompts, { ...opts, seed: undefined, seeds });
    const part = await engine.generate([prompts[2], prompts[0]], { ...opts, seed: undefined, seeds: [seeds[2], seeds[0]], steering: [opts.steering[2], opts.steering[0]] });
    expect(part).toEqual([full[2], full[0]]);
  });
});

describe("generation stopping", () => {
  const model = memoryModel(SPECS.llama, 5);
  const prompts = randomIds(model.spec, [4, 8, 3], 9);

  it("EOS ends a sample early (not part of ids), others keep going, as the naive decoder does", async () => {
    const engine = await engineOf(model);
    const free = await engine.generate(prompts, { maxNewTokens: 12, temperature: 0, eosTokenIds: [] });
    const eos = free[1].ids[3]; // a token sample 1 emits at step 4
    const opts = { maxNewTokens: 12, temperature: 0, eosTokenIds: [eos] };
    const got = await engine.generate(prompts, opts);
    expect(got[1].finish).toBe("eos");
    expect(got[1].ids.length).toBeLessThanOrEqual(3);
    expect(got).toEqual(naiveGenerate(model.spec, model.weights, prompts, opts));
    expect(got.some((g) => g.finish === "length" && g.ids.length === 12)).toBe(true);
  });

  it("stop strings cut the text before the stop string", async () => {
    // A toy tokenizer: token i decodes to one letter, so stop strings are easy to place.
    const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789!";
    const tokenizer: TextTokenizer = {
      encode: (text) => [...text].map((c) => letters.indexOf(c)),
      decode: (ids) => ids.map((i) => letters[i]).join(""),
      applyChatTemplate: () => { throw new Error("no template"); },
      vocabSize: model.spec.vocabSize,
    };
    const withTok: LoadedModel = { ...model, tokenizer };
    const engine = await engineOf(withTok);
    const free = await engine.generate(prompts, { maxNewTokens: 10, temperature: 0, eosTokenIds: [] });
    const stop = free[0].text!.slice(4, 6);
    const opts = { maxNewTokens: 10, temperature: 0, eosTokenIds: [], stop: [stop] };
    const got = await engine.generate(prompts, opts);
    expect(got[0].finish).toBe("stop");
    expect(got[0].text).toBe(free[0].text!.slice(0, free[0].text!.indexOf(stop)));
    expect(got).toEqual(naiveGenerate(model.spec, model.weights, prompts, { ...opts, tokenizer }));
  });

  it("a long generation, where the cache outgrows its first allocation and samples drop out, equals the naive decoder", async () => {
    const m = memoryModel(SPECS.mistral, 8);
    const engine = await engineOf(m);
    const long = randomIds(m.spec, [3, 7, 5], 4);
    const free = await engine.generate(long, { maxNewTokens: 45, temperature: 0, eosTokenIds: [] });
    const opts = { maxNewTokens: 45, temperature: 0, eosTokenIds: [free[0].ids[38]], steering: steeringFor("mistral").slice(0, 3) };
    const got = await engine.generate(long, opts);
    expect(got).toEqual(naiveGenerate(m.spec, m.weights, long, opts));
    expect(Math.max(...got.map((g) => g.ids.length))).toBeGreaterThan(33); // past prompt + 32 slots: the cache grew
  });

  it("rejects bad options", async () => {
    const engine = await engineOf(model);
    await expect(engine.generate(prompts, { maxNewTokens: 3, temperature: 0, stop: ["x"] })).rejects.toThrow("need a tokenizer");
    await expect(engine.generate(prompts, { maxNewTokens: 3, temperature: 1 })).rejects.toThrow("seed");
    await expect(engine.generate(prompts, { maxNewTokens: 3, temperature: 0, batchSize: 0 })).rejects.toThrow("batchSize");
    await expect(engine.generate(prompts, { maxNewTokens: 3, temperature: 0, steering: [null] })).rejects.toThrow("1 entries for a batch of 3");
    await expect(engine.generate(prompts, { maxNewTokens: 3, temperature: 0, steering: [{ window: "all", add: { "9.resid_post": new Float32Array(32) } }, null, null] })).rejects.toThrow("layer 9 does not exist");
  });
});
