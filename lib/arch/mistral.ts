import { ConfigReader } from "./config";
import { LLAMA_BUFFERS, llamaCoreConfig, llamaTensorRules, parseLlamaCore } from "./llama-family";
import type { ArchTable } from "./table";

/** Mistral (MistralForCausalLM): Llama without biases, with a sliding window (null = none) on every layer. */
export const mistral: ArchTable = {
  name: "mistral",
  hfArchitectures: ["MistralForCausalLM"],
  modelType: "mistral",
  parseConfig(json, file) {
    const cfg = new ConfigReader(json, file);
    const spec = parseLlamaCore(cfg, { arch: "mistral", hfArchitecture: "MistralForCausalLM", actField: "hidden_act", actDefault: "silu", tieDefault: false, maxPositionsDefault: 4096 * 32 });
    // transformers' default when the field is absent is 4096; an explicit null means full attention.
    const window = cfg.positiveOrNull("sliding_window", 4096);
    if (window !== null && !Number.isInteger(window)) cfg.fail(`field 'sliding_window' must be an integer or null, got ${window}`);
    return { ...spec, slidingWindow: window === null ? null : { size: window, layers: "all" } };
  },
  toConfig(spec) {
    if (spec.slidingWindow?.layers === "even") throw new Error("mistral: a sliding window applies to all layers, not only even ones");
    return { ...llamaCoreConfig(spec, "mistral", "hidden_act"), sliding_window: spec.slidingWindow?.size ?? null };
  },
  tensorRules: (spec) => llamaTensorRules(spec, "same"),
  ignored: LLAMA_BUFFERS,
};
