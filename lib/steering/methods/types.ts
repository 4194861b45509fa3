import type { SteerWindow } from "../../engine/index";
import type { SteerSite } from "../../arch/index";
import { meanRowNorm, meanRows, normalize, project, scaled, mean } from "../../math/index";
import type { LayerInfo, ModelIdentity } from "../vector";

/**
 * The one interface every extraction method implements (steering-vectors style: factories returning plain
 * objects), and the descriptor by which a method plugs in: built-ins (one file each in this folder) and
 * user-written methods (a notebook cell, a test) are registered the same way.
 */

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

/**
 * The teacher-forced steering effect of a candidate fit on held-out pairs at strength α, in nats:
 * min(r(+α) − r(0), r(0) − r(−α)) (effect.ts), > 0 when both signs move the concept the right way.
 */
export type EffectScore = (fits: ReadonlyMap<number, LayerFit>, alpha: number) => Promise<number>;

export interface SteeringMethod {
  readonly name: string;
  /** Where the method reads its activations and where its vector is added. */
  readonly site: SteerSite;
  /** The options in effect, recorded in the vector's provenance. */
  readonly options: Readonly<Record<string, unknown>>;
  /** Layer → fitted vector; a layer may be absent (ITI: no chosen head there). */
  fit(acts: ReadonlyMap<number, PairedActivations>, ctx: FitContext): Map<number, LayerFit>;
  /**
   * Optional second stage that needs the model: narrow or reweight `fit`'s output by its measured steering
   * effect (ITI: keep the heads that steer best). Run by extractVector / vectorWithEffect, which own the engine
   * and the held-out pairs; vectorFromActivations (no engine) refuses a method that has one. `score` is null when
   * effects cannot be measured (pairs whose texts are all response, e.g. PAIRS.jsonl texts): the method then
   * falls back to its model-free choice, and the vector's details record `refinedBy`.
   */
  refine?(fits: Map<number, LayerFit>, score: EffectScore | null): Promise<Map<number, LayerFit>>;
}

/** An option a method adds to the `extract` command: `--<flag>` sets the factory's option `option`. */
export interface MethodFlag {
  flag: string;
  option: string;
  type: "integer" | "boolean";
  /** Integers: the smallest value allowed. */
  min?: number;
  description: string;
}

/**
 * Everything the rest of steersynth knows about a method: the registry (methods/index), the study config's
 * method names, the CLI's --method and its flags, the runner's steering window and the figures' colours are
 * all read from descriptors, so adding a method is adding one file (or one value, outside lib/).
 */
export interface MethodDescriptor<O extends object = object> {
  /** The name in configs, results and vector provenance ([a-z0-9_-]). */
  readonly name: string;
  /** Builds the method; options left out take the method's defaults. */
  create(options?: O): SteeringMethod;
  /** The window the study steers this method's vectors over; null = the config's sampling.window. */
  readonly window: SteerWindow | null;
  /**
   * Where the study fits it: false/absent = at the concept's chosen layer (resid_post methods); true = over every
   * layer, the method choosing its own sites there (ITI ranks heads across all layers, as in Li et al. 2023), so
   * the study's layer choice does not apply and its rows carry no layer.
   */
  readonly allLayers?: boolean;
  /** Its options on `steersynth extract`. */
  readonly flags: readonly MethodFlag[];
  /** Its colour in every figure; null = one derived from the name. */
  readonly color: string | null;
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
  name: string,
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
