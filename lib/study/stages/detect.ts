import { type Replacement, evaluateDetector, type DetectorConfig, type DetectorResult, defaultProbeLayer, DEFAULT_FINETUNE, DEFAULT_HEAD } from "../../detect/index";
import type { ArtefactCache } from "../../util/index";
import type { StudyConfig } from "../config";
import type { ConceptHandle, ModelHandle } from "./handles";
import { detectorSeeds, trainingSetFor } from "./replacement";

/**
 * Stage 5, detect: train the config's detector on the row's training set (one run per seed, each a `detector`
 * artefact) and test it on the concept's real held-out split. A row with fewer than `detector.positives` non-empty
 * generations gets no detector (null, and the reason): never a silently smaller training set.
 */

export function detectorConfig(cfg: StudyConfig, h: ModelHandle): DetectorConfig {
  const d = cfg.detector;
  if (d.layer !== null && d.layer >= h.loaded.spec.nLayers)
    throw new Error(`${cfg.file}: detector.layer: layer ${d.layer} does not exist (${h.name} has layers 0..${h.loaded.spec.nLayers - 1})`);
  const layer = d.layer ?? defaultProbeLayer(h.loaded.spec.nLayers);
  return d.kind === "probe"
    ? { kind: "probe", layer, head: { ...DEFAULT_HEAD, kind: d.head } }
    : { kind: "finetune", config: { ...DEFAULT_FINETUNE, ...(d.layer !== null ? { layer: d.layer } : {}) } };
}

export type DetectOutcome = { result: DetectorResult; note: null } | { result: null; note: string };

/** `data`: what the positives are (the method, "prompting" or "real"), recorded in the detector's provenance. */
export async function detectStage(store: ArtefactCache, cfg: StudyConfig, h: ModelHandle, c: ConceptHandle, replacement: Replacement | null, data: string): Promise<DetectOutcome> {
  const { positives } = cfg.detector;
  const usable = replacement ? replacement.items.filter((x) => x.text.trim().length > 0).length : positives;
  if (usable < positives) return { result: null, note: `only ${usable} of ${replacement!.items.length} generations are non-empty; ${positives} are needed` };
  const result = await evaluateDetector({
    engine: h.engine, modelId: h.id, detector: detectorConfig(cfg, h), trainingSet: trainingSetFor(cfg, c, replacement), test: c.test, seeds: detectorSeeds(cfg),
    bootstrapIterations: cfg.detector.bootstrap, data, store,
  });
  return { result, note: null };
}
