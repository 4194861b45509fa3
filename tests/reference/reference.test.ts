import { describe, expect, it } from "vitest";
import { siteWidth, type ModelSpec } from "../../lib/arch/spec";
import { ropeInverseFrequencies } from "../../lib/arch/rope";
import { erf, referenceForward } from "../../lib/engine/reference";
import type { SampleSteering } from "../../lib/engine/types";
import { maxAbsDiff, randomVector, randomWeights, tinySpec } from "./tiny-model";

// Activations are O(1) and stored in float32; differences that should be exactly zero in real arithmetic are
// allowed float32 rounding: 1e-5 absolute unless a test says otherwise.
const TOL = 1e-5;

const spec = tinySpec();
const weights = randomWeights(spec, 1);
const prompts = [[1, 5, 9, 13, 17, 21, 25], [1, 7, 3], [1, 30, 31, 32, 33]];

/** Row t of sample b in a [B, T, width] array. */
const row = (x: Float32Array, b: number, t: number, T: number, width: number) => x.subarray((b * T + t) * width, (b * T + t + 1) * width);
const dot = (a: Float32Array, b: Float32Array) => a.reduce((s, v, i) => s + v * b[i], 0);

describe("math helpers", () => {
  it("erf matches published values to 1e-14", () => {
    const cases: [number, number][] = [[0.01, 0.011283415555849616], [0.5, 0.5204998778130465], [1, 0.8427007929497149],
      [2, 0.9953222650189527], [3, 0.9999779095030014], [3.2, 0.9999939742388483], [-1, -0.8427007929497149]];
    for (const [x, y] of cases) expect(Math.abs(erf(x) - y)).toBeLessThan(1e-14);
    // erfc(4) = 1.54e-8: erf(4) is then within one float64 spacing of 1 − erfc(4)
    expect(Math.abs(1 - erf(4) - 1.541725790028002e-8)).toBeLessThan(2.3e-16);
  });

  it("llama3 rope scaling keeps short wavelengths, divides long ones, blends between (hand-computed)", () => {
    const s = tinySpec({ headDim: 8, positions: { kind: "rope", theta: 10000, scaling: { type: "llama3", factor: 8, lowFreqFactor: 1, highFreqFactor: 8, originalMaxPositions: 256 } } });
    const f = ropeInverseFrequencies(s);
    // base frequencies 1, 0.1, 0.01, 0.001 → wavelengths 6.28 (< 256/8 = 32: kept), 62.8 (between 32 and 256:
    // blended with smooth = (256/62.83 − 1)/(8 − 1)), 628 and 6283 (> 256: divided by 8)
    const smooth = (256 / (2 * Math.PI * 10) - 1) / 7;
    const expected = [1, (1 - smooth) * (0.1 / 8) + smooth * 0.1, 0.01 / 8, 0.001 / 8];
    f.forEach((x, j) => expect(Math.abs(x - expected[j]) / expected[j]).toBeLessThan(1e-12));
    const linear = ropeInverseFrequencies(tinySpec({ headDim: 8, positions: { kind: "rope", theta: 10000, scaling: { type: "linear", factor: 2 } } }));
    linear.forEach((x, j) => expect(Math.abs(x - 0.5 * 10000 ** (-j / 4))).toBeLessThan(1e-15));
  });
});

