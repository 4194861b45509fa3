import { chooseLayer, encodePairs, loadConceptPairs } from "../../steering/index";
import type { ArtefactCache } from "../../util/index";
import type { StudyModel } from "../config";
import { STUDY_VERSION, type ConceptHandle, type ModelHandle } from "./handles";

/**
 * Stage 1, choose layers: the model's explicit layers, or "auto" = lib/steering's chooseLayer for this concept
 * (the layer where its CAA direction steers best; cached as a `layer-choice` artefact).
 */
export async function chooseLayers(store: ArtefactCache, model: StudyModel, h: ModelHandle, c: ConceptHandle, seed: number): Promise<number[]> {
  if (model.layers !== "auto") return model.layers;
  const layer = await store.json("layer-choice", { v: STUDY_VERSION, model: h.id, data: c.dataId, seed }, async () => {
    const pairs = loadConceptPairs(c.source, "mean");
    return (await chooseLayer(h.engine, encodePairs(h.loaded.tokenizer, pairs), { read: "mean", seed })).layer;
  });
  return [layer];
}
