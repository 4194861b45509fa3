import type { Engine, ReadPolicy } from "../engine/index";
import type { EncodedPair } from "./dataset";
import { layerEffects, steerableLayer, type LayerEffect } from "./effect";
import { capturePairs, resolveLayers, vectorFromActivations } from "./extract";
import { scoreLayers, type LayerScore } from "./layers";
import { heldOutSplit } from "../math/index";
import { createMethod } from "./methods/index";
import { modelIdentity } from "./vector";

/**
 * Choosing where to steer ("auto" layers): fit the CAA (mean-difference) direction at every layer on most of the
 * pairs, then steer each layer alone at ±α on the held-out rest and keep the layer where both signs move the
 * teacher-forced log-likelihood ratio the right way the most (effect.ts). The probe scores of the same
 * activations come along for the table. The choice uses only the pairs given: evaluate on other data.
 */
export interface LayerChoice {
  layer: number;
  /** Per layer, on the validation pairs. */
  effects: LayerEffect[];
  /** Per layer, probe accuracy / separation on the fitting pairs (a held-out split of them). */
  scores: LayerScore[];
  fitPairs: number;
  validationPairs: number;
  alpha: number;
}

export interface ChooseLayerOptions {
  read: ReadPolicy;
  seed: number;
  /** Strength of the trial steering, in multiples of the layer's typical norm. Default 0.25. */
  alpha?: number;
  /** Validation pairs (default 16, at most a quarter of the pairs). */
  validation?: number;
  layers?: number[] | "all";
  batchSize?: number;
}

export async function chooseLayer(engine: Engine, pairs: readonly EncodedPair[], opts: ChooseLayerOptions): Promise<LayerChoice> {
  if (pairs.length < 4) throw new Error(`chooseLayer: needs at least 4 pairs (got ${pairs.length}): some fit the direction, others validate it`);
  const alpha = opts.alpha ?? 0.25;
  const nVal = Math.min(opts.validation ?? 16, Math.floor(pairs.length / 4));
  const { train, val } = heldOutSplit(pairs.length, nVal / pairs.length, opts.seed);
  const fit = train.map((i) => pairs[i]), held = val.map((i) => pairs[i]);
  const layers = resolveLayers(opts.layers ?? "all", engine.model.spec.nLayers);
  const acts = await capturePairs(engine, fit, { site: "resid_post", layers, read: opts.read, batchSize: opts.batchSize });
  const caa = vectorFromActivations(acts, createMethod("caa"), { model: modelIdentity("layer-choice", engine.model.spec), read: opts.read, dataset: "layer-choice" });
  const effects = await layerEffects(engine, caa, held, { alpha, batchSize: opts.batchSize });
  return { layer: steerableLayer(effects), effects, scores: scoreLayers(acts, { seed: opts.seed }), fitPairs: fit.length, validationPairs: held.length, alpha };
}
