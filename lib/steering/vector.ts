import { siteWidth, STEER_SITES, type ModelSpec, type SteerSite } from "../arch/index";
import { fingerprint } from "../util/index";
import { normalize } from "../math/index";
import type { ReadPolicy } from "../engine/index";

/**
 * The steering vector value (repeng's noun): {layer → vector} for one model at one site, with where it came
 * from. Immutable by convention: arithmetic returns new values.
 *
 * Strength units. `directions.get(l)` is the vector added at strength 1, so strength α adds α · v_l:
 * - resid_post methods (actadd, caa, pca, probe): v_l = typicalNorm_l · d̂_l, with d̂_l the unit direction and
 *   typicalNorm_l the mean resid_post norm at layer l over the extraction data (both sides of every pair, at
 *   the reading positions; kept in layerInfo). α = 1 adds a vector as long as a typical residual state.
 * - ITI (attn_out): v_l = Σ_h σ_h θ̂_h over the chosen heads h of layer l (θ̂_h the unit mass-mean direction
 *   in head h's [headDim] block, σ_h the standard deviation of the activations' projection on it), zero in the
 *   other heads' blocks — α is ITI's own α, in units of σ.
 * Imported GGUF vectors (llama.cpp / repeng) keep their tensors as v_l: α is then llama.cpp's strength.
 */
export interface ModelIdentity {
  /** A short name (checkpoint folder name or the study's model name); GGUF's model_hint is `arch`. */
  name: string;
  arch: string;
  hidden: number;
  nLayers: number;
  nHeads: number;
  headDim: number;
}

export type LayerInfo = Record<string, number | number[]>;

export interface SteeringVector {
  readonly model: ModelIdentity;
  readonly site: SteerSite;
  /** "actadd" | "caa" | "pca" | "iti" | "probe", "import", or an expression of those for arithmetic results. */
  readonly method: string;
  readonly read: ReadPolicy | null;
  /** Content fingerprint of the contrast data the vector was extracted from (null: unknown). */
  readonly dataset: string | null;
  /** layer (0-based block index) → the vector at strength 1: [hidden] at resid_post, [nHeads*headDim] at attn_out. */
  readonly directions: ReadonlyMap<number, Float32Array>;
  /** Per-layer extraction facts (typicalNorm, ITI heads and σ, probe accuracy...). */
  readonly layerInfo: ReadonlyMap<number, LayerInfo>;
  /** Method options and data counts, for provenance. */
  readonly details: Readonly<Record<string, unknown>>;
}

export const modelIdentity = (name: string, spec: ModelSpec): ModelIdentity => ({
  name, arch: spec.arch, hidden: spec.hidden, nLayers: spec.nLayers, nHeads: spec.nHeads, headDim: spec.headDim,
});


/** Build a vector value, checking every layer and width against the model. */
export function createVector(v: {
  model: ModelIdentity; site: SteerSite; method: string; read?: ReadPolicy | null; dataset?: string | null;
  directions: ReadonlyMap<number, Float32Array>; layerInfo?: ReadonlyMap<number, LayerInfo>; details?: Record<string, unknown>;
}): SteeringVector {
  if (!STEER_SITES.includes(v.site)) throw new Error(`steering vector: site must be ${STEER_SITES.join(" or ")} (got ${JSON.stringify(v.site)})`);
  if (v.directions.size === 0) throw new Error("steering vector: no layers");
  const width = siteWidth(v.model, v.site);
  for (const [layer, d] of v.directions) {
    if (!Number.isInteger(layer) || layer < 0 || layer >= v.model.nLayers)
      throw new Error(`steering vector: layer ${layer} does not exist (${v.model.name} has ${v.model.nLayers} layers, 0-based)`);
    if (d.length !== width) throw new Error(`steering vector: layer ${layer} has ${d.length} values, expected ${width} (${v.site} of ${v.model.name})`);
    if (d.some((x) => !Number.isFinite(x))) throw new Error(`steering vector: layer ${layer} has non-finite values`);
  }
  const sorted = new Map([...v.directions].sort((a, b) => a[0] - b[0]));
  return {
    model: { ...v.model }, site: v.site, method: v.method, read: v.read ?? null, dataset: v.dataset ?? null,
    directions: sorted, layerInfo: new Map(v.layerInfo ?? []), details: { ...(v.details ?? {}) },
  };
}

export const vectorLayers = (v: SteeringVector): number[] => [...v.directions.keys()];

/** The unit direction at a layer (what ablation removes). */
export function unitDirection(v: SteeringVector, layer: number): Float32Array {
  const d = v.directions.get(layer);
  if (!d) throw new Error(`steering vector (${v.method}): no layer ${layer} (it has layers ${vectorLayers(v).join(", ")})`);
  return normalize(d, `steering vector (${v.method}) layer ${layer}`);
}

/** A vector may be used with a model only if hidden size, layer count and head layout agree. */
export function checkCompatible(v: SteeringVector, model: ModelIdentity | ModelSpec, where = "steering vector"): void {
  const m = "hfArchitecture" in model ? modelIdentity("model", model) : model;
  const fields = ["hidden", "nLayers", "nHeads", "headDim"] as const;
  for (const f of fields)
    if (v.model[f] !== m[f])
      throw new Error(`${where}: extracted for ${v.model.name} with ${f} = ${v.model[f]}, but the model has ${f} = ${m[f]}`);
}

// ---------------------------------------------------------------------------------------------- arithmetic

function combine(a: SteeringVector, b: SteeringVector, kb: number, method: string): SteeringVector {
  checkCompatible(b, a.model, "vector arithmetic");
  if (a.site !== b.site) throw new Error(`vector arithmetic: sites differ (${a.site} vs ${b.site})`);
  const directions = new Map<number, Float32Array>();
  for (const [l, d] of a.directions) directions.set(l, d.slice());
  for (const [l, d] of b.directions) {
    const acc = directions.get(l) ?? new Float32Array(d.length);
    directions.set(l, acc.map((x, i) => x + kb * d[i]));
  }
  return createVector({
    model: a.model, site: a.site, method, read: a.read === b.read ? a.read : null,
    dataset: a.dataset === b.dataset ? a.dataset : fingerprint([a.dataset, b.dataset]), directions,
    details: { operands: [a.method, b.method] },
  });
}

/** a + b, layer by layer (a layer in only one operand is kept as is), as repeng's `+`. */
export const sum = (a: SteeringVector, b: SteeringVector): SteeringVector => combine(a, b, 1, `(${a.method} + ${b.method})`);

/** a − b. */
export const difference = (a: SteeringVector, b: SteeringVector): SteeringVector => combine(a, b, -1, `(${a.method} - ${b.method})`);

/** k · v; per-layer extraction facts are kept (the strength unit is unchanged, only the vector grows). */
export function scale(v: SteeringVector, k: number): SteeringVector {
  if (!Number.isFinite(k)) throw new Error(`vector arithmetic: scale factor must be finite (got ${k})`);
  const directions = new Map([...v.directions].map(([l, d]) => [l, d.map((x) => x * k)] as const));
  return createVector({ ...v, method: `${k} * ${v.method}`, directions });
}

export const negate = (v: SteeringVector): SteeringVector => ({ ...scale(v, -1), method: `-${v.method}` });

/** Content fingerprint of a vector (model, site, directions): identifies it inside steering specs. */
export const vectorFingerprint = (v: SteeringVector): string =>
  fingerprint({ model: v.model, site: v.site, directions: [...v.directions].map(([l, d]) => [l, d]) });
