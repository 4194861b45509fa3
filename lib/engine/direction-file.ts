import { existsSync } from "node:fs";
import type { ModelSpec } from "../arch/spec";
import { readSafetensors } from "../checkpoint/safetensors";
import type { SampleSteering, SteerWindow } from "./types";

/**
 * The CLI's plain vector file: V.safetensors with float32 `direction.<layer>` [hidden] tensors (0-based block
 * index; other metadata ignored), each multiplied by alpha and added to that block's output (resid_post).
 * Every tensor must name an existing layer with the model's hidden width — a mismatch is an error, never skipped.
 */
export function readDirectionFile(file: string, spec: ModelSpec): Map<number, Float32Array> {
  if (!existsSync(file)) throw new Error(`${file}: no such vector file`);
  const { tensors } = readSafetensors(file);
  const out = new Map<number, Float32Array>();
  for (const [name, t] of tensors) {
    const m = /^direction\.(\d+)$/.exec(name);
    if (!m) throw new Error(`${file}: unexpected tensor '${name}' (expected direction.<layer>)`);
    const layer = Number(m[1]);
    if (layer >= spec.nLayers) throw new Error(`${file}: '${name}' names layer ${layer}, but the model has layers 0..${spec.nLayers - 1}`);
    if (t.shape.length !== 1 || t.shape[0] !== spec.hidden)
      throw new Error(`${file}: '${name}' has shape [${t.shape}], expected [${spec.hidden}] (the model's hidden size)`);
    out.set(layer, t.data);
  }
  if (out.size === 0) throw new Error(`${file}: no direction.<layer> tensors`);
  return out;
}

/** alpha × each direction, added at resid_post of its layer over `window`. */
export function directionSteering(directions: ReadonlyMap<number, Float32Array>, alpha: number, window: SteerWindow): SampleSteering {
  const add: Record<string, Float32Array> = {};
  for (const [layer, d] of directions) add[`${layer}.resid_post`] = d.map((x) => x * alpha);
  return { window, add };
}
