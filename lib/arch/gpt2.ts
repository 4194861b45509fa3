import { activationName, ConfigReader, eosField, parseActivation } from "./config";
import type { ModelSpec } from "./spec";
import { ruleBuilder, type ArchTable, type TensorRule } from "./table";

/**
 * GPT-2 (GPT2LMHeadModel): learned positions, LayerNorm with bias, plain GELU(tanh) MLP, biases everywhere,
 * tied embeddings. Its Conv1D layers store weights as [in, out] (transposed to [out, in] here) and c_attn
 * fuses q, k and v along the output axis (split here). Checkpoints saved from GPT2LMHeadModel prefix names
 * with "transformer." and those saved from GPT2Model (the original hub files) do not; both load.
 */
export const gpt2: ArchTable = {
  name: "gpt2",
  hfArchitectures: ["GPT2LMHeadModel"],
  modelType: "gpt2",
  parseConfig(json, file) {
    const cfg = new ConfigReader(json, file);
    const hidden = cfg.int("n_embd");
    const nHeads = cfg.int("n_head");
    cfg.divides("n_head", nHeads, "n_embd", hidden);
    if (cfg.bool("scale_attn_by_inverse_layer_idx", false)) cfg.fail("scale_attn_by_inverse_layer_idx = true is not supported");
    if (cfg.bool("add_cross_attention", false)) cfg.fail("add_cross_attention = true is not supported (decoder-only models only)");
    const headDim = hidden / nHeads;
    const spec: ModelSpec = {
      arch: "gpt2",
      hfArchitecture: cfg.architecture("GPT2LMHeadModel"),
      vocabSize: cfg.int("vocab_size"),
      hidden,
      nLayers: cfg.int("n_layer"),
      nHeads,
      nKvHeads: nHeads,
      headDim,
      intermediate: cfg.int("n_inner", 4 * hidden),
      maxPositions: cfg.int("n_positions"),
      norm: { kind: "layer", eps: cfg.positive("layer_norm_epsilon", 1e-5) },
      act: parseActivation(cfg, "activation_function", "gelu_new"),
      mlp: "plain",
      positions: { kind: "learned" },
      bias: { qkv: true, o: true, mlp: true },
      embedScale: 1,
      sandwichNorms: false,
      attnScale: cfg.bool("scale_attn_weights", true) ? headDim ** -0.5 : 1,
      attnSoftcap: null,
      finalSoftcap: null,
      slidingWindow: null,
      tieEmbeddings: cfg.bool("tie_word_embeddings", true),
      bosTokenId: cfg.tokenId("bos_token_id"),
      eosTokenIds: cfg.tokenIds("eos_token_id"),
      padTokenId: cfg.tokenId("pad_token_id"),
    };
    return spec;
  },
  toConfig(spec) {
    if (spec.nKvHeads !== spec.nHeads || spec.headDim * spec.nHeads !== spec.hidden)
      throw new Error("gpt2: needs nKvHeads = nHeads and headDim = hidden / nHeads");
    return {
      model_type: "gpt2",
      vocab_size: spec.vocabSize,
      n_embd: spec.hidden,
      n_layer: spec.nLayers,
      n_head: spec.nHeads,
      n_inner: spec.intermediate,
      n_positions: spec.maxPositions,
      n_ctx: spec.maxPositions,
      layer_norm_epsilon: spec.norm.eps,
      activation_function: activationName(spec.act, "gelu_new"),
      scale_attn_weights: spec.attnScale !== 1,
      tie_word_embeddings: spec.tieEmbeddings,
      bos_token_id: spec.bosTokenId,
      eos_token_id: eosField(spec.eosTokenIds),
      pad_token_id: spec.padTokenId,
    };
  },
  tensorRules: gpt2Rules,
  normalizeName: (name) => (name.startsWith("transformer.") || name.startsWith("lm_head.") ? name : `transformer.${name}`),
  // The causal-mask buffers older transformers saved with each attention layer.
  ignored: [/\.attn\.(bias|masked_bias)$/],
};

function gpt2Rules(spec: ModelSpec): TensorRule[] {
  const b = ruleBuilder(spec);
  const t = "transformer";
  const layerNorm = (hf: string, c: string) => [b.same(`${hf}.weight`, `${c}.weight`), b.same(`${hf}.bias`, `${c}.bias`)];
  const rules: TensorRule[] = [b.same(`${t}.wte.weight`, "embed.weight"), b.same(`${t}.wpe.weight`, "pos_embed.weight")];
  for (let l = 0; l < spec.nLayers; l++) {
    const hf = `${t}.h.${l}`, c = `layers.${l}`;
    rules.push(
      ...layerNorm(`${hf}.ln_1`, `${c}.ln_attn`),
      b.fusedConv1d(`${hf}.attn.c_attn.weight`, [`${c}.attn.q.weight`, `${c}.attn.k.weight`, `${c}.attn.v.weight`]),
      b.fusedBias(`${hf}.attn.c_attn.bias`, [`${c}.attn.q.bias`, `${c}.attn.k.bias`, `${c}.attn.v.bias`]),
      b.conv1d(`${hf}.attn.c_proj.weight`, `${c}.attn.o.weight`),
      b.same(`${hf}.attn.c_proj.bias`, `${c}.attn.o.bias`),
      ...layerNorm(`${hf}.ln_2`, `${c}.ln_mlp`),
      b.conv1d(`${hf}.mlp.c_fc.weight`, `${c}.mlp.up.weight`),
      b.same(`${hf}.mlp.c_fc.bias`, `${c}.mlp.up.bias`),
      b.conv1d(`${hf}.mlp.c_proj.weight`, `${c}.mlp.down.weight`),
      b.same(`${hf}.mlp.c_proj.bias`, `${c}.mlp.down.bias`),
    );
  }
  rules.push(...layerNorm(`${t}.ln_f`, "final_norm"));
  if (!spec.tieEmbeddings) rules.push(b.same("lm_head.weight", "lm_head.weight"));
  return rules;
}
