import { existsSync, readFileSync } from "node:fs";
import { encodeSafetensors, readSafetensors } from "../checkpoint/safetensors";
import { directionLayer } from "../engine/direction-file";
import { jsonText, writeFilesAtomic } from "../util/atomic";
import { fromProvenance, parseProvenance, toProvenance } from "./provenance";
import type { ModelSpec } from "../arch/spec";
import { checkCompatible, type ModelIdentity, type SteeringVector } from "./vector";

/**
 * Vectors on disk: V.safetensors holds one float32 tensor `direction.<layer>` per layer (0-based block index,
 * shape [width]) and, in its __metadata__ under "steersynth", the provenance JSON; V.json beside it holds the
 * same provenance, pretty-printed, for people and external tools. Loading reads the metadata copy, so the
 * .safetensors file alone is enough; V.json is used only for a file without it.
 */
export const provenancePath = (file: string): string => file.replace(/\.safetensors$/, "") + ".json";

/** The two files of a saved vector (V.safetensors and V.json), for writing together with other outputs. */
export function vectorFiles(file: string, v: SteeringVector): { path: string; data: string | Uint8Array }[] {
  if (!file.endsWith(".safetensors")) throw new Error(`${file}: a steering vector file must end in .safetensors`);
  const provenance = toProvenance(v);
  const tensors = Object.fromEntries([...v.directions].map(([l, d]) => [`direction.${l}`, { shape: [d.length], data: d }]));
  return [
    { path: file, data: encodeSafetensors(tensors, { steersynth: JSON.stringify(provenance) }) },
    { path: provenancePath(file), data: jsonText(provenance) },
  ];
}

/** Write V.safetensors and V.json as one output: both or neither. */
export const saveVector = (file: string, v: SteeringVector): void => writeFilesAtomic(vectorFiles(file, v));

/** Read a vector; with `model`, a vector extracted for another hidden size, layer count or head layout is an error. */
export function loadVector(file: string, model?: ModelIdentity | ModelSpec): SteeringVector {
  if (!existsSync(file)) throw new Error(`${file}: no such steering vector file`);
  const { tensors, metadata } = readSafetensors(file, undefined, (name, e) => {
    if (directionLayer(name) === null) throw new Error(`${file}: unexpected tensor '${name}' (expected direction.<layer>, the layer in plain decimal)`);
    if (e.dtype !== "F32") throw new Error(`${file}: tensor '${name}' is ${e.dtype}; steering vectors are stored as F32`);
    if (e.shape.length !== 1) throw new Error(`${file}: tensor '${name}' has shape [${e.shape}], expected one dimension`);
  });
  let raw: string;
  if (metadata.steersynth !== undefined) raw = metadata.steersynth;
  else if (existsSync(provenancePath(file))) raw = readFileSync(provenancePath(file), "utf8");
  else throw new Error(`${file}: no provenance (neither __metadata__.steersynth nor ${provenancePath(file)})`);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch (e) {
    throw new Error(`${file}: provenance is not valid JSON (${(e as Error).message})`);
  }
  const directions = new Map<number, Float32Array>();
  for (const [name, t] of tensors) directions.set(directionLayer(name)!, t.data);
  const v = fromProvenance(parseProvenance(json, file), directions, file);
  if (model) checkCompatible(v, model, file);
  return v;
}