describe("referenceForward: batching and masking", () => {
  it("a left-padded batch equals separate runs; padded positions are 0", () => {
    const batch = referenceForward(spec, weights, prompts, { capture: { sites: ["resid_pre", "attn_out", "resid_mid", "resid_post"] } });
    expect(batch.seqLen).toBe(7);
    expect(batch.pad).toEqual([0, 4, 2]);
    const V = spec.vocabSize, T = batch.seqLen;
    prompts.forEach((p, b) => {
      const alone = referenceForward(spec, weights, [p], { capture: { sites: ["resid_pre", "attn_out", "resid_mid", "resid_post"] } });
      expect(maxAbsDiff(batch.logits.subarray((b * T + batch.pad[b]) * V, (b + 1) * T * V), alone.logits)).toBe(0);
      expect(batch.logits.subarray(b * T * V, (b * T + batch.pad[b]) * V).every((x) => x === 0)).toBe(true);
      for (const [key, x] of batch.captures) {
        const width = x.length / (prompts.length * T);
        expect(maxAbsDiff(x.subarray((b * T + batch.pad[b]) * width, (b + 1) * T * width), alone.captures.get(key)!)).toBe(0);
        expect(x.subarray(b * T * width, (b * T + batch.pad[b]) * width).every((v) => v === 0)).toBe(true);
      }
    });
  });

  it("logits 'last' are the last rows of 'all'; 'none' returns none", () => {
    const all = referenceForward(spec, weights, prompts);
    const last = referenceForward(spec, weights, prompts, { logits: "last" });
    const V = spec.vocabSize, T = all.seqLen;
    prompts.forEach((_, b) => expect(maxAbsDiff(last.logits.subarray(b * V, (b + 1) * V), all.logits.subarray((b * T + T - 1) * V, (b * T + T) * V))).toBe(0));
    expect(referenceForward(spec, weights, prompts, { logits: "none" }).logits.length).toBe(0);
  });

  it("is causal: changing a later token leaves earlier positions unchanged", () => {
    const a = referenceForward(spec, weights, [[1, 5, 9, 13, 17]]);
    const b = referenceForward(spec, weights, [[1, 5, 9, 30, 31]]);
    const V = spec.vocabSize;
    expect(maxAbsDiff(a.logits.subarray(0, 3 * V), b.logits.subarray(0, 3 * V))).toBe(0);
    expect(maxAbsDiff(a.logits.subarray(3 * V), b.logits.subarray(3 * V))).toBeGreaterThan(1e-3);
  });

  it("a sliding window of 2 lets position i see only i−1 and i (one layer: token 0 cannot reach position 2)", () => {
    const s = tinySpec({ nLayers: 1, slidingWindow: { size: 2, layers: "all" } });
    const w = randomWeights(s, 2);
    const a = referenceForward(s, w, [[3, 5, 9, 13]]), b = referenceForward(s, w, [[4, 5, 9, 13]]);
    const V = s.vocabSize;
    expect(maxAbsDiff(a.logits.subarray(V, 2 * V), b.logits.subarray(V, 2 * V))).toBeGreaterThan(1e-3);
    expect(maxAbsDiff(a.logits.subarray(2 * V), b.logits.subarray(2 * V))).toBe(0);
    // "even": layer 1 is global, so with two layers token 0 reaches every position again
    const s2 = tinySpec({ slidingWindow: { size: 2, layers: "even" } });
    const w2 = randomWeights(s2, 2);
    const c = referenceForward(s2, w2, [[3, 5, 9, 13]]), d = referenceForward(s2, w2, [[4, 5, 9, 13]]);
    expect(maxAbsDiff(c.logits.subarray(3 * V), d.logits.subarray(3 * V))).toBeGreaterThan(1e-3);
  });

  it("rejects bad tokens, empty inputs and unknown capture sites", () => {
    expect(() => referenceForward(spec, weights, [[1, 40]])).toThrow(/token 1 of sequence 0 is 40/);
    expect(() => referenceForward(spec, weights, [])).toThrow(/empty/);
    expect(() => referenceForward(spec, weights, [[1], []])).toThrow(/sequence 1 is empty/);
    expect(() => referenceForward(spec, weights, [[1]], { capture: { sites: ["resid_post"], layers: [2] } })).toThrow(/layer 2/);
    const broken = new Map(weights);
    broken.delete("layers.1.mlp.up.weight");
    expect(() => referenceForward(spec, broken, [[1]])).toThrow(/layers\.1\.mlp\.up\.weight/);
  });
});

