import { activationName, ConfigReader, eosField, parseActivation, parseRope, ropeConfig, type ConfigJson } from "./config";
import { isSlidingLayer, type ArchName, type ModelSpec } from "./spec";
import { ruleBuilder, type TensorRule } from "./table";

/**
 * What Llama, Qwen2, Mistral and Gemma 2 share: the `model.layers.{l}.self_attn.*_proj` checkpoint layout
 * and the core config fields. Each architecture's table (llama.ts, qwen2.ts, ...) adds its own quirks.
 */
export interface LlamaCoreOptions {
  arch: ArchName;
  hfArchitecture: string;
  /** Field holding the activation name and its default ("hidden_act"/"silu"; Gemma 2: "hidden_activation"). */
  actField: string;
  actDefault: string;
  tieDefault: boolean;
  maxPositionsDefault: number;
}

/** The spec fields every Llama-style config.json carries; quirks (bias, windows, Gemma) are set by the caller. */
export function parseLlamaCore(cfg: ConfigReader, opts: LlamaCoreOptions): ModelSpec {
  const hidden = cfg.int("hidden_size");
  const nHeads = cfg.int("num_attention_heads");
  const nKvHeads = cfg.int("num_key_value_heads", nHeads);
  cfg.divides("num_key_value_heads", nKvHeads, "num_attention_heads", nHeads);
  if (!cfg.has("head_dim")) cfg.divides("num_attention_heads", nHeads, "hidden_size", hidden);
  const headDim = cfg.int("head_dim", Math.floor(hidden / nHeads));
  return {
    arch: opts.arch,
    hfArchitecture: cfg.architecture(opts.hfArchitecture),
    vocabSize: cfg.int("vocab_size"),
    hidden,
    nLayers: cfg.int("num_hidden_layers"),
    nHeads,
    nKvHeads,
    headDim,
    intermediate: cfg.int("intermediate_size"),
    maxPositions: cfg.int("max_position_embeddings", opts.maxPositionsDefault),
    norm: { kind: "rms", eps: cfg.positive("rms_norm_eps", 1e-6) },
    act: parseActivation(cfg, opts.actField, opts.actDefault),
    mlp: "gated",
    positions: { kind: "rope", ...parseRope(cfg, 10000) },
    bias: { qkv: false, o: false, mlp: false },
    embedScale: 1,
    sandwichNorms: false,
    attnScale: headDim ** -0.5,
    attnSoftcap: null,
    finalSoftcap: null,
    slidingWindow: null,
    tieEmbeddings: cfg.bool("tie_word_embeddings", opts.tieDefault),
    bosTokenId: cfg.tokenId("bos_token_id"),
    eosTokenIds: cfg.tokenIds("eos_token_id"),
    padTokenId: cfg.tokenId("pad_token_id"),
  };
}

/** The config.json fields parseLlamaCore reads. */
export function llamaCoreConfig(spec: ModelSpec, modelType: string, actField: string): ConfigJson {
  if (spec.positions.kind !== "rope") throw new Error(`${spec.arch}: positions must be rope`);
  return {
    model_type: modelType,
    vocab_size: spec.vocabSize,
    hidden_size: spec.hidden,
    intermediate_size: spec.intermediate,
    num_hidden_layers: spec.nLayers,
    num_attention_heads: spec.nHeads,
    num_key_value_heads: spec.nKvHeads,
    head_dim: spec.headDim,
    max_position_embeddings: spec.maxPositions,
    rms_norm_eps: spec.norm.eps,
    [actField]: activationName(spec.act, "gelu_pytorch_tanh"),
    ...ropeConfig(spec.positions.theta, spec.positions.scaling),
    tie_word_embeddings: spec.tieEmbeddings,
    bos_token_id: spec.bosTokenId,
    eos_token_id: eosField(spec.eosTokenIds),
    pad_token_id: spec.padTokenId,
  };
}

