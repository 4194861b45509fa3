import { ABLATE_SITES, siteKey, type ModelSpec } from "../arch/index";
import type { SampleSteering, SteerWindow } from "../engine/index";
import { fingerprint } from "../util/index";
import { scaled } from "../math/index";
import { checkCompatible, unitDirection, vectorFingerprint, vectorLayers, type ModelIdentity, type SteeringVector } from "./vector";

/**
 * A declarative steering spec (EasySteer style): what (vectors), where (layers; the site is the vector's),
 * how much (strength), when (window: prompt = [0, promptLength), generated = [promptLength, ∞), all), and how
 * (operator). Validated up front; identified by a content fingerprint.
 *
 * Operators, at each of a term's layers l with vector v_l and unit direction d̂_l = v_l/|v_l|:
 *   add              x ← x + α·v_l
 *   ablate           x ← x − (x·d̂_l) d̂_l          (strength is ignored; resid_post only)
 *   ablate-then-add  x ← x − (x·d̂_l) d̂_l + α·v_l  (resid_post only)
 */
export type SteerOperator = "add" | "ablate" | "ablate-then-add";
export const OPERATORS: readonly SteerOperator[] = ["add", "ablate", "ablate-then-add"];
export const WINDOWS: readonly SteerWindow[] = ["prompt", "generated", "all"];

export interface SteeringTerm {
  vector: SteeringVector;
  /** Layers of the vector to use (default: all of them). */
  layers?: number[];
  /** α, in the vector's strength units (vector.ts). Default 1. */
  strength?: number;
  /** Default "add". */
  operator?: SteerOperator;
}

export interface SteeringSpec {
  terms: SteeringTerm[];
  window: SteerWindow;
}

const termLayers = (t: SteeringTerm): number[] => t.layers ?? vectorLayers(t.vector);

/** Check a spec against a model; every failure names the field and what was expected. */
export function validateSpec(spec: SteeringSpec, model: ModelSpec | ModelIdentity): void {
  if (!WINDOWS.includes(spec.window)) throw new Error(`steering spec.window: expected one of ${WINDOWS.join(", ")} (got ${JSON.stringify(spec.window)})`);
  if (!Array.isArray(spec.terms) || spec.terms.length === 0) throw new Error("steering spec.terms: expected at least one term");
  const ablated = new Map<string, number>();
  spec.terms.forEach((t, i) => {
    const where = `steering spec.terms[${i}]`;
    checkCompatible(t.vector, model, `${where}.vector`);
    const op = t.operator ?? "add";
    if (!OPERATORS.includes(op)) throw new Error(`${where}.operator: expected one of ${OPERATORS.join(", ")} (got ${JSON.stringify(op)})`);
    const strength = t.strength ?? 1;
    if (typeof strength !== "number" || !Number.isFinite(strength)) throw new Error(`${where}.strength: expected a finite number (got ${JSON.stringify(t.strength)})`);
    const layers = termLayers(t);
    if (!Array.isArray(layers) || layers.length === 0) throw new Error(`${where}.layers: expected at least one layer`);
    if (new Set(layers).size !== layers.length) throw new Error(`${where}.layers: duplicate layers in ${JSON.stringify(layers)}`);
    for (const l of layers)
      if (!t.vector.directions.has(l))
        throw new Error(`${where}.layers: layer ${JSON.stringify(l)} is not in the vector (${t.vector.method} has layers ${vectorLayers(t.vector).join(", ")})`);
    if (op !== "add") {
      if (!ABLATE_SITES.includes(t.vector.site)) throw new Error(`${where}.operator: '${op}' is only supported at ${ABLATE_SITES.join(", ")} (this vector is at ${t.vector.site})`);
      for (const l of layers) {
        const key = siteKey(l, t.vector.site);
        if (ablated.has(key)) throw new Error(`${where}: layer ${l} is already ablated by terms[${ablated.get(key)}] (one ablation direction per layer)`);
        ablated.set(key, i);
      }
    }
  });
}

/** Content fingerprint: vectors by content, layers, strengths, operators and window. */
export const specFingerprint = (spec: SteeringSpec): string =>
  fingerprint({
    window: spec.window,
    terms: spec.terms.map((t) => ({ vector: vectorFingerprint(t.vector), layers: termLayers(t), strength: t.strength ?? 1, operator: t.operator ?? "add" })),
  });

/**
 * Lower a spec to per-sample engine steering: sample b uses every term's strength multiplied by
 * strengthPerSample[b] (so a sweep over α uses terms of strength 1). A sample with nothing to do (only add
 * terms, at strength 0) lowers to null, which the engine treats as unsteered — the same output as adding 0.
 * Call validateSpec first; this only assumes a valid spec.
 */
export function lowerSpec(spec: SteeringSpec, strengthPerSample: readonly number[]): (SampleSteering | null)[] {
  return strengthPerSample.map((k, b) => {
    if (!Number.isFinite(k)) throw new Error(`lowerSpec: strengthPerSample[${b}] must be finite (got ${k})`);
    const add: Record<string, Float32Array> = {}, ablate: Record<string, Float32Array> = {};
    for (const t of spec.terms) {
      const op = t.operator ?? "add";
      const alpha = (t.strength ?? 1) * k;
      for (const l of termLayers(t)) {
        const key = siteKey(l, t.vector.site);
        if (op !== "add") ablate[key] = unitDirection(t.vector, l);
        if (op === "ablate" || alpha === 0) continue;
        const v = scaled(t.vector.directions.get(l)!, alpha);
        add[key] = add[key] ? add[key].map((x, i) => x + v[i]) : v;
      }
    }
    const hasAdd = Object.keys(add).length > 0, hasAblate = Object.keys(ablate).length > 0;
    if (!hasAdd && !hasAblate) return null;
    return { ...(hasAdd ? { add } : {}), ...(hasAblate ? { ablate } : {}), window: spec.window };
  });
}

/** One spec for every sample of a batch of n (each at the spec's strengths): validated, then lowered. */
export function steerBatch(spec: SteeringSpec, model: ModelSpec | ModelIdentity, n: number): (SampleSteering | null)[] {
  validateSpec(spec, model);
  return lowerSpec(spec, Array.from({ length: n }, () => 1));
}
