import { ConfigReader } from "./config";
import { LLAMA_BUFFERS, layerTypes, llamaCoreConfig, llamaTensorRules, parseLlamaCore, windowFromLayerTypes } from "./llama-family";
import type { ArchTable } from "./table";

/**
 * Gemma 2 (Gemma2ForCausalLM): embeddings scaled by sqrt(hidden); RMSNorm computing x·(1+w) (the +1 is folded
 * into canonical weights on load and taken out on save); sandwich norms around attention and MLP; GeGLU with
 * tanh-approximated GELU; attention scale query_pre_attn_scalar^-1/2; tanh soft-capping of attention and
 * final logits; sliding-window attention on even layers; tied embeddings.
 * Approximation: transformers rounds sqrt(hidden) to the activation dtype (bf16 for released checkpoints);
 * here it stays fp32.
 */
export const gemma2: ArchTable = {
  name: "gemma2",
  hfArchitectures: ["Gemma2ForCausalLM"],
  modelType: "gemma2",
  parseConfig(json, file) {
    const cfg = new ConfigReader(json, file);
    const actField = cfg.has("hidden_activation") ? "hidden_activation" : cfg.has("hidden_act") ? "hidden_act" : "hidden_activation";
    const spec = parseLlamaCore(cfg, { arch: "gemma2", hfArchitecture: "Gemma2ForCausalLM", actField, actDefault: "gelu_pytorch_tanh", tieDefault: true, maxPositionsDefault: 8192 });
    const window = cfg.positiveOrNull("sliding_window", 4096);
    const attentionBias = cfg.bool("attention_bias", false);
    return {
      ...spec,
      bias: { qkv: attentionBias, o: attentionBias, mlp: false },
      embedScale: Math.sqrt(spec.hidden),
      sandwichNorms: true,
      attnScale: cfg.positive("query_pre_attn_scalar", 256) ** -0.5,
      attnSoftcap: cfg.positiveOrNull("attn_logit_softcapping", 50),
      finalSoftcap: cfg.positiveOrNull("final_logit_softcapping", 30),
      slidingWindow: windowFromLayerTypes(cfg, spec.nLayers, window) ?? (window === null ? null : { size: window, layers: "even" }),
    };
  },
  toConfig(spec) {
    if (spec.slidingWindow?.layers === "all") throw new Error("gemma2: sliding windows apply to even layers only");
    // query_pre_attn_scalar is an integer in transformers; undo the ^-1/2 and drop float noise.
    const scalar = spec.attnScale ** -2;
    return {
      ...llamaCoreConfig(spec, "gemma2", "hidden_activation"),
      attention_bias: spec.bias.qkv,
      query_pre_attn_scalar: Math.abs(scalar - Math.round(scalar)) < 1e-6 * scalar ? Math.round(scalar) : scalar,
      attn_logit_softcapping: spec.attnSoftcap,
      final_logit_softcapping: spec.finalSoftcap,
      sliding_window: spec.slidingWindow?.size ?? null,
      layer_types: layerTypes(spec),
    };
  },
  tensorRules: (spec) => llamaTensorRules(spec, "plusOne"),
  ignored: LLAMA_BUFFERS,
};
