import { datasetFingerprint, encodePairs, extractVector, loadConceptPairs, loadVector, saveVector, type SteeringVector } from "../../steering/index";
import type { ArtefactCache } from "../../util/index";
import type { MethodConfig } from "../config";
import { STUDY_VERSION, type ConceptHandle, type ModelHandle } from "./handles";

/**
 * Stage 2, extract: the method's vector for (model, concept, layer; null = every layer), fitted on the concept's pairs under the
 * method's reading policy. Stored as a `vector` artefact: V.safetensors (provenance in its metadata) with the
 * V.json provenance beside it, as `steersynth extract` writes them.
 */
export async function extractStage(store: ArtefactCache, h: ModelHandle, c: ConceptHandle, method: string, mc: MethodConfig, layer: number | null, seed: number): Promise<SteeringVector> {
  const { read } = mc;
  const file = await store.file("vector", { v: STUDY_VERSION, model: h.id, data: c.dataId, method, layer, read, seed }, "safetensors", async (tmp) => {
    const pairs = loadConceptPairs(c.source, read);
    const v = await extractVector(h.engine, encodePairs(h.loaded.tokenizer, pairs), {
      method: mc.method.create(), layers: layer === null ? "all" : [layer], read, dataset: datasetFingerprint(pairs), modelName: h.name, seed,
    });
    saveVector(tmp, v);
  });
  return loadVector(file, h.loaded.spec);
}
