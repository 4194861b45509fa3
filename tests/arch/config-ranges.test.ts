import { describe, expect, it } from "vitest";
import { archByName, specToConfig } from "../../lib/arch/index";
import type { ArchName } from "../../lib/arch/spec";
import { smallSpec } from "../../lib/checkpoint/random";

/**
 * config.json values that would make every forward NaN (a zero RoPE base, a negative epsilon, llama3 smoothing
 * dividing by zero) are rejected at load, naming the file and the field.
 */
const parse = (arch: ArchName, patch: Record<string, unknown>) => {
  const json = { ...specToConfig(smallSpec(arch)), ...patch };
  return archByName(arch).parseConfig(json, "m/config.json");
};

describe("config.json value ranges", () => {
  it.each([
    ["llama", { rope_theta: 0, rope_parameters: undefined }, "rope_theta' must be a number > 0, got 0"],
    ["llama", { rope_parameters: { rope_type: "default", rope_theta: -5 } }, "rope_theta' must be a number > 0, got -5"],
    ["qwen2", { rms_norm_eps: -1 }, "m/config.json: field 'rms_norm_eps' must be a number > 0, got -1"],
    ["mistral", { rms_norm_eps: 0 }, "field 'rms_norm_eps' must be a number > 0, got 0"],
    ["gpt2", { layer_norm_epsilon: 0 }, "field 'layer_norm_epsilon' must be a number > 0, got 0"],
    ["gemma2", { query_pre_attn_scalar: 0 }, "field 'query_pre_attn_scalar' must be a number > 0"],
    ["llama", { rope_parameters: { rope_type: "linear", rope_theta: 10000, factor: 0 } }, "field 'factor' must be a number > 0, got 0"],
    ["llama", { rope_parameters: { rope_type: "llama3", rope_theta: 10000, factor: 8, low_freq_factor: 2, high_freq_factor: 2, original_max_position_embeddings: 16 } },
      "high_freq_factor (2) must be greater than low_freq_factor (2)"],
  ] as [ArchName, Record<string, unknown>, string][])("%s %j", (arch, patch, message) => {
    expect(() => parse(arch, patch)).toThrow(message);
  });

  it("still accepts the presets' values", () => {
    for (const arch of ["llama", "qwen2", "mistral", "gemma2", "gpt2"] as ArchName[]) expect(parse(arch, {}).arch).toBe(arch);
  });
});
