import { ConfigReader } from "./config";
import { LLAMA_BUFFERS, llamaCoreConfig, llamaTensorRules, parseLlamaCore } from "./llama-family";
import type { ArchTable } from "./table";

/** Llama 2/3 (LlamaForCausalLM): RMSNorm, SwiGLU, RoPE (optionally llama3/linear scaled), GQA, optional biases. */
export const llama: ArchTable = {
  name: "llama",
  hfArchitectures: ["LlamaForCausalLM"],
  modelType: "llama",
  parseConfig(json, file) {
    const cfg = new ConfigReader(json, file);
    const spec = parseLlamaCore(cfg, { arch: "llama", hfArchitecture: "LlamaForCausalLM", actField: "hidden_act", actDefault: "silu", tieDefault: false, maxPositionsDefault: 2048 });
    const attentionBias = cfg.bool("attention_bias", false);
    return { ...spec, bias: { qkv: attentionBias, o: attentionBias, mlp: cfg.bool("mlp_bias", false) } };
  },
  toConfig: (spec) => ({
    ...llamaCoreConfig(spec, "llama", "hidden_act"),
    attention_bias: spec.bias.qkv,
    mlp_bias: spec.bias.mlp,
  }),
  tensorRules: (spec) => llamaTensorRules(spec, "same"),
  ignored: LLAMA_BUFFERS,
};
