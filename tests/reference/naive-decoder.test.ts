import { describe, expect, it } from "vitest";
import { naiveGenerate } from "../../lib/engine/naive-decoder";
import { referenceForward } from "../../lib/engine/reference";
import { argmax, sampleToken } from "../../lib/engine/sampling";
import type { SampleSteering } from "../../lib/engine/types";
import type { TextTokenizer } from "../../lib/checkpoint/types";
import { createRng, deriveSeed } from "../../lib/util/rng";
import { randomVector, randomWeights, tinySpec } from "./tiny-model";

const spec = tinySpec({ eosTokenIds: [] });
const weights = randomWeights(spec, 21);
const prompts = [[1, 5, 9, 13, 17], [1, 7], [1, 30, 31, 32]];
const V = spec.vocabSize;

/** One character per token id, so decoded text and token positions line up one to one. */
const ALPHABET = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN";
const charTokenizer: TextTokenizer = {
  encode: (text) => Array.from(text, (c) => ALPHABET.indexOf(c)),
  decode: (ids) => ids.map((i) => ALPHABET[i]).join(""),
  applyChatTemplate: (messages) => messages.map((m) => m.content).join(""),
  vocabSize: V,
};

/** The next-token logits of one sequence, straight from the reference forward (last row of "all"). */
function lastLogits(seq: number[], steering: SampleSteering | null = null, promptLength = seq.length): Float32Array {
  const { logits } = referenceForward(spec, weights, [seq], { steering: [steering], promptLengths: [promptLength] });
  return logits.subarray((seq.length - 1) * V);
}

/** Decoding by hand: append the chosen token n times. */
function byHand(prompt: number[], n: number, choose: (logits: Float32Array) => number, steering: SampleSteering | null = null): number[] {
  const seq = prompt.slice();
  for (let i = 0; i < n; i++) seq.push(choose(lastLogits(seq, steering, prompt.length)));
  return seq.slice(prompt.length);
}

describe("naiveGenerate", () => {
  it("greedy equals argmax by hand, whatever the batch size", () => {
    const expected = prompts.map((p) => byHand(p, 5, argmax));
    for (const batchSize of [undefined, 1, 2]) {
      const out = naiveGenerate(spec, weights, prompts, { maxNewTokens: 5, batchSize });
      expect(out.map((g) => g.ids)).toEqual(expected);
      expect(out.every((g) => g.finish === "length")).toBe(true);
    }
  });

  it("sampling draws each sample from its own seeded stream, whatever the batch size", () => {
    const opts = { temperature: 1.5, topK: 10 };
    const expected = prompts.map((p, i) => {
      const rng = createRng(deriveSeed(42, "sample", i));
      return byHand(p, 4, (l) => sampleToken(l, opts, rng));
    });
    expect(naiveGenerate(spec, weights, prompts, { maxNewTokens: 4, seed: 42, ...opts }).map((g) => g.ids)).toEqual(expected);
    expect(naiveGenerate(spec, weights, prompts, { maxNewTokens: 4, seed: 42, batchSize: 1, ...opts }).map((g) => g.ids)).toEqual(expected);
    const seeds = [0, 1, 2].map((i) => deriveSeed(42, "sample", i));
    expect(naiveGenerate(spec, weights, prompts, { maxNewTokens: 4, seeds, ...opts }).map((g) => g.ids)).toEqual(expected);
    // at temperature 1.5 over 10 tokens, 3 × 4 draws from another seed almost surely differ somewhere
    expect(naiveGenerate(spec, weights, prompts, { maxNewTokens: 4, seed: 43, ...opts }).map((g) => g.ids)).not.toEqual(expected);
  });

  it("stops at an EOS token, which is not returned", () => {
    const greedy = byHand(prompts[0], 6, argmax);
    const k = greedy.findIndex((t, i) => i > 0 && !greedy.slice(0, i).includes(t));
    expect(k).toBeGreaterThan(0);
    const [byOption] = naiveGenerate(spec, weights, [prompts[0]], { maxNewTokens: 6, eosTokenIds: [greedy[k]] });
    expect(byOption).toEqual({ ids: greedy.slice(0, k), finish: "eos" });
    const [bySpec] = naiveGenerate({ ...spec, eosTokenIds: [greedy[k]] }, weights, [prompts[0]], { maxNewTokens: 6 });
    expect(bySpec).toEqual({ ids: greedy.slice(0, k), finish: "eos" });
  });

  it("cuts the text before a stop string and keeps the ids generated up to it", () => {
    const greedy = byHand(prompts[0], 6, argmax);
    const stop = charTokenizer.decode(greedy.slice(2, 4));
    const at = charTokenizer.decode(greedy.slice(0, 4)).indexOf(stop);
    const [g] = naiveGenerate(spec, weights, [prompts[0]], { maxNewTokens: 6, stop: ["never", stop], tokenizer: charTokenizer });
    expect(g).toEqual({ ids: greedy.slice(0, at + 2), text: charTokenizer.decode(greedy).slice(0, at), finish: "stop" });
    const [plain] = naiveGenerate(spec, weights, [prompts[0]], { maxNewTokens: 6, tokenizer: charTokenizer });
    expect(plain.text).toBe(charTokenizer.decode(greedy));
  });

  it("steers per sample with window semantics: 'generated' leaves the first new token alone", () => {
    const steer: SampleSteering = { add: { "0.resid_post": randomVector(spec.hidden, 22, 3) }, window: "generated" };
    const steering = [steer, null, { ...steer, window: "prompt" as const }];
    const out = naiveGenerate(spec, weights, prompts, { maxNewTokens: 5, steering });
    const expected = prompts.map((p, i) => byHand(p, 5, argmax, steering[i]));
    expect(out.map((g) => g.ids)).toEqual(expected);
    const unsteered = byHand(prompts[0], 5, argmax);
    expect(expected[0][0]).toBe(unsteered[0]);
    expect(expected[0]).not.toEqual(unsteered); // a vector of scale 3 on a width-16 stream changes later tokens
  });

  it("returns nothing for maxNewTokens 0 and rejects bad options", () => {
    expect(naiveGenerate(spec, weights, prompts, { maxNewTokens: 0 })).toEqual(prompts.map(() => ({ ids: [], finish: "length" })));
    expect(() => naiveGenerate(spec, weights, prompts, { maxNewTokens: 2, temperature: 1 })).toThrow(/seed/);
    expect(() => naiveGenerate(spec, weights, prompts, { maxNewTokens: 2, stop: ["x"] })).toThrow(/tokenizer/);
    expect(() => naiveGenerate(spec, weights, prompts, { maxNewTokens: 2, steering: [null] })).toThrow(/1 entries for 3 prompts/);
    expect(() => naiveGenerate(spec, weights, prompts, { maxNewTokens: -1 })).toThrow(/maxNewTokens/);
  });
});
