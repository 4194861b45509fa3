import { ConfigReader } from "./config";
import { LLAMA_BUFFERS, layerTypes, llamaCoreConfig, llamaTensorRules, parseLlamaCore, windowFromLayerTypes } from "./llama-family";
import type { ModelSpec } from "./spec";
import type { ArchTable } from "./table";

/** Qwen2 / Qwen2.5 (Qwen2ForCausalLM): Llama with biases on q, k, v (not o). */
export const qwen2: ArchTable = {
  name: "qwen2",
  hfArchitectures: ["Qwen2ForCausalLM"],
  modelType: "qwen2",
  parseConfig(json, file) {
    const cfg = new ConfigReader(json, file);
    const spec = parseLlamaCore(cfg, { arch: "qwen2", hfArchitecture: "Qwen2ForCausalLM", actField: "hidden_act", actDefault: "silu", tieDefault: false, maxPositionsDefault: 32768 });
    return { ...spec, bias: { qkv: true, o: false, mlp: false }, slidingWindow: qwenWindow(cfg, spec.nLayers) };
  },
  toConfig(spec) {
    if (spec.slidingWindow?.layers === "even") throw new Error("qwen2: sliding windows on even layers cannot be expressed in a Qwen2 config");
    const sliding = spec.slidingWindow !== null;
    return {
      ...llamaCoreConfig(spec, "qwen2", "hidden_act"),
      use_sliding_window: sliding,
      sliding_window: spec.slidingWindow?.size ?? null,
      max_window_layers: sliding ? 0 : spec.nLayers,
      layer_types: layerTypes(spec),
    };
  },
  tensorRules: (spec) => llamaTensorRules(spec, "same"),
  ignored: LLAMA_BUFFERS,
};

/**
 * Qwen2 windows: with use_sliding_window, layers from max_window_layers on slide (transformers' rule);
 * `layer_types`, when written, states the result directly.
 */
function qwenWindow(cfg: ConfigReader, nLayers: number): ModelSpec["slidingWindow"] {
  const use = cfg.bool("use_sliding_window", false);
  const size = use ? cfg.positiveOrNull("sliding_window", 4096) : null;
  const fromTypes = windowFromLayerTypes(cfg, nLayers, size);
  if (fromTypes !== undefined) return fromTypes;
  if (size === null) return null;
  const from = cfg.num("max_window_layers", 28);
  if (from <= 0) return { size, layers: "all" };
  if (from >= nLayers) return null;
  return cfg.fail(`max_window_layers (${from}) makes only some layers slide; this toolkit supports all or none`);
}
