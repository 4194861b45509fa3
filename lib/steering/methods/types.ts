import type { SteerSite } from "../../engine/types";
import { meanRowNorm, meanRows, normalize, project, scaled } from "../../math/linalg";
import { mean } from "../../math/numeric";
import type { LayerInfo, ModelIdentity } from "../vector";

/**
 * The one interface every extraction method implements (steering-vectors style: factories returning plain
 * objects, so user-written methods plug in the same way).
 */
export type MethodName = "actadd" | "caa" | "pca" | "iti" | "probe";
export const METHOD_NAMES: readonly MethodName[] = ["actadd", "caa", "pca", "iti", "probe"];

/** One layer's contrastive activations: row i of `positive` pairs with row i of `negative`. */
export interface PairedActivations {
  positive: Float32Array; // [n, width]
  negative: Float32Array; // [n, width]
  n: number;
  width: number;
}

export interface FitContext {
  model: ModelIdentity;
  /** Seed for any random split (ITI's held-out heads, the probe's nothing): results are reproducible. */
  seed: number;
}

export interface LayerFit {
  /** The vector at strength 1 (see vector.ts for the units). */
  vector: Float32Array;
  info: LayerInfo;
}

export interface SteeringMethod {
  readonly name: MethodName;
  /** Where the method reads its activations and where its vector is added. */
  readonly site: SteerSite;
  /** The options in effect, recorded in the vector's provenance. */
  readonly options: Readonly<Record<string, unknown>>;
  /** Layer → fitted vector; a layer may be absent (ITI: no chosen head there). */
  fit(acts: ReadonlyMap<number, PairedActivations>, ctx: FitContext): Map<number, LayerFit>;
}

/** Sign a direction so that positives project higher on average than negatives. */
export function orientTowardsPositive(d: Float32Array, acts: PairedActivations): Float32Array {
  const gap = mean(project(acts.positive, acts.width, d)) - mean(project(acts.negative, acts.width, d));
  return gap < 0 ? scaled(d, -1) : d;
}

/** Mean norm of the activations of both sides: the strength unit of resid_post methods. */
export function typicalNorm(acts: PairedActivations): number {
  return (meanRowNorm(acts.positive, acts.width) + meanRowNorm(acts.negative, acts.width)) / 2;
}

/** Paired differences positive − negative [n, width]. */
export const pairDifferences = (acts: PairedActivations): Float32Array => acts.positive.map((x, i) => x - acts.negative[i]);

/** mean(positive) − mean(negative) (equals the mean paired difference). */
export function meanDifference(acts: PairedActivations): Float32Array {
  const p = meanRows(acts.positive, acts.width), q = meanRows(acts.negative, acts.width);
  return p.map((x, i) => x - q[i]);
}

/**
 * A resid_post method from a per-layer unit-direction rule: the rule's direction is oriented towards the
 * positives (of `orientOn`, default all pairs), normalised, and multiplied by the layer's typical norm over
 * all pairs (the common strength unit).
 */
export function residualMethod(
  name: MethodName,
  options: Record<string, unknown>,
  direction: (acts: PairedActivations, ctx: FitContext, layer: number) => { d: Float32Array; info?: LayerInfo; orientOn?: PairedActivations },
): SteeringMethod {
  return {
    name, site: "resid_post", options,
    fit(all, ctx) {
      const out = new Map<number, LayerFit>();
      for (const [layer, acts] of all) {
        const { d, info, orientOn } = direction(acts, ctx, layer);
        const unit = orientTowardsPositive(normalize(d, `${name} direction at layer ${layer}`), orientOn ?? acts);
        const strengthUnit = typicalNorm(acts);
        const projectionGap = mean(project(acts.positive, acts.width, unit)) - mean(project(acts.negative, acts.width, unit));
        out.set(layer, { vector: scaled(unit, strengthUnit), info: { typicalNorm: strengthUnit, projectionGap, ...info } });
      }
      return out;
    },
  };
}
