import { existsSync } from "node:fs";
import { join } from "node:path";
import { readSafetensors, writeSafetensors } from "../checkpoint/safetensors";
import type { Engine } from "../engine/types";
import { captureActivations } from "../steering/capture";
import { encodeExchange } from "../steering/dataset";
import { fingerprint } from "../util/fingerprint";

/**
 * Frozen features for probe detectors: the mean over the assistant response's tokens of the block output
 * (resid_post) at one layer, with each (user, response) rendered through the model's chat template. The mean
 * is over response tokens only, so the user turn (shared by both classes) does not dilute the signal.
 * Cached on disk by (model identity, layer, texts): the same texts are never encoded twice.
 */
export interface FeatureRequest {
  engine: Engine;
  /** A stable identity of the model's weights (see modelIdentity). */
  modelId: string;
  layer: number;
  items: readonly { user: string; response: string }[];
  /** Cache folder; null disables caching. */
  cacheDir: string | null;
  label?: string;
}

export async function responseFeatures(req: FeatureRequest): Promise<Float32Array[]> {
  const { engine, layer, items } = req;
  const spec = engine.model.spec;
  if (!Number.isInteger(layer) || layer < 0 || layer >= spec.nLayers)
    throw new Error(`detector features: layer ${layer} does not exist (the model has layers 0..${spec.nLayers - 1})`);
  const file = req.cacheDir === null ? null
    : join(req.cacheDir, `features-${fingerprint({ model: req.modelId, layer, items: items.map((x) => [x.user, x.response]) })}.safetensors`);
  const H = spec.hidden;
  let flat: Float32Array;
  if (file && existsSync(file)) {
    flat = readSafetensors(file).tensors.get("features")!.data;
  } else {
    const tok = engine.model.tokenizer;
    if (!tok) throw new Error(`${engine.model.dir}: probe features need the model's tokenizer`);
    const maxLen = spec.maxPositions;
    // Overlong examples keep their start: the prompt template and the first response tokens.
    const encoded = items.map((x, i) => {
      const e = encodeExchange(tok, x.user, x.response, `example ${i}`);
      return e.ids.length <= maxLen ? e : { ids: e.ids.slice(0, maxLen), responseStart: Math.min(e.responseStart, maxLen - 1), responseEnd: maxLen };
    });
    const acts = await captureActivations(engine, encoded, { sites: ["resid_post"], layers: [layer], read: "mean", batchSize: 32, label: req.label ?? "features" });
    flat = acts.get(`${layer}.resid_post`)!;
    if (file) writeSafetensors(file, { features: { shape: [items.length, H], data: flat } });
  }
  return Array.from({ length: items.length }, (_, i) => flat.subarray(i * H, (i + 1) * H));
}