/**
 * The checkpoint layout. Norm weights go through `norm` (Gemma folds its +1 there). With sandwich norms
 * (Gemma 2) post_attention_layernorm is the norm on the attention OUTPUT and pre_feedforward_layernorm the
 * pre-MLP norm; without them (Llama) post_attention_layernorm is the pre-MLP norm.
 */
export function llamaTensorRules(spec: ModelSpec, norm: "same" | "plusOne"): TensorRule[] {
  const b = ruleBuilder(spec);
  const n = b[norm];
  const rules: TensorRule[] = [b.same("model.embed_tokens.weight", "embed.weight")];
  for (let l = 0; l < spec.nLayers; l++) {
    const hf = `model.layers.${l}`, c = `layers.${l}`;
    rules.push(n(`${hf}.input_layernorm.weight`, `${c}.ln_attn.weight`));
    for (const p of ["q", "k", "v"]) {
      rules.push(b.same(`${hf}.self_attn.${p}_proj.weight`, `${c}.attn.${p}.weight`));
      if (spec.bias.qkv) rules.push(b.same(`${hf}.self_attn.${p}_proj.bias`, `${c}.attn.${p}.bias`));
    }
    rules.push(b.same(`${hf}.self_attn.o_proj.weight`, `${c}.attn.o.weight`));
    if (spec.bias.o) rules.push(b.same(`${hf}.self_attn.o_proj.bias`, `${c}.attn.o.bias`));
    if (spec.sandwichNorms) {
      rules.push(n(`${hf}.post_attention_layernorm.weight`, `${c}.ln_attn_post.weight`));
      rules.push(n(`${hf}.pre_feedforward_layernorm.weight`, `${c}.ln_mlp.weight`));
      rules.push(n(`${hf}.post_feedforward_layernorm.weight`, `${c}.ln_mlp_post.weight`));
    } else {
      rules.push(n(`${hf}.post_attention_layernorm.weight`, `${c}.ln_mlp.weight`));
    }
    for (const p of ["gate", "up", "down"]) {
      rules.push(b.same(`${hf}.mlp.${p}_proj.weight`, `${c}.mlp.${p}.weight`));
      if (spec.bias.mlp) rules.push(b.same(`${hf}.mlp.${p}_proj.bias`, `${c}.mlp.${p}.bias`));
    }
  }
  rules.push(n("model.norm.weight", "final_norm.weight"));
  if (!spec.tieEmbeddings) rules.push(b.same("lm_head.weight", "lm_head.weight"));
  return rules;
}

/** Buffers older Llama-style checkpoints saved next to the parameters. */
export const LLAMA_BUFFERS: readonly RegExp[] = [/\.rotary_emb\.inv_freq$/];

/**
 * `layer_types` (transformers ≥ 4.53) as a spec window: all layers full → null; all sliding → "all";
 * sliding on even layers → "even". Other patterns cannot be expressed by ModelSpec.
 */
export function windowFromLayerTypes(cfg: ConfigReader, nLayers: number, size: number | null): ModelSpec["slidingWindow"] | undefined {
  if (!cfg.has("layer_types")) return undefined;
  const types = cfg.json.layer_types;
  if (!Array.isArray(types) || types.length !== nLayers || types.some((t) => t !== "sliding_attention" && t !== "full_attention"))
    cfg.fail(`field 'layer_types' must list 'sliding_attention' or 'full_attention' for each of the ${nLayers} layers`);
  const sliding = types.map((t) => t === "sliding_attention");
  if (size === null || sliding.every((s) => !s)) return null;
  if (sliding.every((s) => s)) return { size, layers: "all" };
  if (sliding.every((s, l) => s === (l % 2 === 0))) return { size, layers: "even" };
  return cfg.fail(`field 'layer_types' has a pattern this toolkit does not support (all full, all sliding, or sliding on even layers)`);
}

export const layerTypes = (spec: ModelSpec): string[] =>
  Array.from({ length: spec.nLayers }, (_, l) =>
    isSlidingLayer(spec, l) ? "sliding_attention" : "full_attention");
