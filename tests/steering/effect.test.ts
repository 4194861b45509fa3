import { describe, expect, it } from "vitest";
import { referenceForward } from "../../lib/engine/reference";
import {
  chooseLayer, extractVector, layerEffects, lowerSpec, pairLogRatios, steerableLayer,
  type EncodedPair, type LayerEffect, type SteeringSpec,
} from "../../lib/steering";
import type { EncodedText } from "../../lib/engine/index";
import { randomWeights, tinySpec } from "../reference/tiny-model";
import { referenceEngine } from "./reference-engine";

const spec = tinySpec({ nLayers: 3 });
const weights = randomWeights(spec, 7);
const engine = referenceEngine(spec, weights);
const V = spec.vocabSize;

const seq = (seed: number, len: number): number[] => Array.from({ length: len }, (_, t) => 3 + ((seed * 11 + t * 17) % (V - 3)));
const text = (seed: number, len: number, responseStart: number): EncodedText => ({ ids: seq(seed, len), responseStart, responseEnd: len });
// Varying prompt and response lengths, so batches are left-padded.
const pairs: EncodedPair[] = Array.from({ length: 8 }, (_, i) => ({ positive: text(50 + i, 5 + (i % 3), 2 + (i % 2)), negative: text(80 + i, 4 + (i % 4), 2) }));

/** Naive: each sequence alone, float64 log-softmax, sum over its response tokens. */
function naiveLogProb(t: EncodedText, steer: SteeringSpec | null, alpha: number): number {
  const out = referenceForward(spec, weights, [t.ids], { logits: "all", steering: steer ? lowerSpec(steer, [alpha]) : undefined });
  let s = 0;
  for (let p = t.responseStart; p < t.responseEnd; p++) {
    const row = Array.from(out.logits.subarray((p - 1) * V, p * V));
    const max = Math.max(...row);
    s += row[t.ids[p]] - max - Math.log(row.reduce((a, x) => a + Math.exp(x - max), 0));
  }
  return s;
}
const naiveRatio = (steer: SteeringSpec | null, alpha: number) =>
  pairs.reduce((a, p) => a + naiveLogProb(p.positive, steer, alpha) - naiveLogProb(p.negative, steer, alpha), 0) / pairs.length;

describe("teacher-forced steering effect", async () => {
  const caa = await extractVector(engine, pairs, { method: "caa", layers: [0, 1, 2], read: "mean", dataset: "test" });
  const at = (layer: number): SteeringSpec => ({ terms: [{ vector: caa, layers: [layer] }], window: "all" });

  it("pairLogRatios equals the one-sequence-at-a-time ratio, batched and padded (|Δ| < 1e-4 nats)", async () => {
    const got = await pairLogRatios(engine, pairs, at(1), [-0.5, 0, 0.5], { batchSize: 3 });
    [-0.5, 0, 0.5].forEach((a, k) => expect(Math.abs(got[k] - naiveRatio(a === 0 ? null : at(1), a))).toBeLessThan(1e-4));
    // Steering really changes the ratio (the test above is not comparing three copies of one number).
    expect(Math.abs(got[2] - got[1])).toBeGreaterThan(1e-3);
  });

  it("layerEffects are r(+α) − r(0) and r(0) − r(−α) of each layer steered alone", async () => {
    const effects = await layerEffects(engine, caa, pairs, { alpha: 0.5, batchSize: 5 });
    expect(effects.map((e) => e.layer)).toEqual([0, 1, 2]);
    for (const e of effects) {
      const [m, z, p] = [-0.5, 0, 0.5].map((a) => naiveRatio(a === 0 ? null : at(e.layer), a));
      expect(Math.abs(e.raise - (p - z))).toBeLessThan(1e-4);
      expect(Math.abs(e.lower - (z - m))).toBeLessThan(1e-4);
    }
    await expect(layerEffects(engine, caa, pairs, { alpha: 0 })).rejects.toThrow(/alpha must be > 0/);
  });

  it("needs a prompt token before every response", async () => {
    const bad: EncodedPair[] = [{ positive: text(1, 4, 0), negative: text(2, 4, 1) }];
    await expect(pairLogRatios(engine, bad, at(0), [0])).rejects.toThrow(/responseStart ≥ 1/);
  });

  it("chooseLayer fits on some pairs, validates on the others, and keeps the steerable layer", async () => {
    const more: EncodedPair[] = [...pairs, ...pairs.map((p, i) => ({ positive: text(120 + i, 6, 2), negative: text(140 + i, 5, 2) }))];
    const choice = await chooseLayer(engine, more, { read: "mean", seed: 3, alpha: 0.5 });
    expect(choice.fitPairs + choice.validationPairs).toBe(16);
    expect(choice.validationPairs).toBe(4);
    expect(choice.effects.map((e) => e.layer)).toEqual([0, 1, 2]);
    expect(choice.scores.map((s) => s.layer)).toEqual([0, 1, 2]);
    expect(choice.layer).toBe(steerableLayer(choice.effects));
    expect(await chooseLayer(engine, more, { read: "mean", seed: 3, alpha: 0.5 })).toEqual(choice);
    await expect(chooseLayer(engine, pairs.slice(0, 3), { read: "mean", seed: 1 })).rejects.toThrow(/at least 4 pairs/);
  });
});

describe("steerableLayer", () => {
  it("prefers the layer where both signs work, then the larger total effect, then the lower layer", () => {
    const e = (layer: number, raise: number, lower: number): LayerEffect => ({ layer, raise, lower });
    // Layer 0 has the biggest raise but backfires at −α.
    expect(steerableLayer([e(0, 2, -0.1), e(1, 0.2, 0.3), e(2, 0.5, 0.2)])).toBe(2);
    expect(steerableLayer([e(0, 0.3, 0.2), e(1, 0.2, 0.3)])).toBe(0);
    expect(steerableLayer([e(3, -1, 0.5), e(1, -0.2, 0.1)])).toBe(1);
    expect(() => steerableLayer([])).toThrow(/no layer effects/);
  });
});
