import { type ModelSpec, type SiteName, SITES } from "../arch/index";

/**
 * What a compiled graph computes beyond the forward pass itself. Each distinct variant is one ONNX graph and
 * one session, built on first use: generation needs {logits: "last", kv: true}, a plain forward
 * {logits: "all", kv: false}, capture adds its sites × layers as outputs.
 */
export interface GraphVariant {
  /** "targets": each position's log-probability of a given target token, and the last position's logits (graph.ts). */
  logits: "all" | "last" | "none" | "targets";
  /**
   * KV cache: past_key/past_value inputs per layer (a host-owned buffer, read in place) and new_key/new_value
   * outputs holding only this call's keys/values, which the host writes into its buffer.
   */
  kv: boolean;
  /** Captured sites (sorted, unique) at layers (sorted, unique); empty = no capture outputs. */
  capture: { sites: SiteName[]; layers: number[] };
}

/** Canonical form (sorted, deduplicated, validated) so equal requests share one graph. */
export function normalizeVariant(spec: ModelSpec, v: GraphVariant): GraphVariant {
  for (const s of v.capture.sites)
    if (!SITES.includes(s)) throw new Error(`capture: unknown site '${s}' (expected one of ${SITES.join(", ")})`);
  for (const l of v.capture.layers)
    if (!Number.isInteger(l) || l < 0 || l >= spec.nLayers) throw new Error(`capture: layer ${l} does not exist (the model has layers 0..${spec.nLayers - 1})`);
  const sites = SITES.filter((s) => v.capture.sites.includes(s));
  const layers = sites.length ? [...new Set(v.capture.layers)].sort((a, b) => a - b) : [];
  return { logits: v.logits, kv: v.kv, capture: { sites: layers.length ? sites : [], layers } };
}

export const variantKey = (v: GraphVariant): string =>
  `logits=${v.logits};kv=${v.kv};sites=${v.capture.sites.join(",")};layers=${v.capture.layers.join(",")}`;

/** Graph input/output names: the one place they are spelled. */
export const IO = {
  /** Token ids [B, T] int64, as the host passes them to RunGraph (not a graph input: ./embedding). */
  inputIds: "input_ids",
  inputsEmbeds: "inputs_embeds",
  attentionMask: "attention_mask",
  positionIds: "position_ids",
  steerMask: "steer_mask",
  steerResid: (l: number) => `steer_resid.${l}`,
  steerAttn: (l: number) => `steer_attn.${l}`,
  ablateResid: (l: number) => `ablate_resid.${l}`,
  pastKey: (l: number) => `past_key.${l}`,
  pastValue: (l: number) => `past_value.${l}`,
  newKey: (l: number) => `new_key.${l}`,
  newValue: (l: number) => `new_value.${l}`,
  logits: "logits",
  /** [B, T] int64 input of the "targets" variant: the token whose log-probability each position reports. */
  targetIds: "target_ids",
  targetLogprobs: "target_logprobs",
  capture: (l: number, site: SiteName) => `${site}.${l}`,
} as const;
