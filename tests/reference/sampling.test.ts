import { describe, expect, it } from "vitest";
import { argmax, isGreedy, perSampleSeeds, sampleToken, samplingSupport } from "../../lib/engine/sampling";
import { createRng, deriveSeed } from "../../lib/util/rng";

const f32 = (xs: number[]) => new Float32Array(xs);

describe("sampleToken", () => {
  it("greedy picks the argmax, lowest index on ties, and consumes no randomness", () => {
    const rng = createRng(1), twin = createRng(1);
    expect(sampleToken(f32([0.5, 2, 2, -1]), { temperature: 0 }, rng)).toBe(1);
    expect(sampleToken(f32([3, 1, 3]), {}, rng)).toBe(0);
    expect(rng.next()).toBe(twin.next());
    expect(argmax(f32([-Infinity, -5, -5]))).toBe(1);
  });

  it("decides greedy vs sampling from the options", () => {
    expect(isGreedy({})).toBe(true);
    expect(isGreedy({ temperature: 0, topP: 0.5 })).toBe(true);
    expect(isGreedy({ topP: 0.9 })).toBe(false);
    expect(isGreedy({ topK: 5 })).toBe(false);
    expect(isGreedy({ temperature: 0.7 })).toBe(false);
  });

  it("top-k = 1 equals greedy at any temperature", () => {
    const rng = createRng(3);
    for (let trial = 0; trial < 50; trial++) {
      const logits = f32(Array.from({ length: 20 }, () => rng.normal()));
      expect(sampleToken(logits, { temperature: 2, topK: 1 }, rng)).toBe(argmax(logits));
    }
  });

  it("draws with softmax(logits / T) frequencies (each within 4 standard errors)", () => {
    const logits = f32([1, 0, -0.5, 2, 0.3]), T = 0.8, n = 20000;
    const z = Array.from(logits, (x) => Math.exp(x / T));
    const sum = z.reduce((a, b) => a + b, 0);
    const counts = new Array(logits.length).fill(0);
    const rng = createRng(11);
    for (let i = 0; i < n; i++) counts[sampleToken(logits, { temperature: T }, rng)]++;
    for (let i = 0; i < logits.length; i++) {
      const p = z[i] / sum;
      expect(Math.abs(counts[i] / n - p)).toBeLessThan(4 * Math.sqrt((p * (1 - p)) / n));
    }
  });

  it("top-k renormalises over the k best tokens (frequencies within 4 standard errors)", () => {
    const logits = f32([0, 1, 2, 3]), n = 20000;
    const counts = [0, 0, 0, 0];
    const rng = createRng(5);
    for (let i = 0; i < n; i++) counts[sampleToken(logits, { temperature: 1, topK: 2 }, rng)]++;
    expect(counts[0] + counts[1]).toBe(0);
    const p3 = Math.E / (1 + Math.E);
    expect(Math.abs(counts[3] / n - p3)).toBeLessThan(4 * Math.sqrt((p3 * (1 - p3)) / n));
  });

  it("top-p keeps the smallest nucleus with mass ≥ p (hand-computed)", () => {
    const support = (l: Float32Array, o: { topP?: number; topK?: number }) => Array.from(samplingSupport(l, o).ids);
    // probabilities 0.5, 0.25, 0.15, 0.1 (logits = log p)
    const logits = f32([0.1, 0.5, 0.15, 0.25].map(Math.log));
    expect(support(logits, { topP: 0.5 })).toEqual([1]);
    expect(support(logits, { topP: 0.6 })).toEqual([1, 3]);
    expect(support(logits, { topP: 0.74 })).toEqual([1, 3]);
    expect(support(logits, { topP: 0.76 })).toEqual([1, 3, 2]);
    expect(support(logits, { topP: 1 })).toEqual([0, 1, 2, 3]); // no cut: token-id order
    // at least one token survives a tiny p
    expect(support(logits, { topP: 1e-9 })).toEqual([1]);
    // top-k first, then top-p over the renormalised top-k: {0.5, 0.25} → {2/3, 1/3}; p = 0.7 needs both
    expect(support(logits, { topK: 2, topP: 0.7 })).toEqual([1, 3]);
    expect(support(logits, { topK: 2, topP: 0.6 })).toEqual([1]);
  });

  it("top-k / top-p on a large vocabulary equal a brute-force full sort", () => {
    const rng = createRng(4);
    const logits = f32(Array.from({ length: 5000 }, () => 2 * rng.normal()));
    const sorted = Array.from(logits.keys()).sort((a, b) => logits[b] - logits[a] || a - b);
    const probs = sorted.map((i) => Math.exp(logits[i] - logits[sorted[0]]));
    const total = probs.reduce((a, b) => a + b, 0);
    for (const p of [0.3, 0.9, 0.99]) {
      let keep = 0, mass = 0;
      while (mass < p * total) mass += probs[keep++];
      expect(Array.from(samplingSupport(logits, { topP: p }).ids)).toEqual(sorted.slice(0, keep));
    }
    expect(Array.from(samplingSupport(logits, { topK: 37 }).ids)).toEqual(sorted.slice(0, 37));
  });

  it("never draws outside the nucleus", () => {
    const logits = f32([0.1, 0.5, 0.15, 0.25].map(Math.log));
    const rng = createRng(9);
    for (let i = 0; i < 2000; i++) expect([1, 3]).toContain(sampleToken(logits, { temperature: 1, topP: 0.7 }, rng));
  });

  it("rejects bad options and NaN logits", () => {
    const rng = createRng(1);
    expect(() => sampleToken(f32([1, 2]), { temperature: -1 }, rng)).toThrow(/temperature/);
    expect(() => sampleToken(f32([1, 2]), { topP: 0 }, rng)).toThrow(/topP/);
    expect(() => sampleToken(f32([1, 2]), { topK: 1.5 }, rng)).toThrow(/topK/);
    expect(() => sampleToken(f32([1, NaN]), { temperature: 1 }, rng)).toThrow(/NaN/);
  });
});

describe("perSampleSeeds", () => {
  it("uses explicit seeds or derives them by prompt index", () => {
    expect(perSampleSeeds(2, { seeds: [4, 9] })).toEqual([4, 9]);
    expect(perSampleSeeds(3, { seed: 7 })).toEqual([0, 1, 2].map((i) => deriveSeed(7, "sample", i)));
    // a sample's seed does not depend on how many prompts run with it
    expect(perSampleSeeds(5, { seed: 7 }).slice(0, 3)).toEqual(perSampleSeeds(3, { seed: 7 }));
  });
  it("rejects a wrong number of seeds and a missing seed", () => {
    expect(() => perSampleSeeds(3, { seeds: [1] })).toThrow(/3 prompts/);
    expect(() => perSampleSeeds(3, {})).toThrow(/seed/);
  });
});
