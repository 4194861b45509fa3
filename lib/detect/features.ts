import { readSafetensors, writeSafetensors } from "../checkpoint/index";
import { type Engine, captureActivations, encodeExchange, truncateExchange } from "../engine/index";
import type { ArtefactCache } from "../util/index";

/**
 * Frozen features for probe detectors: the mean over the assistant response's tokens of the block output
 * (resid_post) at one layer, with each (user, response) rendered through the model's chat template. The mean
 * is over response tokens only, so the user turn (shared by both classes) does not dilute the signal.
 * A block of texts is one cached artefact keyed by (model identity, layer, texts in order): a block is always
 * computed in the same batches, so its features are the same bits in every process that computes it.
 */
/** The default probe layer: two thirds of the way up (a fixed, documented choice). */
export const defaultProbeLayer = (nLayers: number): number => Math.min(nLayers - 1, Math.floor((2 * nLayers) / 3));

export interface FeatureRequest {
  engine: Engine;
  /** A stable identity of the model's weights (lib/study/identity checkpointContentId). */
  modelId: string;
  layer: number;
  items: readonly { user: string; response: string }[];
  /** Where blocks are cached (stage "features"); null computes without caching. */
  store: ArtefactCache | null;
  label?: string;
}

/** Feature rows [hidden] in the order of `items`. */
export async function responseFeatures(req: FeatureRequest): Promise<Float32Array[]> {
  const { engine, layer, items } = req;
  const spec = engine.model.spec;
  if (!Number.isInteger(layer) || layer < 0 || layer >= spec.nLayers)
    throw new Error(`detector features: layer ${layer} does not exist (the model has layers 0..${spec.nLayers - 1})`);
  const H = spec.hidden;
  const compute = async (): Promise<Float32Array> => {
    const tok = engine.model.tokenizer;
    if (!tok) throw new Error(`${engine.model.dir}: probe features need the model's tokenizer`);
    const maxLen = spec.maxPositions;
    // Overlong examples keep their start: the prompt template and the first response tokens.
    const encoded = items.map((x, i) => {
      const e = encodeExchange(tok, x.user, x.response, `example ${i}`);
      return truncateExchange(e, maxLen);
    });
    const acts = await captureActivations(engine, encoded, { sites: ["resid_post"], layers: [layer], read: "mean", batchSize: 32, label: req.label ?? "features" });
    return acts.get(`${layer}.resid_post`)!; // [N, H]
  };
  let flat: Float32Array;
  if (!req.store) flat = await compute();
  else {
    const key = { model: req.modelId, layer, items: items.map((x) => [x.user, x.response]) };
    const file = await req.store.file("features", key, "safetensors", async (tmp) =>
      writeSafetensors(tmp, { features: { shape: [items.length, H], data: await compute() } }));
    flat = readSafetensors(file).tensors.get("features")!.data;
    if (flat.length !== items.length * H) throw new Error(`${file}: expected ${items.length}×${H} features, found ${flat.length} values`);
  }
  return Array.from({ length: items.length }, (_, i) => flat.subarray(i * H, (i + 1) * H));
}
