import { existsSync } from "node:fs";
import type { ModelSpec } from "../arch/spec";
import { readSafetensors } from "../checkpoint/safetensors";
import type { SampleSteering, SteerWindow } from "./types";

/**
 * The layer of a `direction.<layer>` tensor name, or null for any other name. The layer is written in canonical
 * decimal (`direction.1`, never `direction.01` or `direction.+1`), so two names can never mean one layer.
 */
export function directionLayer(name: string): number | null {
  const m = /^direction\.(0|[1-9]\d{0,8})$/.exec(name);
  return m ? Number(m[1]) : null;
}

/**
 * The CLI's plain vector file: V.safetensors with float32 `direction.<layer>` [hidden] tensors (0-based block
 * index; other metadata ignored), each multiplied by alpha and added to that block's output (resid_post).
 * Every tensor must name an existing layer with the model's hidden width, be F32 and hold finite values — a
 * mismatch is an error, never skipped. Names, dtypes and shapes are checked before any data is read.
 */
export function readDirectionFile(file: string, spec: ModelSpec): Map<number, Float32Array> {
  if (!existsSync(file)) throw new Error(`${file}: no such vector file`);
  const { tensors } = readSafetensors(file, undefined, (name, e) => {
    const layer = directionLayer(name);
    if (layer === null) throw new Error(`${file}: unexpected tensor '${name}' (expected direction.<layer>, the layer in plain decimal)`);
    if (layer >= spec.nLayers) throw new Error(`${file}: '${name}' names layer ${layer}, but the model has layers 0..${spec.nLayers - 1}`);
    if (e.dtype !== "F32") throw new Error(`${file}: '${name}' is ${e.dtype}; vector files hold float32 (F32) tensors`);
    if (e.shape.length !== 1 || e.shape[0] !== spec.hidden)
      throw new Error(`${file}: '${name}' has shape [${e.shape}], expected [${spec.hidden}] (the model's hidden size)`);
  });
  const out = new Map<number, Float32Array>();
  for (const [name, t] of tensors) {
    const bad = t.data.findIndex((x) => !Number.isFinite(x));
    if (bad >= 0) throw new Error(`${file}: '${name}' holds a non-finite value (${t.data[bad]} at index ${bad})`);
    out.set(directionLayer(name)!, t.data);
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
