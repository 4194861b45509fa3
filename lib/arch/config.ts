import type { RopeScaling } from "./spec";

/**
 * Typed reads of a Hugging Face config.json with errors that name the file and the field. Defaults are the
 * ones transformers' config classes use, passed by each architecture table (they differ per architecture).
 */
export type ConfigJson = Record<string, unknown>;

export class ConfigReader {
  constructor(readonly json: ConfigJson, readonly file: string) {}

  fail(message: string): never {
    throw new Error(`${this.file}: ${message}`);
  }

  has(name: string): boolean {
    return this.json[name] !== undefined && this.json[name] !== null;
  }

  /** A positive integer; required unless a default is given. */
  int(name: string, fallback?: number): number {
    const v = this.json[name];
    if (v === undefined || v === null) {
      if (fallback === undefined) this.fail(`missing field '${name}' (a positive integer)`);
      return fallback;
    }
    if (typeof v !== "number" || !Number.isSafeInteger(v) || v <= 0) this.fail(`field '${name}' must be a positive integer, got ${JSON.stringify(v)}`);
    return v;
  }

  /** A finite number; required unless a default is given. */
  num(name: string, fallback?: number): number {
    const v = this.json[name];
    if (v === undefined || v === null) {
      if (fallback === undefined) this.fail(`missing field '${name}' (a number)`);
      return fallback;
    }
    if (typeof v !== "number" || !Number.isFinite(v)) this.fail(`field '${name}' must be a number, got ${JSON.stringify(v)}`);
    return v;
  }

  /**
   * A finite number > 0 (epsilons, RoPE base, scale factors): 0, a negative value or NaN would make a forward
   * divide by zero or take the root of a negative, and every output NaN.
   */
  positive(name: string, fallback?: number): number {
    const v = this.num(name, fallback);
    if (!(v > 0)) this.fail(`field '${name}' must be a number > 0, got ${JSON.stringify(v)}`);
    return v;
  }

  /** A positive number, or null when the field is null/absent and the default is null. */
  positiveOrNull(name: string, fallback: number | null): number | null {
    const v = this.json[name];
    if (v === undefined) return fallback;
    if (v === null) return null;
    if (typeof v !== "number" || !Number.isFinite(v) || !(v > 0)) this.fail(`field '${name}' must be a positive number or null, got ${JSON.stringify(v)}`);
    return v;
  }

  bool(name: string, fallback: boolean): boolean {
    const v = this.json[name];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== "boolean") this.fail(`field '${name}' must be true or false, got ${JSON.stringify(v)}`);
    return v;
  }

  str(name: string, fallback?: string): string {
    const v = this.json[name];
    if (v === undefined || v === null) {
      if (fallback === undefined) this.fail(`missing field '${name}' (a string)`);
      return fallback;
    }
    if (typeof v !== "string") this.fail(`field '${name}' must be a string, got ${JSON.stringify(v)}`);
    return v;
  }

  /** A token id (non-negative integer) or null. */
  tokenId(name: string): number | null {
    const v = this.json[name];
    if (v === undefined || v === null) return null;
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0) this.fail(`field '${name}' must be a token id (integer ≥ 0) or null, got ${JSON.stringify(v)}`);
    return v;
  }

  /** A token id or a list of them (eos_token_id); [] when absent. */
  tokenIds(name: string): number[] {
    const v = this.json[name];
    if (v === undefined || v === null) return [];
    const list = Array.isArray(v) ? v : [v];
    if (list.some((x) => typeof x !== "number" || !Number.isInteger(x) || x < 0))
      this.fail(`field '${name}' must be a token id or a list of token ids, got ${JSON.stringify(v)}`);
    return list as number[];
  }

  /** `architectures[0]`, or the table's own name when config.json does not say. */
  architecture(fallback: string): string {
    const list = this.json.architectures;
    return Array.isArray(list) && typeof list[0] === "string" ? list[0] : fallback;
  }

  /** `a` must be a multiple of `b` (e.g. heads of kv heads), named by their fields. */
  divides(smallField: string, small: number, bigField: string, big: number): void {
    if (big % small !== 0) this.fail(`${smallField} (${small}) must divide ${bigField} (${big})`);
  }
}