describe("referenceForward: steering", () => {
  const H = spec.hidden, A = siteWidth(spec, "attn_out");
  const seq = [1, 5, 9, 13, 17, 21];
  const all = { capture: { sites: ["resid_pre", "attn_out", "resid_mid", "resid_post"] as const } };
  const run = (s: SampleSteering | null, promptLength?: number) =>
    referenceForward(spec, weights, [seq], { capture: { sites: [...all.capture.sites] }, steering: [s], promptLengths: promptLength === undefined ? undefined : [promptLength] });
  const base = run(null);

  it("adds exactly the vector to resid_post at the window's positions (prompt = [0, p), generated = [p, n))", () => {
    const v = randomVector(H, 3);
    for (const window of ["prompt", "generated", "all"] as const) {
      const steered = run({ add: { "1.resid_post": v }, window }, 4);
      for (let t = 0; t < seq.length; t++) {
        const hit = window === "all" || (window === "prompt" ? t < 4 : t >= 4);
        const delta = row(steered.captures.get("1.resid_post")!, 0, t, 6, H).map((x, k) => x - row(base.captures.get("1.resid_post")!, 0, t, 6, H)[k]);
        expect(maxAbsDiff(delta, hit ? v : new Float32Array(H))).toBeLessThan(TOL);
      }
    }
  });

  it("steering at layer 0 flows on: resid_pre of layer 1 is the steered resid_post of layer 0", () => {
    const steered = run({ add: { "0.resid_post": randomVector(H, 4) }, window: "all" });
    expect(maxAbsDiff(steered.captures.get("1.resid_pre")!, steered.captures.get("0.resid_post")!)).toBe(0);
    expect(maxAbsDiff(steered.logits, base.logits)).toBeGreaterThan(1e-3);
  });

  it("window 'generated' leaves every position before the prompt length untouched, downstream too", () => {
    const steered = run({ add: { "0.resid_post": randomVector(H, 5) }, window: "generated" }, 3);
    const V = spec.vocabSize;
    expect(maxAbsDiff(steered.logits.subarray(0, 3 * V), base.logits.subarray(0, 3 * V))).toBe(0);
    expect(maxAbsDiff(steered.logits.subarray(3 * V), base.logits.subarray(3 * V))).toBeGreaterThan(1e-3);
  });

  it("attn_out steering adds u to the heads and W_o u to resid_mid (linearity of the output projection)", () => {
    const u = randomVector(A, 6);
    const steered = run({ add: { "0.attn_out": u }, window: "all" });
    const Wo = weights.get("layers.0.attn.o.weight")!.data; // [H, A]
    const Wu = Float32Array.from({ length: H }, (_, o) => { let s = 0; for (let k = 0; k < A; k++) s += Wo[o * A + k] * u[k]; return s; });
    for (let t = 0; t < seq.length; t++) {
      const dHeads = row(steered.captures.get("0.attn_out")!, 0, t, 6, A).map((x, k) => x - row(base.captures.get("0.attn_out")!, 0, t, 6, A)[k]);
      expect(maxAbsDiff(dHeads, u)).toBeLessThan(TOL);
      const dMid = row(steered.captures.get("0.resid_mid")!, 0, t, 6, H).map((x, k) => x - row(base.captures.get("0.resid_mid")!, 0, t, 6, H)[k]);
      expect(maxAbsDiff(dMid, Wu)).toBeLessThan(TOL);
    }
  });

  it("ablation removes the component along d, before the addition", () => {
    const d = randomVector(H, 7);
    const norm = Math.sqrt(dot(d, d));
    d.forEach((x, k) => (d[k] = x / norm));
    const v = randomVector(H, 8);
    const ablated = run({ ablate: { "1.resid_post": d }, window: "all" });
    const both = run({ ablate: { "1.resid_post": d }, add: { "1.resid_post": v }, window: "all" });
    for (let t = 0; t < seq.length; t++) {
      const x = row(base.captures.get("1.resid_post")!, 0, t, 6, H);
      const proj = dot(x, d);
      expect(Math.abs(proj)).toBeGreaterThan(1e-2); // the test would be empty if x had no component along d
      const expected = x.map((xi, k) => xi - proj * d[k]);
      expect(maxAbsDiff(row(ablated.captures.get("1.resid_post")!, 0, t, 6, H), expected)).toBeLessThan(TOL);
      expect(Math.abs(dot(row(ablated.captures.get("1.resid_post")!, 0, t, 6, H), d))).toBeLessThan(TOL);
      expect(maxAbsDiff(row(both.captures.get("1.resid_post")!, 0, t, 6, H), expected.map((e, k) => e + v[k]))).toBeLessThan(TOL);
    }
  });

  it("per-sample steering in one left-padded batch equals separate runs, and never touches padding", () => {
    const steering: (SampleSteering | null)[] = [
      { add: { "0.resid_post": randomVector(H, 9) }, window: "all" },
      null,
      { add: { "1.attn_out": randomVector(A, 10) }, ablate: { "1.resid_post": Float32Array.from({ length: H }, (_, k) => (k === 0 ? 1 : 0)) }, window: "prompt" },
    ];
    const promptLengths = [5, 3, 2];
    const sites = { sites: ["attn_out", "resid_post"] as ("attn_out" | "resid_post")[] };
    const batch = referenceForward(spec, weights, prompts, { steering, promptLengths, capture: sites });
    const T = batch.seqLen, V = spec.vocabSize;
    prompts.forEach((p, b) => {
      const alone = referenceForward(spec, weights, [p], { steering: [steering[b]], promptLengths: [promptLengths[b]], capture: sites });
      expect(maxAbsDiff(batch.logits.subarray((b * T + batch.pad[b]) * V, (b + 1) * T * V), alone.logits)).toBe(0);
      for (const [key, x] of batch.captures) {
        const width = x.length / (prompts.length * T);
        expect(x.subarray(b * T * width, (b * T + batch.pad[b]) * width).every((v) => v === 0)).toBe(true);
        expect(maxAbsDiff(x.subarray((b * T + batch.pad[b]) * width, (b + 1) * T * width), alone.captures.get(key)!)).toBe(0);
      }
    });
  });

  it("rejects keys naming a missing layer or site, wrong widths and non-unit ablation directions", () => {
    const v = randomVector(H, 11);
    const bad = (s: SampleSteering) => () => referenceForward(spec, weights, [seq], { steering: [s] });
    expect(bad({ add: { "2.resid_post": v }, window: "all" })).toThrow(/layer 2 does not exist/);
    expect(bad({ add: { "0.resid_mid": v }, window: "all" })).toThrow(/site 'resid_mid'/);
    expect(bad({ add: { "0.attn_out": randomVector(5, 1) }, window: "all" })).toThrow(`expected a Float32Array of ${A} values`);
    expect(bad({ add: { resid_post: v }, window: "all" })).toThrow(/<layer>\.<site>/);
    expect(bad({ ablate: { "0.resid_post": v }, window: "all" })).toThrow(/unit length/);
    expect(bad({ ablate: { "0.attn_out": randomVector(A, 1) }, window: "all" })).toThrow(/cannot be ablated/);
    expect(() => referenceForward(spec, weights, [seq], { steering: [null, null] })).toThrow(/2 entries for a batch of 1/);
    expect(() => referenceForward(spec, weights, [seq], { promptLengths: [7] })).toThrow(/promptLengths\[0\]/);
  });
});

describe("referenceForward: architecture variants run and differ where they should", () => {
  const variants: Record<string, Partial<ModelSpec>> = {
    gpt2: { arch: "gpt2", norm: { kind: "layer", eps: 1e-5 }, act: "gelu_tanh", mlp: "plain", positions: { kind: "learned" }, bias: { qkv: true, o: true, mlp: true }, tieEmbeddings: true, nKvHeads: 4 },
    gemma2: { arch: "gemma2", act: "gelu_tanh", embedScale: 4, sandwichNorms: true, attnScale: 0.25, attnSoftcap: 1, finalSoftcap: 2, slidingWindow: { size: 2, layers: "even" }, tieEmbeddings: true },
  };
  for (const [name, overrides] of Object.entries(variants)) {
    it(`${name}: finite outputs; final softcap bounds the logits`, () => {
      const s = tinySpec(overrides);
      const out = referenceForward(s, randomWeights(s, 12), prompts);
      expect(out.logits.every(Number.isFinite)).toBe(true);
      if (s.finalSoftcap !== null) expect(out.logits.every((x) => Math.abs(x) <= s.finalSoftcap!)).toBe(true);
    });
  }
});
