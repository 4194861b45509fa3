import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ModelSpec } from "../../lib/arch/spec";
import { referenceForward } from "../../lib/engine/reference";
import { initTf, type Tf } from "../../lib/train/backend";
import { buildTfModel } from "../../lib/train/model";
import { randomWeights, tinySpec } from "../reference/tiny-model";

/**
 * The tfjs training model must compute the same function as the reference forward (float64 accumulation):
 * relative error max|tfjs − ref| / max|ref| ≤ 1e-4 on the logits of every real position of a left-padded
 * batch, for every architecture family. Weights are random at O(1) scale (attention far from uniform).
 */
const TOL = 1e-4;

const ARCHS: Record<string, ModelSpec> = {
  llama: tinySpec(),
  qwen2: tinySpec({ arch: "qwen2", hfArchitecture: "Qwen2ForCausalLM", bias: { qkv: true, o: false, mlp: false }, tieEmbeddings: true }),
  mistral: tinySpec({ arch: "mistral", hfArchitecture: "MistralForCausalLM", slidingWindow: { size: 3, layers: "all" }, positions: { kind: "rope", theta: 500, scaling: { type: "linear", factor: 2 } } }),
  gpt2: tinySpec({
    arch: "gpt2", hfArchitecture: "GPT2LMHeadModel", nKvHeads: 4, norm: { kind: "layer", eps: 1e-5 }, act: "gelu_tanh", mlp: "plain",
    positions: { kind: "learned" }, bias: { qkv: true, o: true, mlp: true }, tieEmbeddings: true, maxPositions: 16,
  }),
  gemma2: tinySpec({
    arch: "gemma2", hfArchitecture: "Gemma2ForCausalLM", headDim: 8, act: "gelu_tanh", embedScale: 4, sandwichNorms: true,
    attnScale: 1 / Math.sqrt(6), attnSoftcap: 5, finalSoftcap: 3, slidingWindow: { size: 4, layers: "even" }, tieEmbeddings: true,
  }),
};

const SEQS = [
  [3, 17, 5, 9, 33, 2, 11, 30, 7, 1],
  [4, 8, 15, 16, 23, 39],
];

let tf: Tf;
beforeAll(async () => { ({ tf } = await initTf({ quiet: true })); });

function relErr(got: Float32Array, want: Float32Array): number {
  let diff = 0, scale = 0;
  for (let i = 0; i < want.length; i++) {
    diff = Math.max(diff, Math.abs(got[i] - want[i]));
    scale = Math.max(scale, Math.abs(want[i]));
  }
  return diff / scale;
}

/** tfjs logits [B, T, V] for the left-padded batch, with the padded positions zeroed as the reference does. */
function tfLogits(spec: ModelSpec, seqs: number[][], seed: number, gather?: boolean): Float32Array {
  const model = buildTfModel(tf, spec, randomWeights(spec, seed), { gather });
  try {
    const T = Math.max(...seqs.map((s) => s.length));
    const ids = seqs.flatMap((s) => [...Array(T - s.length).fill(0), ...s]);
    const mask = seqs.flatMap((s) => [...Array(T - s.length).fill(0), ...Array(s.length).fill(1)]);
    return tf.tidy(() => {
      const { logits } = model.forward(tf.tensor2d(ids, [seqs.length, T], "int32"), tf.tensor2d(mask, [seqs.length, T], "float32"));
      const out = logits.dataSync() as Float32Array;
      const V = spec.vocabSize;
      seqs.forEach((s, b) => out.fill(0, b * T * V, (b * T + T - s.length) * V));
      return Float32Array.from(out);
    });
  } finally {
    model.dispose();
  }
}

describe("tfjs model = reference forward", () => {
  for (const [name, spec] of Object.entries(ARCHS)) {
    it(`${name}: logits of a left-padded batch within ${TOL} relative error`, () => {
      const want = referenceForward(spec, randomWeights(spec, 7), SEQS).logits;
      const err = relErr(tfLogits(spec, SEQS, 7), want);
      expect(err).toBeLessThan(TOL);
    });
  }

  it("one-hot embedding (the wasm path) equals gather", () => {
    const spec = ARCHS.llama;
    const a = tfLogits(spec, SEQS, 3, true), b = tfLogits(spec, SEQS, 3, false);
    expect(relErr(a, b)).toBeLessThan(1e-6);
  });

  it("the check can fail: a perturbed weight is detected", () => {
    const spec = ARCHS.llama;
    const w = randomWeights(spec, 7);
    w.get("layers.1.mlp.down.weight")!.data[5] += 0.05;
    const want = referenceForward(spec, w, SEQS).logits;
    expect(relErr(tfLogits(spec, SEQS, 7), want)).toBeGreaterThan(TOL);
  });

  it("hiddenStates: final norm output equals forward's hidden; a layer's resid_post equals the reference capture", () => {
    const spec = ARCHS.qwen2;
    const w = randomWeights(spec, 11);
    const model = buildTfModel(tf, spec, w);
    try {
      const seq = SEQS[0];
      const ref = referenceForward(spec, w, [seq], { capture: { sites: ["resid_post"], layers: [0] }, logits: "none" });
      tf.tidy(() => {
        const ids = tf.tensor2d(seq, [1, seq.length], "int32");
        const h0 = model.hiddenStates(ids, undefined, 0).dataSync() as Float32Array;
        expect(relErr(h0, ref.captures.get("0.resid_post")!)).toBeLessThan(TOL);
        const fin = model.hiddenStates(ids).dataSync() as Float32Array;
        expect(relErr(fin, model.forward(ids).hidden.dataSync() as Float32Array)).toBe(0);
      });
      expect(() => model.hiddenStates(tf.tensor2d(seq, [1, seq.length], "int32"), undefined, 2)).toThrow(/layer 2 does not exist/);
    } finally {
      model.dispose();
    }
  });

  it("toWeights round-trips the canonical weights and bad weights are rejected by name", () => {
    const spec = ARCHS.gpt2;
    const w = randomWeights(spec, 5);
    const model = buildTfModel(tf, spec, w);
    const back = model.toWeights();
    model.dispose();
    expect([...back.keys()].sort()).toEqual([...w.keys()].sort());
    for (const [name, t] of w) expect(back.get(name)!.data).toEqual(t.data);
    w.delete("layers.0.attn.q.bias");
    expect(() => buildTfModel(tf, spec, w)).toThrow(/missing weight 'layers.0.attn.q.bias'/);
  });
});