/** Hugging Face activation names → the spec's activations. */
export function parseActivation(cfg: ConfigReader, field: string, fallback: string): "silu" | "gelu_tanh" | "gelu" {
  const name = cfg.str(field, fallback);
  switch (name) {
    case "silu": case "swish": return "silu";
    case "gelu_pytorch_tanh": case "gelu_new": case "gelu_fast": return "gelu_tanh";
    case "gelu": return "gelu";
    default: return cfg.fail(`field '${field}' is '${name}'; supported: silu, gelu, gelu_new, gelu_pytorch_tanh`);
  }
}

/** The spec's activation → the name this architecture's config uses for it. */
export const activationName = (act: "silu" | "gelu_tanh" | "gelu", tanhName: string): string =>
  act === "gelu_tanh" ? tanhName : act;

/**
 * RoPE parameters. transformers ≥ 5 writes `rope_parameters: {rope_type, rope_theta, ...}`; older versions
 * write `rope_theta` plus `rope_scaling: {rope_type | type, factor, ...}` (or null). Both are read; the newer
 * field wins, as in transformers.
 */
export function parseRope(cfg: ConfigReader, defaultTheta: number): { theta: number; scaling: RopeScaling | null } {
  const field = cfg.has("rope_parameters") ? "rope_parameters" : "rope_scaling";
  const raw = cfg.json[field];
  if (raw !== undefined && raw !== null && (typeof raw !== "object" || Array.isArray(raw))) cfg.fail(`field '${field}' must be an object or null`);
  const p = (raw ?? {}) as Record<string, unknown>;
  const sub = new ConfigReader(p, `${cfg.file}: ${field}`);
  const theta = sub.positive("rope_theta", cfg.positive("rope_theta", defaultTheta));
  const type = sub.has("rope_type") ? sub.str("rope_type") : sub.str("type", "default");
  switch (type) {
    case "default":
      return { theta, scaling: null };
    case "linear":
      return { theta, scaling: { type: "linear", factor: sub.positive("factor") } };
    case "llama3": {
      const lowFreqFactor = sub.positive("low_freq_factor"), highFreqFactor = sub.positive("high_freq_factor");
      // The smoothing between the two wavelength bands divides by (high − low).
      if (!(highFreqFactor > lowFreqFactor)) sub.fail(`high_freq_factor (${highFreqFactor}) must be greater than low_freq_factor (${lowFreqFactor})`);
      return {
        theta,
        scaling: {
          type: "llama3",
          factor: sub.positive("factor"),
          lowFreqFactor,
          highFreqFactor,
          originalMaxPositions: sub.int("original_max_position_embeddings", cfg.int("max_position_embeddings")),
        },
      };
    }
    default:
      return cfg.fail(`${field}.rope_type '${type}' is not supported (supported: default, linear, llama3)`);
  }
}

/** RoPE fields for config.json, in both the transformers 5 and the older layout (each reader takes its own). */
export function ropeConfig(theta: number, scaling: RopeScaling | null): ConfigJson {
  const params: ConfigJson =
    scaling === null ? { rope_type: "default" }
    : scaling.type === "linear" ? { rope_type: "linear", factor: scaling.factor }
    : {
      rope_type: "llama3",
      factor: scaling.factor,
      low_freq_factor: scaling.lowFreqFactor,
      high_freq_factor: scaling.highFreqFactor,
      original_max_position_embeddings: scaling.originalMaxPositions,
    };
  return {
    rope_theta: theta,
    rope_scaling: scaling === null ? null : params,
    rope_parameters: { ...params, rope_theta: theta },
  };
}

/** eos_token_id as HF writes it: a single id, or a list when there are several. */
export const eosField = (ids: readonly number[]): number | number[] | null =>
  ids.length === 0 ? null : ids.length === 1 ? ids[0] : [...ids];

/**
 * Fields transformers declares as floats. Its strict config classes reject an integer there ("30" for 30.0),
 * and JSON.stringify writes integral numbers without a decimal point, so these are written as "30.0".
 */
const FLOAT_FIELDS = new Set([
  "rms_norm_eps", "layer_norm_epsilon", "rope_theta", "factor", "low_freq_factor", "high_freq_factor",
  "attn_logit_softcapping", "final_logit_softcapping", "temperature", "top_p",
]);

/** config.json / generation_config.json text, floats written as floats. */
export function configText(value: unknown): string {
  const marker = "\u0000float:";
  const text = JSON.stringify(value, (key, v) => (FLOAT_FIELDS.has(key) && typeof v === "number" && Number.isInteger(v) ? `${marker}${v}` : v), 2);
  return text.replace(/"\\u0000float:(-?\d+)"/g, "$1.0") + "\n";
}
