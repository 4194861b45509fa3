import { archByName, specToConfig, expectedShapes, type ArchName, type ModelSpec, type Weights } from "../arch/index";
import { createRng, deriveSeed } from "../util/index";

/**
 * Small random models for tests and for the project's default models before training: a spec preset per
 * architecture and deterministic random weights.
 */
export type SmallSpecOverrides = Partial<Omit<ModelSpec, "arch" | "hfArchitecture">>;

/**
 * A small spec with each architecture's quirks (Qwen2 qkv biases, Mistral window, Gemma 2 sandwich norms and
 * soft-caps, GPT-2 learned positions). Dimensions default to 2 layers, hidden 64, 4 heads (heads/2 kv heads where
 * GQA exists and heads is even), vocab 512; headDim, attnScale and embedScale follow hidden/heads unless overridden. The result
 * is checked to be expressible in the architecture's config.json, so it is always writable.
 */
export function smallSpec(arch: ArchName, overrides: SmallSpecOverrides = {}): ModelSpec {
  const table = archByName(arch);
  const hidden = overrides.hidden ?? 64;
  const nHeads = overrides.nHeads ?? 4;
  if (overrides.headDim === undefined && hidden % nHeads !== 0)
    throw new Error(`smallSpec(${arch}): heads (${nHeads}) must divide hidden (${hidden}) unless headDim is given`);
  const headDim = overrides.headDim ?? hidden / nHeads;
  const gpt2 = arch === "gpt2", gemma = arch === "gemma2";
  const base: ModelSpec = {
    arch,
    hfArchitecture: table.hfArchitectures[0],
    vocabSize: 512,
    hidden,
    nLayers: 2,
    nHeads,
    nKvHeads: gpt2 || nHeads % 2 !== 0 ? nHeads : nHeads / 2,
    headDim,
    intermediate: gpt2 ? 4 * hidden : 2 * hidden,
    maxPositions: 256,
    norm: { kind: gpt2 ? "layer" : "rms", eps: gpt2 ? 1e-5 : 1e-6 },
    act: arch === "gpt2" || gemma ? "gelu_tanh" : "silu",
    mlp: gpt2 ? "plain" : "gated",
    positions: gpt2 ? { kind: "learned" } : { kind: "rope", theta: 10000, scaling: null },
    bias: gpt2 ? { qkv: true, o: true, mlp: true } : arch === "qwen2" ? { qkv: true, o: false, mlp: false } : { qkv: false, o: false, mlp: false },
    embedScale: gemma ? Math.sqrt(hidden) : 1,
    sandwichNorms: gemma,
    attnScale: headDim ** -0.5,
    attnSoftcap: gemma ? 50 : null,
    finalSoftcap: gemma ? 30 : null,
    slidingWindow: gemma ? { size: 64, layers: "even" } : arch === "mistral" ? { size: 64, layers: "all" } : null,
    tieEmbeddings: gpt2 || gemma || arch === "qwen2",
    bosTokenId: null,
    eosTokenIds: [0],
    padTokenId: null,
  };
  const spec: ModelSpec = { ...base, ...overrides };
  if (gpt2 && overrides.nKvHeads === undefined) spec.nKvHeads = spec.nHeads;
  specToConfig(spec);
  return spec;
}

/**
 * Deterministic random canonical weights: matrices ~ N(0, 0.02²); norm weights 1 + N(0, 0.05²); biases
 * (including LayerNorm biases) ~ N(0, 0.02²), non-zero so that bias paths are exercised. Each tensor draws
 * from its own stream derived from (seed, name), so adding a tensor never changes the others.
 */
export function randomWeights(spec: ModelSpec, seed: number): Weights {
  const weights: Weights = new Map();
  for (const [name, shape] of expectedShapes(spec)) {
    const rng = createRng(deriveSeed(seed, name));
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    const isNormWeight = /(^|\.)(ln_\w+|final_norm)\.weight$/.test(name);
    for (let i = 0; i < n; i++) data[i] = isNormWeight ? 1 + 0.05 * rng.normal() : 0.02 * rng.normal();
    weights.set(name, { shape: shape.slice(), data });
  }
  return weights;
}
