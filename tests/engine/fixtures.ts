import type { ArchName, ModelSpec, Weights } from "../../lib/arch/spec";
import { randomWeights, smallSpec } from "../../lib/checkpoint/random";
import type { LoadedModel } from "../../lib/checkpoint/types";
import { createRng } from "../../lib/util/rng";

/**
 * Tiny specs of every architecture (lib/checkpoint/random.ts presets), shrunk so the plain-TS reference stays
 * fast, with each architecture's distinguishing fields made to bite within a dozen tokens: GQA + llama3 rope
 * scaling (llama), qkv biases + a single kv head + tied head (qwen2), a 3-token sliding window (mistral),
 * Gemma 2's alternating 4-token windows with softcaps low enough to clip, GPT-2's LayerNorm + learned positions.
 */
const small = { hidden: 32, nHeads: 4, nLayers: 3, vocabSize: 61, intermediate: 48, maxPositions: 64, eosTokenIds: [2], bosTokenId: 1, padTokenId: 0 };
export const SPECS: Record<ArchName, ModelSpec> = {
  llama: smallSpec("llama", { ...small, positions: { kind: "rope", theta: 500000, scaling: { type: "llama3", factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 16 } } }),
  qwen2: smallSpec("qwen2", { ...small, nKvHeads: 1 }),
  mistral: smallSpec("mistral", { ...small, slidingWindow: { size: 3, layers: "all" } }),
  gemma2: smallSpec("gemma2", { ...small, attnSoftcap: 5, finalSoftcap: 3, slidingWindow: { size: 4, layers: "even" } }),
  gpt2: smallSpec("gpt2", { ...small, intermediate: 64 }),
};

/**
 * The library's random weights with matrices scaled up 10× (to N(0, 0.2²)): at its 0.02 default attention is
 * nearly uniform and masks or positions could be wrong without the logits noticing.
 */
export function strongRandomWeights(spec: ModelSpec, seed: number): Weights {
  const w = randomWeights(spec, seed);
  for (const [name, t] of w) if (!/(^|\.)(ln_\w+|final_norm)\./.test(name)) t.data = t.data.map((x) => 10 * x);
  return w;
}

export function memoryModel(spec: ModelSpec, seed = 1): LoadedModel {
  return {
    dir: `<memory:${spec.arch}>`,
    spec,
    weights: strongRandomWeights(spec, seed),
    tokenizer: null,
    generation: { eosTokenIds: spec.eosTokenIds, bosTokenId: spec.bosTokenId, padTokenId: spec.padTokenId },
    info: { dtype: "F32", parameters: 0, files: [] },
  };
}

export function randomIds(spec: ModelSpec, lengths: number[], seed: number): number[][] {
  const rng = createRng(seed);
  return lengths.map((n) => Array.from({ length: n }, () => 3 + rng.int(spec.vocabSize - 3)));
}

export function randomVector(n: number, seed: number, scale = 1): Float32Array {
  const rng = createRng(seed);
  return Float32Array.from({ length: n }, () => scale * rng.normal());
}

export function unitVector(n: number, seed: number): Float32Array {
  const v = randomVector(n, seed);
  const len = Math.hypot(...v);
  return v.map((x) => x / len);
}

/** max |ours − theirs| / max |theirs| over the real positions of [B, T, width] arrays (pad[b] padded positions first). */
export function realRelError(ours: Float32Array, theirs: Float32Array, pad: readonly number[], T: number): number {
  if (ours.length !== theirs.length) throw new Error(`length mismatch ${ours.length} vs ${theirs.length}`);
  const width = theirs.length / (pad.length * T);
  let diff = 0, scale = 1e-30;
  pad.forEach((p, b) => {
    for (let i = (b * T + p) * width; i < (b + 1) * T * width; i++) {
      diff = Math.max(diff, Math.abs(ours[i] - theirs[i]));
      scale = Math.max(scale, Math.abs(theirs[i]));
    }
  });
  return diff / scale;
}
