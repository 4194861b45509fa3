import { expectedShapes, type ModelSpec, type Weights } from "../../lib/arch/spec";
import { createRng } from "../../lib/util/rng";

/**
 * Tiny hand-made models for the reference tests: a Llama-like spec (GQA, RoPE, gated SiLU) that tests adjust
 * with overrides, and canonical weights drawn at O(1) scale so attention is far from uniform.
 */
export function tinySpec(overrides: Partial<ModelSpec> = {}): ModelSpec {
  const headDim = overrides.headDim ?? 4;
  return {
    arch: "llama",
    hfArchitecture: "LlamaForCausalLM",
    vocabSize: 40,
    hidden: 16,
    nLayers: 2,
    nHeads: 4,
    nKvHeads: 2,
    headDim,
    intermediate: 24,
    maxPositions: 64,
    norm: { kind: "rms", eps: 1e-6 },
    act: "silu",
    mlp: "gated",
    positions: { kind: "rope", theta: 10000, scaling: null },
    bias: { qkv: false, o: false, mlp: false },
    embedScale: 1,
    sandwichNorms: false,
    attnScale: 1 / Math.sqrt(headDim),
    attnSoftcap: null,
    finalSoftcap: null,
    slidingWindow: null,
    tieEmbeddings: false,
    bosTokenId: 1,
    eosTokenIds: [2],
    padTokenId: 0,
    ...overrides,
  };
}

export function randomWeights(spec: ModelSpec, seed: number): Weights {
  const rng = createRng(seed);
  const w: Weights = new Map();
  for (const [name, shape] of expectedShapes(spec)) {
    const isNormWeight = /(ln_[a-z_]+|final_norm)\.weight$/.test(name);
    const data = Float32Array.from({ length: shape.reduce((a, b) => a * b, 1) }, () =>
      isNormWeight ? 1 + 0.2 * rng.normal() : (shape.length === 1 ? 0.2 : 0.4) * rng.normal());
    w.set(name, { shape, data });
  }
  return w;
}

/** A random vector of length n with entries of scale s. */
export const randomVector = (n: number, seed: number, s = 1): Float32Array => {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => s * rng.normal());
};

/** Largest |a_i − b_i| over a range of two arrays. */
export function maxAbsDiff(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
