import { describe, expect, it } from "vitest";
import type { ArchName } from "../../lib/arch/spec";
import { allFinite, assertFinite } from "../../lib/engine/finite";
import { engineFactory, memoryModel, randomIds, randomVector, SPECS } from "./fixtures";

/**
 * The engine refuses what would silently give wrong results: sequences past the model's context (every
 * position scheme), non-finite steering vectors, options that are invalid even when greedy, and forwards whose
 * outputs overflowed float32.
 */
const ARCHS = Object.keys(SPECS) as ArchName[];
const engineOf = engineFactory();

describe.each(ARCHS)("%s context limit", (arch) => {
  const model = memoryModel(SPECS[arch], 5);
  const max = model.spec.maxPositions; // 64

  it("forward rejects max + 1 tokens and accepts max", async () => {
    const engine = await engineOf(model);
    await expect(engine.forward(randomIds(model.spec, [max + 1], 1), { logits: "last" })).rejects.toThrow(`has ${max + 1} tokens, more than the model's context of ${max} positions`);
    expect((await engine.forward(randomIds(model.spec, [max], 1), { logits: "last" })).seqLen).toBe(max);
  });

  it("generate rejects prompt + maxNewTokens past the context, however large maxNewTokens is", async () => {
    const engine = await engineOf(model);
    const prompt = randomIds(model.spec, [10], 2);
    for (const maxNewTokens of [max - 9, 1e9])
      await expect(engine.generate(prompt, { maxNewTokens, temperature: 0 })).rejects.toThrow(`10 tokens + ${maxNewTokens} new tokens exceed the model's context of ${max} positions`);
    expect((await engine.generate(prompt, { maxNewTokens: max - 10, temperature: 0, eosTokenIds: [] }))[0].ids).toHaveLength(max - 10);
  });
});

describe("non-finite values never reach the output", () => {
  const model = memoryModel(SPECS.qwen2, 7);
  const ids = randomIds(model.spec, [4], 3);

  it("rejects a steering vector holding NaN or Infinity, naming the site", async () => {
    const engine = await engineOf(model);
    for (const bad of [NaN, Infinity]) {
      const v = randomVector(model.spec.hidden, 1);
      v[3] = bad;
      const steering = [{ window: "all" as const, add: { "1.resid_post": v } }];
      await expect(engine.forward(ids, { steering })).rejects.toThrow(`steering[0].add['1.resid_post']: value 3 is ${bad}`);
      await expect(engine.generate(ids, { maxNewTokens: 2, temperature: 0, steering })).rejects.toThrow("must be finite");
    }
  });

  it("fails a forward whose finite steering overflows float32 instead of returning NaN logits", async () => {
    const engine = await engineOf(model);
    // Each vector is finite; their sum at layer 1's output is not (3e38 + 3e38 > float32's 3.4e38).
    const big = new Float32Array(model.spec.hidden).fill(3e38);
    const steering = [{ window: "all" as const, add: { "0.resid_post": big, "1.resid_post": big } }];
    await expect(engine.forward(ids, { steering })).rejects.toThrow(/logits: the forward produced (NaN|-?Infinity)/);
    await expect(engine.generate(ids, { maxNewTokens: 3, temperature: 0, steering })).rejects.toThrow(/generate step 1 logits: the forward produced/);
  });
});

describe("sampling options are validated on the greedy path too", () => {
  it("rejects topP 5 and topK -1 at temperature 0", async () => {
    const model = memoryModel(SPECS.llama, 9);
    const engine = await engineOf(model);
    const ids = randomIds(model.spec, [3], 4);
    await expect(engine.generate(ids, { maxNewTokens: 2, temperature: 0, topP: 5 })).rejects.toThrow("topP must be in (0, 1] (got 5)");
    await expect(engine.generate(ids, { maxNewTokens: 2, temperature: 0, topK: -1 })).rejects.toThrow("topK must be an integer ≥ 0 (got -1)");
  });
});

describe("allFinite / assertFinite", () => {
  // Every position of a block whose length is not a multiple of 4 (the fast check sums four lanes and a tail).
  const n = 11;
  it.each([NaN, Infinity, -Infinity])("finds %s at every position and names its row and column", (bad) => {
    for (let i = 0; i < n; i++) {
      const data = Float32Array.from({ length: n }, (_, k) => (k - 5) * 1e30);
      data[i] = bad;
      expect(allFinite(data)).toBe(false);
      expect(() => assertFinite(data, "logits", 4)).toThrow(`logits: the forward produced ${bad} at row ${Math.floor(i / 4)}, column ${i % 4}`);
    }
  });
  it("passes finite blocks, including the largest float32 values, zeros of both signs and an empty block", () => {
    const max = 3.4028234663852886e38;
    for (const data of [Float32Array.of(max, -max, 0, -0, 1e-45), new Float32Array(0), new Float32Array(9).fill(-max)]) {
      expect(allFinite(data)).toBe(true);
      expect(() => assertFinite(data, "logits", 3)).not.toThrow();
    }
  });
});
